package scenarios

import (
	"fmt"
	"slices"
	"strings"
)

// A fault on a client link can hit some units only (calibration F27: "network problems
// at some units"): `units` lists provinces ("79") and commune-level units ("26734"), and
// only the users of those units reach the portal through the fault. A tier is its own
// link (remote->portal); a fault on a tier link with units hits those units of the tier.
//
//	- name: network problems at units (F27)
//	  at: 2025-07-11 09:00
//	  for: 2h scenario
//	  link: client->portal
//	  units: ["79"]
//	  toxic: latency
//	  latency: 400ms
//
// The runtime gives each such fault a link of its own per tier, chained in front of the
// tier's link (SubsetLink), and the load sends the chosen units' users over it.

// SubsetLink names the link that fault number fault's units of tier reach the portal
// over: in front of the tier's link, so the tier's standing conditions apply too.
func SubsetLink(tier string, fault int) string {
	return fmt.Sprintf("%s.units%d", TierLink(tier), fault)
}

// SubsetTiers are the tiers whose users a fault with units can reach: the tier of its
// link, or every tier for client->portal.
func (f Fault) SubsetTiers() []string {
	for _, t := range Tiers {
		if f.Link == TierLink(t) {
			return []string{t}
		}
	}
	return Tiers
}

// Subsets are the faults with units, by their index in the scenario's faults.
func (s *Scenario) Subsets() map[int]Fault {
	out := map[int]Fault{}
	for i, f := range s.Faults {
		if len(f.Units) > 0 {
			out[i] = f
		}
	}
	return out
}

// InUnits says whether the unit (code, province) is one of units' areas.
func InUnits(units []string, code, province string) bool {
	return slices.Contains(units, code) || slices.Contains(units, province)
}

// validateUnits checks a fault's units: on a client link to the portal, known codes,
// none twice.
func (f Fault) validateUnits(p string) []problem {
	var ps []problem
	add := func(field, format string, args ...any) { ps = append(ps, problemf(p+field, format, args...)) }
	if f.IsKnob() || f.Role != "" {
		add(".units", "only a fault on a link to the portal can hit some units")
		return ps
	}
	onClient := f.Link == "client->portal"
	for _, t := range Tiers {
		onClient = onClient || f.Link == TierLink(t)
	}
	if !onClient {
		add(".units", "units reach the portal over client->portal and the tier links (%s); %q carries no unit's traffic of its own",
			strings.Join(tierLinks(), ", "), f.Link)
	}
	seen := map[string]bool{}
	for k, code := range f.Units {
		if _, _, ok := AreaKind(code); !ok {
			add(fmt.Sprintf(".units[%d]", k), "no province (two digits) or commune-level unit (five digits) has code %q (see units/)", code)
		}
		if seen[code] {
			add(fmt.Sprintf(".units[%d]", k), "%q is listed twice", code)
		}
		seen[code] = true
	}
	return ps
}

// validateSubsets rejects two faults whose units overlap: each unit reaches the portal
// over one link, so it can be in the units of one fault only.
func (s *Scenario) validateSubsets() []problem {
	var ps []problem
	overlap := func(a, b string) bool {
		pa, ua, oka := AreaKind(a)
		pb, ub, okb := AreaKind(b)
		return oka && okb && (a == b || ua && !ub && pa == b || ub && !ua && pb == a)
	}
	for j, g := range s.Faults {
		for k, b := range g.Units {
		earlier:
			for i, f := range s.Faults[:j] {
				for _, a := range f.Units {
					if overlap(a, b) {
						ps = append(ps, problemf(fmt.Sprintf("faults[%d].units[%d]", j, k),
							"%q overlaps the units of faults[%d] (%q): a unit can be in the units of one fault only", b, i, a))
						break earlier
					}
				}
			}
		}
	}
	return ps
}

func tierLinks() []string {
	out := make([]string, len(Tiers))
	for i, t := range Tiers {
		out[i] = TierLink(t)
	}
	return out
}
