package journal

import (
	"sort"
	"strings"
	"time"

	"github.com/thongsuot/thongsuot/scenarios"
)

// FaultWindow is a fault as it was actually applied.
type FaultWindow struct {
	Name     string            `json:"name"`
	Link     string            `json:"link,omitempty"`   // a link fault's link…
	Toxic    string            `json:"toxic,omitempty"`  // …and toxic
	Role     string            `json:"role,omitempty"`   // a process fault's role…
	Action   string            `json:"action,omitempty"` // …and action
	Params   map[string]string `json:"params,omitempty"`
	Start    time.Duration     `json:"start"`         // wall offset when applied, ns
	End      time.Duration     `json:"end,omitempty"` // wall offset when removed; 0 if never removed
	Error    string            `json:"error,omitempty"`
	Scenario time.Time         `json:"scenario_start"`
	// Kind is the fault's shape: "window" (one-shot), "flap" (one entry per cycle) or
	// "ramp" (Params say from what to what).
	Kind string `json:"kind,omitempty"`
	// Cycle numbers a flap's cycles from 1; Cycles is how many it has.
	Cycle  int `json:"cycle,omitempty"`
	Cycles int `json:"cycles,omitempty"`
	// ScenarioEnd is the scenario time at End.
	ScenarioEnd time.Time `json:"scenario_end,omitzero"`
}

// Fault shapes (FaultWindow.Kind).
const (
	FaultWindowKind = "window"
	FaultFlapKind   = "flap"
	FaultRampKind   = "ramp"
)

// Key names one application of a fault: a fault is journalled when applied and
// again, with its end, when removed.
func (f FaultWindow) Key() [2]string { return [2]string{f.Name, f.Scenario.String()} }

// Target is what the fault acted on: its link, or its role's process.
func (f FaultWindow) Target() string { return scenarios.FaultTarget(f.Link, f.Role) }

// Effect is what the fault did: its toxic, or its action.
func (f FaultWindow) Effect() string { return scenarios.FaultEffect(f.Toxic, f.Action) }

// Summary is the fault in a few words: "latency on portal->registry", "kill portal".
func (f FaultWindow) Summary() string {
	return scenarios.FaultSummary(f.Link, f.Toxic, f.Role, f.Action)
}

// ParamText writes a fault's parameters as people read them: "latency=2s, stream=both",
// sorted by name.
func ParamText(params map[string]string) string {
	out := make([]string, 0, len(params))
	for k, v := range params {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
