package harness

import (
	"net/url"

	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/harness/runtime"
	"github.com/thongsuot/thongsuot/scenarios"
)

// unitRoutes sends the users of the units a fault hits (scenarios.Fault.Units) over
// that fault's links, which the runtime brought up for it: each a tier's URL with the
// subset link's address, standing for the same host as the tier's link.
func unitRoutes(s *scenarios.Scenario, plan *load.Plan, stack *runtime.Stack, ep *load.Endpoints) {
	subsets := s.Subsets()
	if len(subsets) == 0 || plan.Population == nil {
		return
	}
	links := map[string]string{}
	for i, f := range subsets {
		for _, t := range f.SubsetTiers() {
			name := scenarios.SubsetLink(t, i)
			u, err := url.Parse(stack.Tiers[t])
			if err != nil || stack.Links[name] == "" {
				continue
			}
			if host, ok := ep.Reach.Names[u.Host]; ok {
				ep.Reach.Names[stack.Links[name]] = host
			}
			u.Host = stack.Links[name]
			links[name] = u.String()
		}
	}
	ep.Units = load.UnitRoutes(plan.Population, subsets, links)
}
