package reports

import (
	"bytes"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/slo"
)

// HTMLFile is the report people read: one self-contained file (images inlined, no
// scripts, nothing fetched) that opens offline and can be attached to a ticket.
const HTMLFile = "report.html"

//go:embed html/report.html.tmpl
var htmlFS embed.FS

var htmlTemplate = template.Must(template.New("report.html.tmpl").ParseFS(htmlFS, "html/report.html.tmpl"))

// rendered is a figure drawn, ready to inline.
type rendered struct {
	figure *figure
	png    []byte
}

// page is what the template renders.
type page struct {
	Summary    *Summary
	Headline   string
	Period     string
	Objectives []pageObjective
	Figures    []pageFigure
	Timeline   *pageFigure // the fault timeline, shown with the fault table
	Faults     []pageFault
	Classes    []pageClass
	Checks     bool // some class had failed journey checks: the column is shown
	Scenario   string
	Env        [][2]string
	Generated  string
}

type pageObjective struct {
	Name, Objective, Status, Overall, Worst, WorstAt, Gap, Windows string
	Met                                                            bool
	Details                                                        [][2]string
	Failed                                                         []pageWindow // the windows that broke it
	Collapse                                                       bool         // list them folded: there are many
}

// pageWindow is a failed window of an objective.
type pageWindow struct {
	Index                          int
	At, Wall, Value, Gap, Requests string
}

// openFailedWindows is how many failed windows an objective lists unfolded; more are
// listed in a <details> the reader opens.
const openFailedWindows = 5

type pageFigure struct {
	Name, Title, Caption string
	Src                  template.URL
	// Provinces is the per-province table the bandwidth figure carries beneath it.
	Provinces []pageProvince
}

// pageProvince is one province's row of the bandwidth section.
type pageProvince struct {
	Code, Name, Up, Down, Sent, P95, Availability string
	Failed                                        bool // some of its requests got no answer
}

type pageFault struct {
	Name, Link, Toxic, Params, At, Wall, Status, Recovery string
	Failed                                                bool
}

type pageClass struct {
	Class, Intended, Sent, Late, Dropped, Failed, ChecksFailed, P50, P95, P99, Max string
}

func writeHTML(r *Run, sum *Summary, images []rendered, path string) error {
	pg := page{
		Summary: sum, Headline: headline(r, sum), Scenario: r.ScenarioText,
		Period:    r.period(),
		Generated: r.zoned(time.Now()),
	}
	for i, o := range sum.Objectives {
		pg.Objectives = append(pg.Objectives, r.pageObjective(o, i))
	}
	for _, img := range images {
		f := pageFigure{Name: img.figure.Name, Title: img.figure.Title, Caption: img.figure.Caption,
			Src: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(img.png))}
		if img.figure.Name == "faults" {
			pg.Timeline = &f
			continue
		}
		if img.figure.Name == "bandwidth" {
			f.Provinces = pageProvinces(sum.Bandwidth.Provinces)
		}
		pg.Figures = append(pg.Figures, f)
	}
	for _, row := range r.faultRows() {
		for _, s := range row.Spans {
			pg.Faults = append(pg.Faults, r.pageFault(s))
		}
	}
	for _, c := range append(append([]ClassTotals(nil), sum.Classes...), sum.Totals) {
		pg.Checks = pg.Checks || c.ChecksFailed > 0
		pg.Classes = append(pg.Classes, pageClass{Class: c.Class, Intended: fmt.Sprint(c.Intended),
			Sent: fmt.Sprint(c.Sent), Late: fmt.Sprint(c.Late), Dropped: fmt.Sprint(c.Dropped), Failed: fmt.Sprint(c.Failed),
			ChecksFailed: fmt.Sprint(c.ChecksFailed),
			P50:          FormatValue("ms", c.P50), P95: FormatValue("ms", c.P95), P99: FormatValue("ms", c.P99), Max: FormatValue("ms", c.Max)})
	}
	pg.Env = r.environment(sum)

	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, pg); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// pageProvinces are the provinces' rows, in the summary's order (busiest first); "—"
