// Package scenarios is the scenario schema (v1): the Go types a scenario YAML file
// decodes into, strict loading with file:line errors, validation, defaults, and the
// built-in scenarios embedded in the binary.
//
// A scenario says what to replay (clock, load curve, request mix), what to break
// (faults) and what must hold (SLOs). Everything downstream — runtime, load, faults,
// metrics, verdict, reports — reads the resolved Scenario, never the YAML.
package scenarios

import "github.com/thongsuot/thongsuot/harness/clock"

// SchemaVersion is the scenario schema this package reads and writes.
const SchemaVersion = 1

// Scenario is one scenario file, resolved: defaults applied and every time absolute.
type Scenario struct {
	Version     int     `yaml:"version" range:"-"` // validate: the one version this package reads
	Name        string  `yaml:"name"`
	Description string  `yaml:"description,omitempty"`
	Clock       Clock   `yaml:"clock"`
	Load        Load    `yaml:"load"`
	Mix         []Class `yaml:"mix"`
	// Journeys are the scenario's own journeys (journeys.go, docs/journeys.md), which mix
	// entries name beside the built-in ones.
	Journeys []JourneySpec `yaml:"journeys,omitempty"`
	Faults   []Fault       `yaml:"faults,omitempty"`
	// Tiers are the standing conditions of each link tier's link; defaults fill
	// what a scenario leaves out (see tier.go).
	Tiers map[string]Tier `yaml:"tiers,omitempty"`
	// SUT is the system under test (sut.go); left out, thongsuot's reference stubs.
	SUT  SUT  `yaml:"sut,omitempty"`
	SLOs SLOs `yaml:"slos"`

	// File is where the scenario came from, for messages; not part of the schema.
	File string `yaml:"-"`
	// index locates fields in File, and flags the fields a command line set (SetPortal),
	// for the problems CheckRun finds after parsing.
	index pathIndex
	flags map[string]string
}

// Clock places the scenario on the calendar and says how fast to play it.
type Clock struct {
	Start Time   `yaml:"start"`
	End   Time   `yaml:"end"`
	Zone  string `yaml:"zone,omitempty"` // IANA zone for times written without an offset
	// Compress is scenario seconds per wall second: 2880 plays 24 days in 12 minutes.
	Compress float64 `yaml:"compress,omitempty" range:"[0.01,1000000]"`
}

// Map is the scenario's clock as a map between scenario time and wall time: every
// conversion between the two goes through it.
func (c Clock) Map() clock.Clock {
	return clock.Clock{Start: c.Start.Time, End: c.End.Time, Compress: c.Compress}
}

// Load is the arrival-rate curve: baseline × events × scale, in requests per second
// of wall time at each moment of scenario time, and how the generator behaves.
type Load struct {
	// Scale multiplies every rate; scale 1 is the real-world rate the baseline states.
	Scale    float64 `yaml:"scale,omitempty" range:"(0,1000]"`
	Baseline Rate    `yaml:"baseline"`
	Events   []Event `yaml:"events,omitempty"`
	// The shape of the rate over a day and a week, the named shapes mix entries can
	// follow, who sends, and an access log to replay instead of a curve: load.go.
	Diurnal    Diurnal          `yaml:"diurnal,omitempty" range:"[0,1000000]"`
	Weekly     *Weekly          `yaml:"weekly,omitempty"`
	Shapes     map[string]Shape `yaml:"shapes,omitempty"`
	Population *Population      `yaml:"population,omitempty"`
	Channels   *Channels        `yaml:"channels,omitempty"`
	Source     *Source          `yaml:"source,omitempty"`
	// PeakSessions is how many concurrent sessions the scenario means to reach at its
	// peak at scale 1 (F2: the portal is built for 120,000 concurrent users); `thongsuot
	// plan` shows the model's peak beside it. 0: not stated.
	PeakSessions int `yaml:"peak_sessions,omitempty" range:"[0,100000000]"`

	// Seed and Users (and slos.min_requests) have no omitempty: a written 0 is kept,
	// and the resolved scenario a run writes must read back with it.
	Seed       int64    `yaml:"seed" range:"any"`                         // drives every random choice of the load
	Users      int      `yaml:"users" range:"[0,100000]"`                 // virtual citizens logged in before the run
	Timeout    Duration `yaml:"timeout,omitempty" range:"(0s,24h]"`       // per request, wall time
	MaxWorkers int      `yaml:"max_workers,omitempty" range:"[1,100000]"` // in-flight bound per class; beyond it sends are late
	LateAfter  Duration `yaml:"late_after,omitempty" range:"(0s,24h]"`    // a send this far behind its intended time is late
}

// Event multiplies the baseline over part of the scenario. Exactly one field is set.
type Event struct {
	Step  *Step  `yaml:"step,omitempty"`
	Ramp  *Ramp  `yaml:"ramp,omitempty"`
	Spike *Spike `yaml:"spike,omitempty"`
}

// Step multiplies the rate by Factor from At (until Until, if given).
type Step struct {
	At     Time    `yaml:"at"`
	Until  *Time   `yaml:"until,omitempty"`
	Factor float64 `yaml:"factor" range:"[0,100]"`
	Label  string  `yaml:"label,omitempty"` // names the event on plan.png
}

