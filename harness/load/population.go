package load

import (
	"sort"

	"github.com/thongsuot/thongsuot/scenarios"
	"github.com/thongsuot/thongsuot/units"
)

// Population spreads virtual citizens and officials over the 3,321 commune-level units:
// a unit is drawn in proportion to its type's weight, and each unit has a link tier
// whose portal URL its users' requests go through.
type Population struct {
	Units []units.Unit
	Tiers []string // Tiers[i] is the link tier of Units[i]
	// Citizens is how many distinct citizen accounts journeys sign in as.
	Citizens int
	weights  []float64
	index    map[string]int       // unit code → index in Units
	cum      map[string][]float64 // per tier ("" = all): cumulative weights over Units
}

// NewPopulation lays the scenario's population settings over the unit list.
func NewPopulation(p *scenarios.Population) *Population {
	all := units.All()
	pop := &Population{Units: all, Tiers: make([]string, len(all)), weights: make([]float64, len(all)),
		cum: map[string][]float64{}, index: make(map[string]int, len(all))}
	if p == nil {
		p = &scenarios.Population{}
	}
	weights, tiers := p.Weights, p.Tiers
	if weights == nil {
		weights = scenarios.DefaultWeights
	}
	if tiers == nil {
		tiers = scenarios.DefaultUnitTiers
	}
	pop.Citizens = p.Citizens
	if pop.Citizens == 0 {
		pop.Citizens = scenarios.DefaultCitizens
	}
	for i, u := range all {
		pop.index[u.Code] = i
		pop.weights[i] = weights[string(u.Type)]
		pop.Tiers[i] = tiers[string(u.Type)]
	}
	// The remote communes are the ones with the smallest hash of their code: a fixed,
	// scattered choice that every run and every seed agrees on.
	remote := scenarios.DefaultRemoteCommunes
	if p.RemoteCommunes != nil {
		remote = *p.RemoteCommunes
	}
	var communes []int
	for i, u := range all {
		if u.Type == units.Commune {
			communes = append(communes, i)
		}
	}
	sort.Slice(communes, func(a, b int) bool { return codeHash(all[communes[a]].Code) < codeHash(all[communes[b]].Code) })
	for _, i := range communes[:min(remote, len(communes))] {
		pop.Tiers[i] = "remote"
	}
	for i, u := range all {
		if t, ok := p.Units[u.Code]; ok {
			pop.Tiers[i] = t
		}
	}
	// Every table Pick needs is built now, so that picks from many goroutines only read.
	for _, t := range append([]string{""}, scenarios.Tiers...) {
		pop.cum[t] = pop.cumulative(t)
	}
	return pop
}

func codeHash(code string) uint64 {
	h := uint64(0)
	for _, c := range []byte(code) {
		h = h*131 + uint64(c)
	}
	return splitmix64(h)
}

// cumulative returns the running sum of weights over the units of tier ("" = all).
func (p *Population) cumulative(tier string) []float64 {
	if c, ok := p.cum[tier]; ok {
		return c
	}
	c := make([]float64, len(p.Units))
	sum := 0.0
	for i, w := range p.weights {
		if tier == "" || p.Tiers[i] == tier {
			sum += w
		}
		c[i] = sum
	}
	return c
}

// Pick draws a unit (its index in Units) in proportion to the weights, among the units
// of tier ("" = all), from the random number r. It returns -1 when tier has no weight.
func (p *Population) Pick(r uint64, tier string) int {
	c := p.cumulative(tier)
	total := c[len(c)-1]
	if total <= 0 {
		return -1
	}
	x := float64(r>>11) / (1 << 53) * total
	return sort.Search(len(c), func(i int) bool { return c[i] > x })
}

// Share is the fraction of tier's traffic ("" = all) that units matching in carry.
func (p *Population) Share(tier string, in func(units.Unit) bool) float64 {
	c := p.cumulative(tier)
	total := c[len(c)-1]
	if total <= 0 {
		return 0
	}
	sum := 0.0
	for i, u := range p.Units {
		if (tier == "" || p.Tiers[i] == tier) && in(u) {
			sum += p.weights[i]
		}
	}
	return sum / total
}

// TierCounts is how many units each tier has.
func (p *Population) TierCounts() map[string]int {
	n := map[string]int{}
	for _, t := range p.Tiers {
		n[t]++
	}
	return n
}
