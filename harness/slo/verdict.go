// Package slo judges a run: each objective of the scenario, evaluated per window of
// scenario time from the journal, and the verdict that gives the exit code.
package slo

import "time"

// The verdicts a run can get, as summary.json writes them.
const (
	VerdictPass       = "pass"       // every objective met
	VerdictFail       = "fail"       // an objective was not met
	VerdictIncomplete = "incomplete" // the run was cut short: no verdict on the system
)

// Exit codes: the contract with CI pipelines. A verdict gives one (Verdict.ExitCode);
// the commands give ExitError for bad input or a harness that could not run.
const (
	ExitPass  = 0 // every objective held
	ExitFail  = 1 // an objective failed
	ExitError = 2 // bad input, the harness could not run, or the run is incomplete
)

// Verdict is the judgement on a run.
type Verdict struct {
	Pass       bool      `json:"pass"`     // every objective met and the run complete
	Complete   bool      `json:"complete"` // the run ended cleanly (not killed)
	Objectives []Outcome `json:"objectives"`
	// Recoveries: per fault window (per cycle of a flap), how long after it ended every
	// objective held again.
	Recoveries []Recovery `json:"recoveries,omitempty"`
}

// Name is the verdict as summary.json and the reports write it.
func (v Verdict) Name() string {
	switch {
	case !v.Complete:
		return VerdictIncomplete
	case v.Pass:
		return VerdictPass
	}
	return VerdictFail
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
	}
	return ExitError
}

// Outcome is one objective's judgement.
type Outcome struct {
	Name      string  `json:"name"`
	Kind      string  `json:"kind"`
	Class     string  `json:"class,omitempty"` // empty: all classes
	Objective string  `json:"objective"`       // e.g. "availability ≥ 99%" or "p95 ≤ 250ms"
	Unit      string  `json:"unit"`            // of the values below: "%" or "ms"
	Limit     float64 `json:"limit"`           // the target in Unit
	// HigherIsBetter says which side of Limit meets the objective: true for shares
	// (availability), false for latencies and recovery times.
	HigherIsBetter bool    `json:"higher_is_better"`
	Met            bool    `json:"met"`
	Overall        float64 `json:"overall"`   // over the whole run, in Unit
	Evaluated      int     `json:"evaluated"` // windows judged
	Skipped        int     `json:"skipped"`   // windows with fewer than min_requests
	// DuringFaults are the windows left unjudged because they overlap a fault
	// (outside_faults).
	DuringFaults int     `json:"during_faults,omitempty"`
	Failed       []Point `json:"failed,omitempty"`
	Worst        *Point  `json:"worst,omitempty"`  // the judged window furthest from (or closest to) failing
	Detail       string  `json:"detail,omitempty"` // for objectives not judged per window, what was found
	// Recoveries: for a recovery objective, the recoveries it judged.
	Recoveries []Recovery `json:"recoveries,omitempty"`
}

// Point is one window's value for an objective.
type Point struct {
	Index    int           `json:"index"`
	Start    time.Duration `json:"start"`          // wall offset, ns
	Scenario time.Time     `json:"scenario_start"` // scenario time
	Requests int64         `json:"requests"`
	Value    float64       `json:"value"` // in the outcome's Unit
}
