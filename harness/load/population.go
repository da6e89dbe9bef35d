package load

import (
	"sort"

	"github.com/thongsuot/thongsuot/scenarios"
	"github.com/thongsuot/thongsuot/units"
)

// Population spreads virtual citizens and officials over the 3,321 commune-level units:
// a unit is drawn in proportion to its share of the traffic — its area's published
// share (load.population.areas), else its type's weight within what the areas leave —
// and each unit has a link tier whose portal URL its users' requests go through.
type Population struct {
	Units []units.Unit
	Tiers []string // Tiers[i] is the link tier of Units[i]
	// Citizens is how many distinct citizen accounts journeys sign in as.
	Citizens int
	// OnlineRatio is the traffic-weighted mean of the units' online ratios: a channel
	// entry's national online share is the scenario's online share times it.
	OnlineRatio float64
	weights     []float64 // each unit's share of the traffic, summing to 1
	online      []float64 // weights × the unit's online ratio
	index       map[string]int
	cum         map[string][]float64 // per tier ("" = all): cumulative weights over Units
	cumOnline   map[string][]float64 // the same over online
}

// NewPopulation lays the scenario's population settings over the unit list.
func NewPopulation(p *scenarios.Population) *Population {
	all := units.All()
	pop := &Population{Units: all, Tiers: make([]string, len(all)),
		cum: map[string][]float64{}, cumOnline: map[string][]float64{}, index: make(map[string]int, len(all))}
	if p == nil {
		p = &scenarios.Population{}
	}
	tiers := p.Tiers
	if tiers == nil {
		tiers = scenarios.DefaultUnitTiers
	}
	pop.Citizens = p.Citizens
	if pop.Citizens == 0 {
		pop.Citizens = scenarios.DefaultCitizens
	}
	for i, u := range all {
		pop.index[u.Code] = i
		pop.Tiers[i] = tiers[string(u.Type)]
	}
	pop.weights, pop.online = unitShares(p, all)
	for _, w := range pop.online {
		pop.OnlineRatio += w
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
		pop.cum[t] = pop.cumulative(pop.weights, t)
		pop.cumOnline[t] = pop.cumulative(pop.online, t)
	}
	return pop
}

// unitShares is each unit's share of the traffic and that share × its online ratio.
// An area's share goes to its units by their type's weight, less the shares its units
// have of their own; what no area claims goes to the other units by type weight.
func unitShares(p *scenarios.Population, all []units.Unit) (shares, online []float64) {
	typeWeights := p.Weights
	if typeWeights == nil {
		typeWeights = scenarios.DefaultWeights
	}
	shares, online = make([]float64, len(all)), make([]float64, len(all))
	// left is each group's share not yet given to units with one of their own: "" is
	// the rest of the nation, a province code that province's, a unit code its own.
	left := map[string]float64{"": 1}
	codes := make([]string, 0, len(p.Areas))
	for code := range p.Areas {
		codes = append(codes, code)
	}
	sort.Strings(codes) // sums in one order: the same shares to the last digit every time
	for _, code := range codes {
		if a := p.Areas[code]; a.Share != nil {
			left[code] = float64(*a.Share)
		}
	}
	for _, code := range codes {
		a := p.Areas[code]
		if a.Share == nil {
			continue
		}
		province, unit, _ := scenarios.AreaKind(code)
		switch {
		case !unit:
			left[""] -= float64(*a.Share)
		case p.Areas[province].Share != nil:
			left[province] -= float64(*a.Share)
		default:
			left[""] -= float64(*a.Share)
		}
	}
	group := make([]string, len(all)) // where each unit's share comes from
	weight := map[string]float64{}    // each group's type weight over the units sharing it
	for i, u := range all {
		switch {
		case p.Areas[u.Code].Share != nil:
			group[i] = u.Code
			continue
		case p.Areas[u.ProvinceCode].Share != nil:
			group[i] = u.ProvinceCode
		}
		weight[group[i]] += typeWeights[string(u.Type)]
	}
	for i, u := range all {
		g := group[i]
		switch {
		case g == u.Code:
			shares[i] = left[g]
		case weight[g] > 0:
			shares[i] = max(left[g], 0) * typeWeights[string(u.Type)] / weight[g]
		}
		ratio := 1.0
		if r := p.Areas[u.Code].OnlineRatio; r != nil {
			ratio = *r
		} else if r := p.Areas[u.ProvinceCode].OnlineRatio; r != nil {
			ratio = *r
		}
		online[i] = shares[i] * ratio
	}
	// Shares that could not be placed (an area whose units all have their own) leave
	// the sum short of 1: scale back, so weights stay shares of the whole.
	total := 0.0
	for _, s := range shares {
		total += s
	}
	if total > 0 {
		for i := range shares {
			shares[i] /= total
			online[i] /= total
		}
	}
	return shares, online
}

func codeHash(code string) uint64 {
	h := uint64(0)
	for _, c := range []byte(code) {
		h = h*131 + uint64(c)
	}
	return splitmix64(h)
}

// cumulative returns the running sum of w over the units of tier ("" = all).
func (p *Population) cumulative(w []float64, tier string) []float64 {
	c := make([]float64, len(p.Units))
	sum := 0.0
	for i, v := range w {
		if tier == "" || p.Tiers[i] == tier {
			sum += v
		}
		c[i] = sum
	}
	return c
}

// Pick draws a unit (its index in Units) in proportion to its share of the traffic,
// among the units of tier ("" = all), from the random number r. It returns -1 when
// tier has no weight.
func (p *Population) Pick(r uint64, tier string) int {
	return search(r, p.cum[tier], nil, 0)
}

// PickChannel draws the unit of a dossier filed through channel, online being the
// scenario's online share at the time: online dossiers in proportion to share × online
// ratio, counter dossiers to share × (1 − online × ratio).
func (p *Population) PickChannel(r uint64, tier, channel string, online float64) int {
	switch channel {
	case scenarios.ChannelOnline:
		return search(r, p.cumOnline[tier], nil, 0)
	case scenarios.ChannelCounter:
		return search(r, p.cum[tier], p.cumOnline[tier], online)
	}
	return p.Pick(r, tier)
}

// search finds the unit whose slice of a − k·b (both cumulative, b optional) holds
// the random number r. a − k·b is cumulative too, as each unit's term is at least 0.
func search(r uint64, a, b []float64, k float64) int {
	at := func(i int) float64 {
		if b == nil {
			return a[i]
		}
		return a[i] - k*b[i]
	}
	total := at(len(a) - 1)
	if total <= 0 {
		return -1
	}
	x := float64(r>>11) / (1 << 53) * total
	return sort.Search(len(a), func(i int) bool { return at(i) > x })
}

// Share is the fraction of tier's traffic ("" = all) that units matching in carry.
func (p *Population) Share(tier string, in func(units.Unit) bool) float64 {
	s, _ := p.Shares(tier, in)
	return s
}

// Shares are the fractions of tier's traffic ("" = all), and of its traffic × online
// ratio, that units matching in carry.
func (p *Population) Shares(tier string, in func(units.Unit) bool) (share, online float64) {
	c := p.cum[tier]
	total := c[len(c)-1]
	if total <= 0 {
		return 0, 0
	}
	for i, u := range p.Units {
		if (tier == "" || p.Tiers[i] == tier) && in(u) {
			share += p.weights[i]
			online += p.online[i]
		}
	}
	return share / total, online / total
}

// TierCounts is how many units each tier has.
func (p *Population) TierCounts() map[string]int {
	n := map[string]int{}
	for _, t := range p.Tiers {
		n[t]++
	}
	return n
}
