package load

import "github.com/thongsuot/thongsuot/scenarios"

// unitPortal is the portal's base URL for the users of unit i of pop: over the link of
// the fault whose units include it (Endpoints.Units), else over its tier's link.
func (ep Endpoints) unitPortal(pop *Population, i int) (string, bool) {
	if u, ok := ep.Units[pop.Units[i].Code]; ok {
		return u, true
	}
	u, ok := ep.Tiers[pop.Tiers[i]]
	return u, ok
}

// UnitRoutes gives, for each unit in the units of a fault that hits some units only,
// the portal's base URL over that fault's link for the unit's tier: links gives each
// link's base URL (scenarios.SubsetLink names them). It is Endpoints.Units.
func UnitRoutes(pop *Population, subsets map[int]scenarios.Fault, links map[string]string) map[string]string {
	out := map[string]string{}
	for i, f := range subsets {
		for k, u := range pop.Units {
			if !scenarios.InUnits(f.Units, u.Code, u.ProvinceCode) {
				continue
			}
			if base, ok := links[scenarios.SubsetLink(pop.Tiers[k], i)]; ok {
				out[u.Code] = base
			}
		}
	}
	return out
}
