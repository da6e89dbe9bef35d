package scenarios

import (
	"slices"
	"strings"

	"github.com/thongsuot/thongsuot/units"
)

// A knob fault turns a stub's knobs for a window: the identity provider's, one
// registry's, or one provincial case-handling system's (stubs/knobs). Overload can then
// come from capacity — a server that serves fewer requests at once than arrive — and
// not only from the network. The knob is set when the window opens and put back as it
// was when it closes.
//
//	- name: VNeID at capacity
//	  at: 2025-06-30 08:00
//	  for: 2h scenario
//	  knob: identity
//	  set: {capacity: 8, queue_limit: 16, error_rate: 2%}

// KnobSet is what a knob fault changes; fields left out keep their value.
type KnobSet struct {
	LatencyMedian *Duration `yaml:"latency_median,omitempty"` // service time, median
	LatencyP99    *Duration `yaml:"latency_p99,omitempty"`    // service time, 99th percentile (log-normal between)
	Capacity      *int      `yaml:"capacity,omitempty" range:"[0,100000]"`
	QueueLimit    *int      `yaml:"queue_limit,omitempty" range:"[0,1000000]"`
	ErrorRate     *Percent  `yaml:"error_rate,omitempty"`  // answered 500 after the service time
	Down          *bool     `yaml:"down,omitempty"`        // 503 at once
	Hang          *bool     `yaml:"hang,omitempty"`        // never answers
	Maintenance   *bool     `yaml:"maintenance,omitempty"` // 503 with Retry-After and a maintenance notice
}

// Fields are the knob settings the set changes, by their name on the stubs' admin API
// (GET /admin/v1/knobs), with JSON values.
func (k KnobSet) Fields() map[string]any {
	out := map[string]any{}
	if k.LatencyMedian != nil {
		out["latency_median"] = k.LatencyMedian.Duration.String()
	}
	if k.LatencyP99 != nil {
		out["latency_p99"] = k.LatencyP99.Duration.String()
	}
	if k.Capacity != nil {
		out["capacity"] = *k.Capacity
	}
	if k.QueueLimit != nil {
		out["queue_limit"] = *k.QueueLimit
	}
	if k.ErrorRate != nil {
		out["error_rate"] = float64(*k.ErrorRate)
	}
	if k.Down != nil {
		out["down"] = *k.Down
	}
	if k.Hang != nil {
		out["hang"] = *k.Hang
	}
	if k.Maintenance != nil {
		out["maintenance"] = *k.Maintenance
	}
	return out
}

// Knob targets: the identity provider's knob, a registry's, a provincial system's.
const (
	KnobIdentity = "identity"
	knobRegistry = "registry."
	knobProvince = "province."
)

// KnobTargets lists every knob a fault can turn: identity, registry.<name> per
// registry, province.<code> per province.
func KnobTargets() []string {
	out := []string{KnobIdentity}
	for _, r := range Registries {
		out = append(out, knobRegistry+r)
	}
	for _, p := range units.Provinces() {
		out = append(out, knobProvince+p.Code)
	}
	return out
}

// KnobRole splits a knob target into the role serving it (identity, registry,
// province) and the knob's name on that role's admin API.
func KnobRole(target string) (role, knob string) {
	if r, name, ok := strings.Cut(target, "."); ok {
		return r, name
	}
	return target, target
}

// IsKnob says whether the fault turns a knob.
func (f Fault) IsKnob() bool { return f.Knob != "" || f.Set != nil }

// knobSUTProblem says why the knob target has no reference stub to turn in sut ("" when
// it has one): knobs are the reference stubs' own.
func knobSUTProblem(target string, sut SUT) string {
	role, name := KnobRole(target)
	switch {
	case role == KnobIdentity && sut.Identity.Source() != SourceReference:
		return "the identity role is " + sut.Identity.Source() + ": only the reference stubs have knobs"
	case role == "registry":
		if r, ok := sut.Registries[name]; ok && r.Source() != SourceReference {
			return "registry " + name + " is " + r.Source() + ": only the reference stubs have knobs"
		}
	}
	if role != KnobIdentity && sut.Portal.Source() == SourceURL {
		return "the portal is already running: its registries and provincial systems are its own, with no knobs to turn"
	}
	return ""
}

// validateKnob checks a knob fault: a known knob of a reference stub, something to set,
// nothing of a link or a process fault.
func (f Fault) validateKnob(p string, sut SUT) []problem {
	var ps []problem
	add := func(field, format string, args ...any) { ps = append(ps, problemf(p+field, format, args...)) }
	switch {
	case f.Knob == "":
		add(".knob", "missing: which knob to turn (identity, registry.<name>, province.<code>)")
	case !slices.Contains(KnobTargets(), f.Knob):
		add(".knob", "unknown knob %q (known: identity, registry.<name> for %s, province.<code> for the 34 province codes)",
			f.Knob, strings.Join(Registries, ", "))
	default:
		if why := knobSUTProblem(f.Knob, sut); why != "" {
			add(".knob", "%s", why)
		}
	}
	if f.Set == nil || len(f.Set.Fields()) == 0 {
		add(".set", "missing: what to set, e.g. {capacity: 8, queue_limit: 16, error_rate: 2%%}")
	}
	if f.Link != "" || f.Toxic != "" || f.Role != "" || f.Action != "" {
		add("", "a knob fault turns a knob (knob, set): leave out link, toxic, role and action")
	}
	for _, name := range sortedKeys(f.params()) {
		if f.params()[name] {
			add("."+name, "a knob fault takes no %s: write it under set", name)
		}
	}
	if f.Ramp != nil {
		add(".ramp", "a knob fault cannot ramp")
	}
	if f.Units != nil {
		add(".units", "a knob fault acts on a server, not on units: use units on a link fault")
	}
	if s := f.Set; s != nil {
		if s.LatencyMedian != nil && s.LatencyMedian.Duration < 0 || s.LatencyP99 != nil && s.LatencyP99.Duration < 0 {
			add(".set", "latencies must not be negative")
		}
	}
	return ps
}