// where a province sent nothing or its journal kept no latencies.
func pageProvinces(ps []ProvinceTraffic) []pageProvince {
	out := make([]pageProvince, len(ps))
	for i, p := range ps {
		row := pageProvince{Code: p.Name, Name: p.Province, Up: "—", Down: "—", Sent: fmt.Sprint(p.Sent), P95: "—", Availability: "—",
			Failed: p.Failed > 0}
		if p.BytesUp+p.BytesDown > 0 {
			row.Up, row.Down = mbpsText(p.PeakUpMbps), mbpsText(p.PeakDownMbps)
		}
		if p.P95 != nil {
			row.P95 = FormatValue("ms", *p.P95)
		}
		if p.Availability != nil {
			row.Availability = FormatValue("%", *p.Availability)
		}
		out[i] = row
	}
	return out
}

// headline is the verdict in one sentence.
func headline(r *Run, sum *Summary) string {
	switch sum.Verdict {
	case slo.VerdictIncomplete:
		return fmt.Sprintf("INCOMPLETE — the run was cut short after %d of %d windows: no verdict. What was recorded is below.",
			sum.Windows.Recorded, sum.Windows.Planned)
	case slo.VerdictPass:
		return fmt.Sprintf("PASS — all %d objectives held", len(sum.Objectives))
	case slo.VerdictInconclusive:
		return "INCONCLUSIVE — the run cannot say whether the objectives held: " + sum.Doubts[0]
	}
	broken := 0
	for _, o := range sum.Objectives {
		if o.Status == slo.StatusFailed {
			broken++
		}
	}
	return fmt.Sprintf("FAIL — %d of %d objectives broken", broken, len(sum.Objectives))
}

// period says when the scenario is set and how it was played.
func (r *Run) period() string {
	start, end := r.Clock.Start.In(r.Zone), r.Clock.End.In(r.Zone)
	endFormat := "15:04"
	if end.YearDay() != start.YearDay() || end.Year() != start.Year() {
		endFormat = "Mon 2 Jan 2006 15:04"
	}
	return fmt.Sprintf("%s → %s %s, played at %s× in %s of wall time",
		start.Format("Mon 2 Jan 2006 15:04"), end.Format(endFormat), zoneName(r.Zone, r.Clock.Start),
		trimFloat(r.Clock.Compress), r.Clock.WallDuration().Round(time.Second))
}

// outcomeFields are the Outcome fields the objective table shows in its own columns;
// any other field (kinds of objective added later) is listed under details.
var outcomeFields = map[string]bool{"name": true, "kind": true, "class": true, "objective": true, "unit": true,
	"limit": true, "met": true, "status": true, "higher_is_better": true, "saturated": true, "overall": true,
	"evaluated": true, "skipped": true, "failed": true, "worst": true}

func (r *Run) pageObjective(o slo.Outcome, i int) pageObjective {
	po := pageObjective{Name: o.Name, Objective: o.Objective, Met: o.Met, Overall: FormatValue(o.Unit, o.Overall),
		Windows: JudgedText(o)}
	if o.Class != "" {
		po.Objective += " (" + o.Class + ")"
	}
	switch {
	case !r.Verdict.Complete:
		po.Status = "no verdict"
	case o.Status == slo.StatusUnjudged:
		po.Status = "unjudged"
	case o.Met:
		po.Status = "met"
	default:
		po.Status = "broken"
	}
	if o.Skipped > 0 {
		po.Windows += fmt.Sprintf(", %d not judged (too few requests)", o.Skipped)
	}
	if o.Saturated > 0 {
		po.Windows += fmt.Sprintf(", %d missed while the harness was saturated (not judged)", o.Saturated)
	}
	for _, p := range o.Failed {
		po.Failed = append(po.Failed, pageWindow{Index: p.Index, At: r.zoned(p.Scenario),
			Wall: "+" + p.Start.Round(time.Millisecond).String(), Value: FormatValue(o.Unit, p.Value),
			Gap: gap(o, p.Value), Requests: fmt.Sprint(p.Requests)})
	}
	po.Collapse = len(po.Failed) > openFailedWindows
	if o.Worst != nil {
		po.Worst = FormatValue(o.Unit, o.Worst.Value)
		po.WorstAt = r.zoned(o.Worst.Scenario)
		po.Gap = gap(o, o.Worst.Value)
	} else {
		po.Worst = "no window judged"
	}
	// New outcome fields show up here without a change to this file.
	if data, err := json.Marshal(o); err == nil {
		var all map[string]json.RawMessage
		if json.Unmarshal(data, &all) == nil {
			for k, v := range all {
				if !outcomeFields[k] {
					po.Details = append(po.Details, [2]string{k, string(v)})
				}
			}
			sort.Slice(po.Details, func(a, b int) bool { return po.Details[a][0] < po.Details[b][0] })
		}
	}
	return po
}

