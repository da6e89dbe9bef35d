package load

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/scenarios"
	"github.com/thongsuot/thongsuot/units"
)

func TestPopulationTiers(t *testing.T) {
	tests := []struct {
		name string
		pop  *scenarios.Population
		want map[string]int
	}{
		{"defaults", nil, map[string]int{"urban": 687, "rural": 2621 - 365, "remote": 13 + 365}},
		{"no remote communes, one override", &scenarios.Population{RemoteCommunes: new(int), Units: map[string]string{"00004": "rural"}},
			map[string]int{"urban": 686, "rural": 2622, "remote": 13}},
		{"every type urban", &scenarios.Population{RemoteCommunes: new(int),
			Tiers: map[string]string{"ward": "urban", "commune": "urban", "special_zone": "urban"}}, map[string]int{"urban": 3321}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPopulation(tt.pop)
			require.Len(t, p.Units, 3321)
			assert.Equal(t, tt.want, p.TierCounts())
		})
	}
	p := NewPopulation(nil)
	for i, u := range p.Units {
		if u.Type == units.SpecialZone {
			assert.Equal(t, "remote", p.Tiers[i], "special zone %s is an island unit on the remote tier", u.Name)
		}
	}
	assert.Equal(t, p.Tiers, NewPopulation(nil).Tiers, "the remote communes are the same every time")
}

func TestPopulationPicksByWeight(t *testing.T) {
	p := NewPopulation(nil)
	wards, remote := 0, 0
	const draws = 200_000
	for i := uint64(0); i < draws; i++ {
		k := p.Pick(splitmix64(i), "")
		if p.Units[k].Type == units.Ward {
			wards++
		}
		r := p.Pick(splitmix64(i), "remote")
		require.Equal(t, "remote", p.Tiers[r])
		remote++
	}
	// Wards weigh 4, communes and special zones 1: 2748 of 5382.
	assert.InDelta(t, 2748.0/5382, float64(wards)/draws, 0.01)
	assert.InDelta(t, 279.0/5382, p.Share("", func(u units.Unit) bool { return u.ProvinceCode == "01" }), 1e-9, "Hanoi: 51 wards, 75 communes")
	assert.Equal(t, -1, NewPopulation(&scenarios.Population{Weights: map[string]float64{"ward": 0, "commune": 0, "special_zone": 0}}).Pick(1, ""))
}

// Areas carry their published shares: a province's share goes to its units by type
// weight less the shares its units have of their own; the rest goes to the others.
// Online and counter picks split an area by its online ratio.
func TestAreasCarryTheirShares(t *testing.T) {
	share := func(v float64) *scenarios.Percent { p := scenarios.Percent(v); return &p }
	ratio := 0.5
	p := NewPopulation(&scenarios.Population{Areas: map[string]scenarios.Area{
		"01":    {Share: share(0.10), OnlineRatio: &ratio}, // Hanoi
		"00004": {Share: share(0.02)},                      // Ba Dinh, in Hanoi
		"31078": {Share: share(0.01)},                      // Phu Quoc, An Giang not listed
	}})
	in := func(code string) func(units.Unit) bool {
		return func(u units.Unit) bool { return u.Code == code || u.ProvinceCode == code }
	}
	tests := []struct {
		name, code  string
		share, want float64 // want: the online share of the area's traffic × ratio
	}{
		{"a province", "01", 0.10, 0.5*0.08 + 0.5*0.02},
		{"a unit of it, its ratio the province's", "00004", 0.02, 0.5 * 0.02},
		{"a unit of an unlisted province", "31078", 0.01, 0.01},
	}
	for _, tt := range tests {
		s, online := p.Shares("", in(tt.code))
		assert.InDelta(t, tt.share, s, 1e-12, tt.name)
		assert.InDelta(t, tt.want, online, 1e-12, tt.name)
	}
	total, _ := p.Shares("", func(units.Unit) bool { return true })
	assert.InDelta(t, 1, total, 1e-12, "shares of the whole")
	assert.InDelta(t, 1-0.10*0.5, p.OnlineRatio, 1e-12, "the mean ratio: Hanoi's half, everyone else 1")

	// Counter picks at an online share of 0.8 land in Hanoi in proportion to
	// 0.10 × (1 − 0.8 × 0.5) against 1 − 0.8 × OnlineRatio over all.
	hanoi, n := 0, 200_000
	for k := range n {
		if i := p.PickChannel(splitmix64(uint64(k)), "", scenarios.ChannelCounter, 0.8); p.Units[i].ProvinceCode == "01" {
			hanoi++
		}
	}
	assert.InDelta(t, 0.10*(1-0.8*0.5)/(1-0.8*p.OnlineRatio), float64(hanoi)/float64(n), 0.004)
}
