package scenarios

import (
	"fmt"

	"slices"
	"strings"
	"time"

	"github.com/thongsuot/thongsuot/harness/clock"
)

// Fault is one toxic applied to one link — for a window, as a flap (on/off cycles) or
// as a ramp (latency or bandwidth moving linearly across the window) — or one action on
// one role's process (stop, kill, restart, pause, disconnect), undone at the window's
// end. At is scenario time; For and the flap's spans are wall time unless written with
// the word "scenario" (see Span). Each toxic reads only its own parameters (toxicParams).
type Fault struct {
	Name     string   `yaml:"name,omitempty"`
	At       Time     `yaml:"at"`
	For      Span     `yaml:"for,omitempty"` // not with flap: a flap lasts its cycles
	Link     string   `yaml:"link,omitempty"`
	Toxic    string   `yaml:"toxic,omitempty"`
	Role     string   `yaml:"role,omitempty"`                   // a process fault: portal, identity or registry…
	Action   string   `yaml:"action,omitempty"`                 // …and what happens to it (Actions)
	Stream   string   `yaml:"stream,omitempty"`                 // downstream (default), upstream or both
	Toxicity *float64 `yaml:"toxicity,omitempty" range:"[0,1]"` // share of connections affected, 0..1

	Latency       *Duration  `yaml:"latency,omitempty"`        // latency
	Jitter        *Duration  `yaml:"jitter,omitempty"`         // latency: ± this much
	Bandwidth     *Bandwidth `yaml:"bandwidth,omitempty"`      // bandwidth, shared_bandwidth
	Delay         *Duration  `yaml:"delay,omitempty"`          // slow_close: before closing; slicer: between slices
	Timeout       *Duration  `yaml:"timeout,omitempty"`        // timeout: close after (0 holds forever); reset_peer: reset after
	Bytes         *ByteSize  `yaml:"bytes,omitempty"`          // limit_data: close after this many bytes
	AverageSize   *ByteSize  `yaml:"average_size,omitempty"`   // slicer
	SizeVariation *ByteSize  `yaml:"size_variation,omitempty"` // slicer
	Loss          *Percent   `yaml:"loss,omitempty"`           // loss: share of packets lost
	Retransmit    *Duration  `yaml:"retransmit,omitempty"`     // loss: how long a lost packet holds its connection up

	Flap *Flap      `yaml:"flap,omitempty"`
	Ramp *FaultRamp `yaml:"ramp,omitempty"`

	// Units, on a client link, limits the fault to the users of these provinces and
	// units (subset.go).
	Units []string `yaml:"units,omitempty"`
	// Knob and Set make a knob fault: a stub's knob turned for the window (knob.go).
	Knob string   `yaml:"knob,omitempty"`
	Set  *KnobSet `yaml:"set,omitempty"`
}

// Flap turns the fault on for DownFor at the start of each Period, Count times.
type Flap struct {
	Period  Span `yaml:"period"`
	DownFor Span `yaml:"down_for"`
	Count   int  `yaml:"count" range:"[1,10000]"`
}

// FaultRamp moves the toxic's parameter linearly from the fault's value at the start of
// the window to this value at its end. One field is set.
type FaultRamp struct {
	Latency   *Duration  `yaml:"latency,omitempty"`   // latency toxic
	Bandwidth *Bandwidth `yaml:"bandwidth,omitempty"` // bandwidth and shared_bandwidth toxics
}

// DefaultRetransmit is how long a lost packet holds its connection up: Linux's minimum
// TCP retransmission timeout (TCP_RTO_MIN, 200 ms).
const DefaultRetransmit = 200 * time.Millisecond

// toxicParams lists, per toxic, the parameters it needs and the ones it may take.
var toxicParams = map[string]struct{ required, optional []string }{
	ToxicLatency:         {[]string{"latency"}, []string{"jitter"}},
	ToxicBandwidth:       {[]string{"bandwidth"}, nil},
	ToxicSharedBandwidth: {[]string{"bandwidth"}, nil},
	ToxicSlowClose:       {[]string{"delay"}, nil},
	ToxicTimeout:         {[]string{"timeout"}, nil},
	ToxicResetPeer:       {nil, []string{"timeout"}},
	ToxicSlicer:          {[]string{"average_size"}, []string{"size_variation", "delay"}},
	ToxicLimitData:       {[]string{"bytes"}, nil},
	ToxicLoss:            {[]string{"loss"}, []string{"retransmit"}},
	ToxicDown:            {},
}

