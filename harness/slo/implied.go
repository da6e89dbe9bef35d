package slo

import "github.com/thongsuot/thongsuot/scenarios"

// DefaultImpliedAvailability is the share of a class's requests that must be answered
// beside its latency objective when the scenario names no availability target.
const DefaultImpliedAvailability = scenarios.Percent(0.99)

// implied is an objective judged beside the scenario's own, and the one that brought it.
type implied struct {
	scenarios.Objective
	by string
}

// withImplied adds, for every latency objective, an availability objective for the same
// class — latency judges answered requests only, so a class that answers 503 fast must
// fail on availability — unless the scenario judges that class's availability itself or
// the latency objective says availability: 0%. The target is the latency objective's
// availability, else the scenario's availability target for all classes, else 99%.
func withImplied(objs []scenarios.Objective) []implied {
	out := make([]implied, 0, len(objs))
	target := DefaultImpliedAvailability
	judged := map[string]bool{} // classes with an availability objective of their own
	names := map[string]bool{}
	for _, o := range objs {
		out = append(out, implied{Objective: o})
		names[o.Name] = true
		if o.Kind == scenarios.KindAvailability {
			judged[o.Class] = true
			if o.Class == "" && o.Target != nil {
				target = *o.Target
			}
		}
	}
	for _, o := range objs {
		if o.Kind != scenarios.KindLatency || judged[o.Class] {
			continue
		}
		t := target
		if o.Availability != nil {
			t = *o.Availability
		}
		if t == 0 {
			continue
		}
		judged[o.Class] = true
		name := "available"
		if o.Class != "" {
			name = o.Class + " available"
		}
		for names[name] {
			name += " (implied)"
		}
		names[name] = true
		out = append(out, implied{by: o.Name, Objective: scenarios.Objective{Name: name, Kind: scenarios.KindAvailability,
			Class: o.Class, Target: &t, OutsideFaults: o.OutsideFaults, Window: o.Window}})
	}
	return out
}
