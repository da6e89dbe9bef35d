package reports

import (
	"encoding/json"
	"os"
	"time"

	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/harness/slo"
)

// SummaryFile is the machine-readable outcome of a run; SummarySchema names its
// schema, docs/summary-schema.json. Within v1 fields may be added, never removed or
// changed in meaning.
const (
	SummaryFile   = "summary.json"
	SummarySchema = "thongsuot.summary/v1"
)

// Summary is summary.json: the verdict, each objective's outcome, and the totals.
type Summary struct {
	Schema      string `json:"schema" jsonschema:"enum=thongsuot.summary/v1"` // the schema version of this file
	Run         string `json:"run"`                                           // run id: the run directory's name
	Scenario    string `json:"scenario"`                                      // scenario name
	Description string `json:"description,omitempty"`                         // the scenario's description
	// SUT names the system under test, role by role (portal, identity, registries,
	// registry.<name>), so that a verdict is tied to the build it judged: "reference,
	// thongsuot VERSION" (naive: "reference, naive (protections off), …"), "image
	// NAME:TAG (sha256:…)" — the Docker engine's digest — or "url URL"; absent for
	// journals written before it was recorded.
	SUT         map[string]string `json:"sut,omitempty"`
	Runtime     string            `json:"runtime"`                                                                    // where the system under test ran: embedded or containers
	Version     string            `json:"version"`                                                                    // of thongsuot
	Verdict     string            `json:"verdict" jsonschema:"enum=pass,enum=fail,enum=inconclusive,enum=incomplete"` // pass: every objective met; fail: one or more not; inconclusive: the run cannot say (see doubts); incomplete: the run was cut short, no verdict
	Started     time.Time         `json:"started"`                                                                    // wall-clock time the load started
	WallSeconds float64           `json:"wall_seconds"`                                                               // wall time of the load, until it ended or was stopped
	Clock       SummaryClock      `json:"clock"`                                                                      // scenario time and its compression
	Totals      ClassTotals       `json:"totals"`                                                                     // all classes together
	Classes     []ClassTotals     `json:"classes"`
	// Bandwidth is what the run moved on the wire per link tier and per link.
	Bandwidth  SummaryBandwidth `json:"bandwidth"`  // one per request class of the mix
	Objectives []slo.Outcome    `json:"objectives"` // one per SLO of the scenario, in its order, then those implied (implied_by)
	// Doubts say why the run cannot be judged (verdict inconclusive); empty otherwise.
	Doubts []string `json:"doubts"`
	// Harness is the harness's own health: its limits and the windows it was saturated in.
	Harness slo.Harness           `json:"harness"`
	Faults  []journal.FaultWindow `json:"faults"` // faults as applied, in order
	// Reconciliation: acknowledged dossiers against what the portal stores at the end.
	Reconciliation *journal.Reconciliation `json:"reconciliation,omitempty"`
	// Sessions: the journeys in progress window by window, and Little's law over the
	// run (L against λ·W) beside what the plan expected; absent without journeys.
	Sessions *journal.Sessions `json:"sessions,omitempty"`
	// Provinces: what each provincial case-handling system received over the document
	// exchange, and how long after submission; absent when none was started.
	Provinces *journal.Provinces `json:"provinces,omitempty"`
	// Orphans: responses no window holds. Always 0 since a response that comes after its
	// window was written is added to it (Reopened); journals from before counted them here.
	Orphans int64 `json:"orphans"`
	// Reopened counts windows that got responses after they were first written.
	Reopened int64 `json:"reopened"`
	// Windows: how many windows the run was cut into, and how many the journal holds
	// (fewer when the run was killed).
	Windows SummaryWindows `json:"windows"`
	// Env is the machine and versions the run ran with; absent for journals that did not record it.
	Env *journal.Environment `json:"env,omitempty"`
	// Files are the reports written next to summary.json.
	Files []string `json:"files"`
}

// SummaryWindows counts the run's windows.
type SummaryWindows struct {
	Planned  int `json:"planned"`  // windows in the whole run
	Recorded int `json:"recorded"` // windows in the journal
}

// SummaryClock places the run on both clocks.
type SummaryClock struct {
	Start    time.Time `json:"start"`          // scenario time at the start of the run
	End      time.Time `json:"end"`            // scenario time at its end
	Compress float64   `json:"compress"`       // scenario seconds per wall second
	Window   float64   `json:"window_seconds"` // wall length of one window
}

