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