func (r *Run) pageFault(s faultSpan) pageFault {
	f := s.Fault
	pf := pageFault{Name: f.Name, Link: f.Target(), Toxic: f.Effect(), At: r.zoned(f.Scenario), Recovery: "—"}
	for _, rc := range r.Verdict.Recoveries {
		if rc.Fault == f.Name && rc.End == f.End && f.End != 0 {
			pf.Recovery = "not recovered by the end of the run"
			if rc.Recovered {
				pf.Recovery = rc.Time.Round(time.Millisecond).String()
			}
		}
	}
	pf.Params = journal.ParamText(f.Params)
	pf.Wall = fmt.Sprintf("+%s → +%s (%s)", s.Start.Round(time.Millisecond), s.End.Round(time.Millisecond), (s.End - s.Start).Round(time.Millisecond))
	switch {
	case !s.Applied:
		pf.Status, pf.Failed, pf.Wall = "failed to apply: "+f.Error, true, fmt.Sprintf("+%s", s.Start.Round(time.Millisecond))
	case f.Error != "":
		pf.Status, pf.Failed = f.Error, true
	case f.End == 0:
		pf.Status = "still in force when the journal ends"
	default:
		pf.Status = "applied and removed"
	}
	return pf
}

// environment lists where and with what the run ran, and what rendered the report.
func (r *Run) environment(sum *Summary) [][2]string {
	run := r.Journal.Run
	env := [][2]string{
		{"run", run.ID},
		{"runtime", run.Runtime},
	}
	for _, role := range sortedKeys(run.SUT) { // what the verdict judged, per role
		env = append(env, [2]string{"system under test: " + role, run.SUT[role]})
	}
	env = append(env, [2]string{"thongsuot", orDash(run.Version)}, [2]string{"started", r.zoned(run.Started)})
	if run.Ended != nil {
		env = append(env, [2]string{"wall time", run.Ended.Sub(run.Started).Round(time.Millisecond).String()})
	}
	env = append(env, [2]string{"windows", fmt.Sprintf("%d of %d recorded, %s of wall time each", sum.Windows.Recorded, sum.Windows.Planned, run.Window)})
	if e := run.Env; e != nil {
		env = append(env,
			[2]string{"machine", fmt.Sprintf("%s, %s/%s, kernel %s", orDash(e.Hostname), e.OS, e.Arch, orDash(e.Kernel))},
			[2]string{"CPUs", fmt.Sprintf("%d (GOMAXPROCS %d)", e.CPUs, e.GOMAXPROCS)},
			[2]string{"memory", fmt.Sprintf("%.1f GiB", float64(e.MemoryBytes)/(1<<30))},
			[2]string{"Go", e.GoVersion},
			[2]string{"command", strings.Join(e.Command, " ")},
		)
		mods := make([]string, 0, len(e.Modules))
		for m, v := range e.Modules {
			mods = append(mods, m+" "+v)
		}
		sort.Strings(mods)
		if len(mods) > 0 {
			env = append(env, [2]string{"libraries", strings.Join(mods, "; ")})
		}
	} else {
		env = append(env, [2]string{"machine", "not recorded in this journal"})
	}
	return append(env, [2]string{"report rendered by", runtime.Version() + " from " + r.Dir})
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// sortedKeys lists a map's keys in order.
func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