// paramExamples completes "missing" messages.
var paramExamples = map[string]string{"latency": "150ms", "bandwidth": "2Mbps", "delay": "1s",
	"timeout": "5s", "average_size": "64", "bytes": "1KiB", "loss": "2%"}

// params says which toxic parameters the fault sets.
func (f Fault) params() map[string]bool {
	return map[string]bool{
		"latency": f.Latency != nil, "jitter": f.Jitter != nil, "bandwidth": f.Bandwidth != nil,
		"delay": f.Delay != nil, "timeout": f.Timeout != nil, "bytes": f.Bytes != nil,
		"average_size": f.AverageSize != nil, "size_variation": f.SizeVariation != nil,
		"loss": f.Loss != nil, "retransmit": f.Retransmit != nil,
	}
}

// resolveFaults fills the defaults of fault parameters.
func (s *Scenario) resolveFaults() {
	for i := range s.Faults {
		if f := &s.Faults[i]; f.Toxic == ToxicLoss && f.Retransmit == nil {
			f.Retransmit = &Duration{DefaultRetransmit}
		}
	}
}

// ScenarioLength is how much scenario time the fault spans, from At to the end of its
// last window.
func (f Fault) ScenarioLength(c clock.Clock) time.Duration {
	if f.Flap != nil {
		return time.Duration(f.Flap.Count-1)*f.Flap.Period.OnScenario(c) + f.Flap.DownFor.OnScenario(c)
	}
	return f.For.OnScenario(c)
}

// OnScenario is the span's length in scenario time.
func (s Span) OnScenario(c clock.Clock) time.Duration {
	if s.Scenario {
		return s.D
	}
	return c.ScenarioSpan(s.D)
}

// OnWall is the span's length in wall time.
func (s Span) OnWall(c clock.Clock) time.Duration {
	if s.Scenario {
		return c.WallSpan(s.D)
	}
	return s.D
}

func (f Fault) validate(p string, s *Scenario, clockOK bool) []problem {
	var ps []problem
	add := func(field, format string, args ...any) { ps = append(ps, problemf(p+field, format, args...)) }
	isProcess := f.Role != "" || f.Action != ""
	if isProcess && f.Action == ActionRestart {
		// A restart is instantaneous: it has no window to undo.
		if f.For.D != 0 || f.Flap != nil {
			add(".for", "a restart has no duration: leave out for and flap (use stop or kill with for to keep it down)")
		}
		f.For = Span{D: time.Nanosecond}
	}
	switch {
	case f.At.IsZero():
		add(".at", "missing: the scenario time the fault starts, e.g. +8m or 2025-07-01 08:00")
	case clockOK && (f.At.Before(s.Clock.Start.Time) || !f.At.Before(s.Clock.End.Time)):
		add(".at", "%s is outside the scenario (%s to %s)", f.At.Format(time.RFC3339),
			s.Clock.Start.Format(time.RFC3339), s.Clock.End.Format(time.RFC3339))
	}
	if f.Flap != nil {
		if f.For.D != 0 {
			add(".for", "a flap lasts count × period: leave out for")
		}
		ps = append(ps, f.Flap.validate(p+".flap")...)
	} else if f.For.D <= 0 {
		add(".for", `must be a positive duration, e.g. "5s" (wall) or "2h scenario"`)
	}
	if len(ps) == 0 && clockOK && s.Clock.Compress > 0 {
		if end := f.At.Add(f.ScenarioLength(s.Clock.Map())); end.After(s.Clock.End.Time) {
			field := ".for"
			if f.Flap != nil {
				field = ".flap"
			}
			add(field, "the fault would end at %s, after the scenario ends (%s): shorten it or start it earlier",
				end.Format(time.RFC3339), s.Clock.End.Format(time.RFC3339))
		}
	}
	if f.IsKnob() {
		return append(ps, f.validateKnob(p, s.SUT)...)
	}
	if isProcess {
		if len(f.Units) > 0 {
			ps = append(ps, f.validateUnits(p)...)
		}
		return append(ps, f.validateProcess(p)...)
	}
	if len(f.Units) > 0 {
		ps = append(ps, f.validateUnits(p)...)
	}
	if !slices.Contains(Links, f.Link) {
		add(".link", "unknown link %q (known: %s)", f.Link, strings.Join(Links, ", "))
	}
	if !slices.Contains([]string{StreamDownstream, StreamUpstream, StreamBoth}, f.Stream) {
		add(".stream", "want downstream, upstream or both, got %q", f.Stream)
	}
	want, ok := toxicParams[f.Toxic]
	if !ok {
		add(".toxic", "unknown toxic %q (known: %s)", f.Toxic, strings.Join(Toxics, ", "))
		return ps
	}
	set := f.params()
	for _, name := range want.required {
		if !set[name] {
			add("."+name, "missing: the %s toxic needs %s, e.g. %s", f.Toxic, name, paramExamples[name])
		}
	}
	for _, name := range sortedKeys(set) {
		if set[name] && !slices.Contains(want.required, name) && !slices.Contains(want.optional, name) {
			add("."+name, "the %s toxic takes no %s", f.Toxic, name)
		}
	}
	ps = append(ps, f.validateValues(p)...)
	if f.Ramp != nil {
		ps = append(ps, f.validateRamp(p+".ramp")...)
	}
	return ps
}

