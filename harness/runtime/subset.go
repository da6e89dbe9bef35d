package runtime

import (
	"slices"

	"github.com/thongsuot/thongsuot/scenarios"
)

// subsetLinks are the links of the faults that hit some units only (Options.Subsets):
// per fault and tier a link chained in front of the tier's link, which the chosen
// units' users reach the portal over (scenarios.SubsetLink).
func subsetLinks(subsets map[int][]string) []linkSpec {
	faults := make([]int, 0, len(subsets))
	for i := range subsets {
		faults = append(faults, i)
	}
	slices.Sort(faults)
	var ls []linkSpec
	for _, i := range faults {
		for _, t := range subsets[i] {
			ls = append(ls, linkSpec{name: scenarios.SubsetLink(t, i), via: scenarios.TierLink(t), client: true})
		}
	}
	return ls
}

// SubsetsOf are the tiers each fault with units needs a link on, by fault index: what
// Options.Subsets wants for a scenario's faults.
func SubsetsOf(s *scenarios.Scenario) map[int][]string {
	out := map[int][]string{}
	for i, f := range s.Subsets() {
		out[i] = f.SubsetTiers()
	}
	return out
}
