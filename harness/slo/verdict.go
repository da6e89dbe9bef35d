// Package slo judges a run: each objective of the scenario, evaluated per window of
// scenario time from the journal, the recovery after each fault, the harness's own
// health, and the verdict that gives the exit code.
package slo

import "time"

// The verdicts a run can get, as summary.json writes them.
const (
	VerdictPass = "pass" // every objective met, on enough of the run
	VerdictFail = "fail" // an objective was not met where the harness could measure
	// VerdictInconclusive: the run cannot say — the harness itself was the bottleneck
	// for too much of it, or too little was judged. Never a pass.
	VerdictInconclusive = "inconclusive"
	VerdictIncomplete   = "incomplete" // the run was cut short: no verdict on the system
)

// Exit codes: the contract with CI pipelines. A verdict gives one (Verdict.ExitCode);
// the commands give ExitError for bad input or a harness that could not run.
const (
	ExitPass         = 0 // every objective held
	ExitFail         = 1 // an objective failed
	ExitError        = 2 // bad input, the harness could not run, or the run is incomplete
	ExitInconclusive = 3 // the run cannot be judged: run it again where the harness has room
)

// Verdict is the judgement on a run.
type Verdict struct {
	Complete   bool      `json:"complete"` // the run ended cleanly (not killed)
	Objectives []Outcome `json:"objectives"`
	// Recoveries: per fault window (per cycle of a flap), how long after it ended every
	// objective held again.
	Recoveries []Recovery `json:"recoveries,omitempty"`
	// Harness is the harness's own health: the windows it was too starved to judge.
	Harness Harness `json:"harness"`
	// Doubts say why the run cannot be judged; a run with doubts never passes.
	Doubts []string `json:"doubts,omitempty"`
}

// Name is the verdict as summary.json and the reports write it. A harness saturated for
// too much of the run makes it inconclusive whatever failed, as failures then may be its
// own; otherwise any objective that failed fails it; then any other doubt makes it
// inconclusive.
func (v Verdict) Name() string {
	switch {
	case !v.Complete:
		return VerdictIncomplete
	case v.Harness.TooSaturated:
		return VerdictInconclusive
	}
	for _, o := range v.Objectives {
		if o.Status == StatusFailed {
			return VerdictFail
		}
	}
	if len(v.Doubts) > 0 {
		return VerdictInconclusive
	}
	return VerdictPass
}

// ExitCode is the process exit code the verdict gives.
func (v Verdict) ExitCode() int { return VerdictExitCode(v.Name()) }

// VerdictExitCode is the exit code of a verdict by name (as read back from summary.json).
func VerdictExitCode(name string) int {
	switch name {
	case VerdictPass:
		return ExitPass
	case VerdictFail:
		return ExitFail
	case VerdictInconclusive:
		return ExitInconclusive
	}
	return ExitError
}

// An objective's status.
const (
	StatusMet      = "met"
	StatusFailed   = "failed"
	StatusUnjudged = "unjudged" // nothing to judge it on: no window with enough requests, no reconciliation
)

// Outcome is one objective's judgement.
type Outcome struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Class     string `json:"class,omitempty"` // empty: all classes
	Objective string `json:"objective"`       // e.g. "availability ≥ 99%" or "p95 ≤ 250ms"
	// ImpliedBy names the latency objective that brought this availability objective
	// with it: latency judges answered requests only, so their share is judged too.
	ImpliedBy string  `json:"implied_by,omitempty"`
	Unit      string  `json:"unit"`  // of the values below: "%" or "ms"
	Limit     float64 `json:"limit"` // the target in Unit
	// HigherIsBetter says which side of Limit meets the objective: true for shares
	// (availability), false for latencies and recovery times.
	HigherIsBetter bool   `json:"higher_is_better"`
	Status         string `json:"status" jsonschema:"enum=met,enum=failed,enum=unjudged"`
	Met            bool   `json:"met"` // Status is met
	// Overall is over the whole run, in Unit: all the windows the objective judged.
	Overall   float64 `json:"overall"`
	Evaluated int     `json:"evaluated"` // windows judged
	Skipped   int     `json:"skipped"`   // windows with fewer than min_requests
	// DuringFaults are the windows left unjudged because they overlap a fault
	// (outside_faults).
	DuringFaults int `json:"during_faults,omitempty"`
	// Saturated are the windows the objective missed while the harness was saturated:
	// not counted as failed, and the reason the run is inconclusive.
	Saturated int     `json:"saturated,omitempty"`
	Failed    []Point `json:"failed,omitempty"`
	Worst     *Point  `json:"worst,omitempty"`  // the judged window furthest from (or closest to) failing
	Detail    string  `json:"detail,omitempty"` // for objectives not judged per window, what was found
	// Recoveries: for a recovery objective, the recoveries it judged.
	Recoveries []Recovery `json:"recoveries,omitempty"`
}

// setStatus sets Status (and Met) from what was judged: unjudged when nothing was.
func (o *Outcome) setStatus(failed bool) {
	switch {
	case o.Evaluated == 0:
		o.Status = StatusUnjudged
	case failed:
		o.Status = StatusFailed
	default:
		o.Status = StatusMet
	}
	o.Met = o.Status == StatusMet
}

// Point is one window's value for an objective.
type Point struct {
	Index    int           `json:"index"`
	Start    time.Duration `json:"start"`          // wall offset, ns
	Scenario time.Time     `json:"scenario_start"` // scenario time
	Requests int64         `json:"requests"`
	Value    float64       `json:"value"` // in the outcome's Unit
}