// validateProcess checks a fault on a role's process: a known role and action, and
// nothing of a link fault.
func (f Fault) validateProcess(p string) []problem {
	var ps []problem
	add := func(field, format string, args ...any) { ps = append(ps, problemf(p+field, format, args...)) }
	if !slices.Contains(Roles, f.Role) {
		add(".role", "unknown role %q (known: %s)", f.Role, strings.Join(Roles, ", "))
	}
	if !slices.Contains(Actions, f.Action) {
		add(".action", "unknown action %q (known: %s)", f.Action, strings.Join(Actions, ", "))
	}
	if f.Link != "" || f.Toxic != "" || f.IsKnob() {
		add("", "a fault acts on a link (link, toxic), on a role (role, action) or on a knob (knob, set): one of them, not both")
	}
	for _, name := range sortedKeys(f.params()) {
		if f.params()[name] {
			add("."+name, "a %s of a role takes no %s", f.Action, name)
		}
	}
	if f.Ramp != nil {
		add(".ramp", "a process fault cannot ramp")
	}
	return ps
}

// validateValues checks the parameters that are set.
func (f Fault) validateValues(p string) []problem {
	var ps []problem
	add := func(field, format string, args ...any) { ps = append(ps, problemf(p+field, format, args...)) }
	if f.Latency != nil && f.Latency.Duration < time.Millisecond {
		add(".latency", "must be at least 1ms, got %s", f.Latency.Duration)
	}
	if f.Bandwidth != nil {
		ps = append(ps, validateBandwidth(p+".bandwidth", *f.Bandwidth)...)
	}
	if f.Retransmit != nil && f.Retransmit.Duration < time.Millisecond {
		add(".retransmit", "must be at least 1ms, got %s", f.Retransmit.Duration)
	}
	if f.AverageSize != nil && *f.AverageSize < 1 {
		add(".average_size", "must be at least 1 byte, got %d", *f.AverageSize)
	}
	if f.SizeVariation != nil && f.AverageSize != nil && *f.SizeVariation >= *f.AverageSize {
		add(".size_variation", "must be less than average_size")
	}
	if f.Loss != nil && *f.Loss >= 1 {
		add(".loss", "must be at least 0%% and below 100%%, got %v%%", float64(*f.Loss)*100)
	}
	return ps
}

func validateBandwidth(field string, b Bandwidth) []problem {
	if b < 8000 {
		return []problem{problemf(field, "must be positive and at least 8kbps (1 KB/s, the finest toxiproxy can set), got %s", b)}
	}
	return nil
}