// Ramp moves the multiplier linearly from FromFactor at From to ToFactor at To and
// holds ToFactor after. Before From it is 1, like any event that has not started:
// ramps laid end to end make a piecewise-linear curve.
type Ramp struct {
	From       Time    `yaml:"from"`
	To         Time    `yaml:"to"`
	FromFactor float64 `yaml:"from_factor" range:"[0,100]"`
	ToFactor   float64 `yaml:"to_factor" range:"[0,100]"`
	Label      string  `yaml:"label,omitempty"`
}

// Class is one entry of the mix: a single request class or a journey, and how many
// arrivals it gets — a share of load.baseline (Weight) or a rate of its own (Rate).
// The rest of the entry is in load.go.
type Class struct {
	Class      string  `yaml:"class,omitempty"`
	Journey    string  `yaml:"journey,omitempty"`
	Weight     float64 `yaml:"weight,omitempty" range:"[0,1000000]"`
	MixOptions `yaml:",inline"`
}

// SLOs are the objectives, each evaluated per window of scenario time.
type SLOs struct {
	Window Duration `yaml:"window"`
	// MinRequests: a window with fewer requests (for the objective's classes) is not
	// judged, so a handful of samples cannot fail or pass a window.
	MinRequests int `yaml:"min_requests" range:"[0,1000000000]"`
	// RecoveryWindows: a fault has recovered once every objective holds again for
	// this many consecutive windows (the recovery objective and the verdict's recoveries).
	RecoveryWindows int         `yaml:"recovery_windows" range:"[1,100000]"`
	Objectives      []Objective `yaml:"objectives"`
	// Harness says when the harness itself was too starved to judge a window, and how
	// much of such a run still gives a verdict; defaults in harness/slo.
	Harness *HarnessLimits `yaml:"harness,omitempty"`
}

// HarnessLimits bound the harness's own health (harness/health): a window in which one
// is passed is saturated and not judged; a run with too many such windows, or that
// dropped too much of what fell due, is inconclusive.
type HarnessLimits struct {
	// MaxLag: the probe goroutine's wake-up lateness (99th percentile) above which the
	// harness could not act on time.
	MaxLag *Duration `yaml:"max_lag,omitempty"`
	// MaxStarved: the share of the time the harness's runnable threads waited for a CPU.
	MaxStarved *Percent `yaml:"max_starved,omitempty"`
	// MaxLate: the share of a window's sends that may leave late (load.late_after).
	MaxLate *Percent `yaml:"max_late,omitempty"`
	// MaxSaturated: the share of the run's windows that may be saturated.
	MaxSaturated *Percent `yaml:"max_saturated,omitempty"`
	// MaxDropped: the share of the requests that fell due that may go unsent.
	MaxDropped *Percent `yaml:"max_dropped,omitempty"`
}

// Objective kinds.
const (
	KindAvailability = "availability"
	KindLatency      = "latency"
	KindRecovery     = "recovery" // after each fault, every other objective holds again within max (wall time)
	// KindZeroLoss: every dossier the portal acknowledged is stored, none twice
	// (reconciled against the portal's admin listing at the end of the run).
	KindZeroLoss = "zero_loss"
	// KindCodes: the share of a class's responses whose status is one of Codes, per
	// window — that an abusive class gets its refusal.
	KindCodes = "codes"
	// KindChecks: the share of a class's requests (all classes' without class) whose
	// journey-step checks held, per window — a YAML journey's check: section.
	KindChecks = "checks"
)

// Objective is one SLO. Class empty means all classes together.
type Objective struct {
	Name       string    `yaml:"name"`
	Kind       string    `yaml:"kind"`
	Class      string    `yaml:"class,omitempty"`
	Target     *Percent  `yaml:"target,omitempty"`                          // availability: share of requests answered without 5xx or transport error; codes: share answered with one of Codes; checks: share whose checks held
	Percentile float64   `yaml:"percentile,omitempty" range:"(0,100) or 0"` // latency: e.g. 95; 0: not given
	Max        *Duration `yaml:"max,omitempty"`                             // latency: the percentile must stay under this; recovery: the longest recovery (wall time)
	// Availability, on a latency objective, is the share of its class's requests that
	// must be answered in each window: latency judges answered requests only, so a class
	// answering 503 fast must not pass on speed. Default: the scenario's availability
	// target for all classes, else 99%; 0% judges latency alone.
	Availability *Percent `yaml:"availability,omitempty"`
	// Window judges the objective on windows of its own, a whole number of slos.window
	// merged: for a class too sparse to judge in every window (a few dossiers an hour at
	// the default scale), without making every other objective coarse.
	Window *Duration `yaml:"window,omitempty"`
	// OutsideFaults leaves unjudged the windows from each fault's start until the system
	// recovered (or, if it did not, until the recovery objective's max after the fault):
	// what happens during a crash and right after it is the recovery objective's to judge.
	OutsideFaults bool `yaml:"outside_faults,omitempty"`
	// Codes are the HTTP statuses a codes objective counts, e.g. [401].
	Codes []int `yaml:"codes,omitempty" range:"[100,599]"`
}