// ClassTotals are one class's counts over the run (or all classes').
type ClassTotals struct {
	Class string `json:"class"` // request class, or "all"
	// Intended counts the requests that fell due during the run: sent + dropped, exactly.
	Intended int64 `json:"intended"`
	// Planned is what the plan asked for: exact arrivals for a class on its own curve,
	// the expectation for a later step of a journey (which depends on the answers).
	Planned float64          `json:"planned"`
	Sent    int64            `json:"sent"`    // requests sent (answered, refused, failed or timed out)
	Dropped int64            `json:"dropped"` // fell due but never sent: no worker was free before the run ended
	Late    int64            `json:"late"`    // sent more than load.late_after behind schedule
	Failed  int64            `json:"failed"`  // transport errors, timeouts and 5xx
	Codes   map[string]int64 `json:"codes"`   // responses by HTTP status; "0" is a transport error or timeout
	P50     float64          `json:"p50_ms"`  // latency percentiles over the run, ms
	P95     float64          `json:"p95_ms"`
	P99     float64          `json:"p99_ms"`
	Max     float64          `json:"max_ms"`
	// ChecksFailed counts the answers whose journey step's checks or captures failed
	// (a YAML journey's check: and capture:); absent when none did.
	ChecksFailed int64 `json:"checks_failed,omitempty"`
	// BytesIn and BytesOut are the bytes on the wire, headers included: answers
	// received and requests sent.
	BytesIn  int64 `json:"bytes_in"`
	BytesOut int64 `json:"bytes_out"`
}

// NewSummary summarises a run.
func NewSummary(r *Run) *Summary {
	j := r.Journal
	s := &Summary{
		Schema: SummarySchema, Run: j.Run.ID, Scenario: r.Scenario.Name, Description: r.Scenario.Description,
		Runtime: j.Run.Runtime, SUT: j.Run.SUT, Version: j.Run.Version, Started: j.Run.Started,
		Clock: SummaryClock{Start: r.Clock.Start, End: r.Clock.End, Compress: r.Clock.Compress,
			Window: j.Run.Window.Seconds()},
		Objectives: r.Verdict.Objectives, Faults: j.Faults, Orphans: j.Run.Orphans, Reopened: j.Run.Reopened, Reconciliation: j.Reconciliation,
		Sessions: j.Sessions, Provinces: j.Provinces,
		Windows: SummaryWindows{Planned: j.Run.Windows, Recorded: r.windowCount()},
		Env:     j.Run.Env, Files: []string{HTMLFile, SummaryFile, JUnitFile},
	}
	if s.Objectives == nil {
		s.Objectives = []slo.Outcome{}
	}
	s.Doubts, s.Harness = r.Verdict.Doubts, r.Verdict.Harness
	if s.Doubts == nil {
		s.Doubts = []string{}
	}
	if s.Faults == nil {
		s.Faults = []journal.FaultWindow{}
	}
	switch {
	case j.Run.Stopped != nil:
		s.WallSeconds = j.Run.Stopped.Sub(j.Run.Started).Seconds()
	case j.Run.Ended != nil:
		s.WallSeconds = j.Run.Ended.Sub(j.Run.Started).Seconds()
	}
	s.Verdict = r.Verdict.Name()
	byClass := map[string][]*metrics.Window{}
	for _, w := range j.Windows {
		byClass[w.Class] = append(byClass[w.Class], w)
	}
	for _, c := range j.Run.Classes {
		s.Classes = append(s.Classes, totals(c, byClass[c]))
	}
	s.Totals = totals("all", j.Windows)
	s.Bandwidth = r.bandwidth()
	return s
}

func totals(class string, ws []*metrics.Window) ClassTotals {
	sum := metrics.Sum(class, ws...)
	if sum == nil {
		return ClassTotals{Class: class, Codes: map[string]int64{}}
	}
	return ClassTotals{
		Class: class, Intended: sum.Due(), Planned: sum.Planned, Sent: sum.Sent, Dropped: sum.Dropped,
		Late: sum.Late, Failed: sum.Failed(), Codes: sum.Codes,
		P50: ms(sum.Percentile(50)), P95: ms(sum.Percentile(95)), P99: ms(sum.Percentile(99)),
		Max:          ms(time.Duration(sum.Latency.Max()) * time.Microsecond),
		ChecksFailed: sum.ChecksFailed,
		BytesIn:      sum.BytesIn, BytesOut: sum.BytesOut,
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// ExitCode is the process exit code the verdict gives (slo.VerdictExitCode).
func (s *Summary) ExitCode() int { return slo.VerdictExitCode(s.Verdict) }

// Write writes the summary as indented JSON.
func (s *Summary) Write(path string) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}