func (f Fault) validateRamp(p string) []problem {
	var ps []problem
	add := func(field, format string, args ...any) { ps = append(ps, problemf(p+field, format, args...)) }
	r := f.Ramp
	switch {
	case f.Flap != nil:
		add("", "a fault is a flap or a ramp, not both")
	case (r.Latency == nil) == (r.Bandwidth == nil):
		add("", "want exactly one of ramp.latency (latency toxic) or ramp.bandwidth (bandwidth toxics)")
	case r.Latency != nil && f.Toxic != ToxicLatency:
		add(".latency", "only the latency toxic ramps latency; this fault's toxic is %s", f.Toxic)
	case r.Bandwidth != nil && f.Toxic != ToxicBandwidth && f.Toxic != ToxicSharedBandwidth:
		add(".bandwidth", "only the bandwidth and shared_bandwidth toxics ramp bandwidth; this fault's toxic is %s", f.Toxic)
	case r.Bandwidth != nil:
		ps = append(ps, validateBandwidth(p+".bandwidth", *r.Bandwidth)...)
	}
	return ps
}

func (fl Flap) validate(p string) []problem {
	var ps []problem
	add := func(field, format string, args ...any) { ps = append(ps, problemf(p+field, format, args...)) }
	if fl.Period.D <= 0 {
		add(".period", `must be a positive duration, e.g. "30s" or "1h scenario"`)
	}
	if fl.DownFor.D <= 0 {
		add(".down_for", `must be a positive duration, e.g. "5s"`)
	} else if fl.Period.Scenario == fl.DownFor.Scenario && fl.DownFor.D >= fl.Period.D {
		add(".down_for", "must be shorter than the period, or the link never comes back between cycles")
	}
	return ps
}

// validateFaultNames rejects two faults of one name starting at one time: the journal
// tells fault windows apart by name and start.
func (s *Scenario) validateFaultNames() []problem {
	var ps []problem
	seen := map[string]int{}
	for i, f := range s.Faults {
		key := f.Name + "@" + f.At.String()
		if j, ok := seen[key]; ok {
			ps = append(ps, problemf(fmt.Sprintf("faults[%d].name", i), "faults[%d] has the same name %q and start: name each fault", j, f.Name))
		}
		seen[key] = i
	}
	return ps
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// FaultTarget is what a fault acts on: its link, or "role R" for a process fault. The
// scenario's faults and the journal's fault windows both name themselves through it.
func FaultTarget(link, role string) string {
	if role != "" {
		return "role " + role
	}
	return link
}

// FaultEffect is what a fault does: its toxic, or its action on a process.
func FaultEffect(toxic, action string) string {
	if action != "" {
		return action
	}
	return toxic
}

// FaultSummary says in a few words what a fault does where: "latency on
// portal->registry", "kill portal".
func FaultSummary(link, toxic, role, action string) string {
	if role != "" {
		return action + " " + role
	}
	return toxic + " on " + link
}

// Target is what the fault acts on (see FaultTarget); a knob fault's is "role <knob>",
// as the journal records it (its action is "knob").
func (f Fault) Target() string { return FaultTarget(f.Link, f.journalRole()) }

// Effect is what the fault does (see FaultEffect).
func (f Fault) Effect() string { return FaultEffect(f.Toxic, f.journalAction()) }

// Summary is the fault in a few words (see FaultSummary): "knob identity" for a knob
// fault; a fault on some units says so: "latency on client->portal (units 79)".
func (f Fault) Summary() string {
	s := FaultSummary(f.Link, f.Toxic, f.journalRole(), f.journalAction())
	if len(f.Units) > 0 {
		s += " (units " + strings.Join(f.Units, ", ") + ")"
	}
	return s
}

// ActionKnob is how the journal records a knob fault: role the knob, action "knob".
const ActionKnob = "knob"

// journalRole and journalAction are the role and action a fault is journalled with:
// a knob fault's are its knob and "knob".
func (f Fault) journalRole() string {
	if f.IsKnob() {
		return f.Knob
	}
	return f.Role
}

func (f Fault) journalAction() string {
	if f.IsKnob() {
		return ActionKnob
	}
	return f.Action
}

// JournalRole and JournalAction are what the fault engine journals a fault's window
// with (a knob fault: its knob and "knob").
func (f Fault) JournalRole() string   { return f.journalRole() }
func (f Fault) JournalAction() string { return f.journalAction() }
