package load

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/scenarios"
)

// What a plan moves is its rates × the sizes, every byte placed in one tier and one
// province: the tiers and the provinces add up to the same total.
func TestTrafficAtAddsUp(t *testing.T) {
	s, err := scenarios.Open("smoke")
	require.NoError(t, err)
	plan, err := NewPlan(s)
	require.NoError(t, err)
	at := plan.Clock.End.Add(-plan.Clock.End.Sub(plan.Clock.Start) / 4) // after the ramp: the full baseline
	sizes := map[string]WireSize{"catalogue": {In: 1000, Out: 200}, "status": {In: 500, Out: 300}, "login": {In: 700, Out: 250}}
	tiers, provinces, missing := plan.TrafficAt(at, sizes)
	assert.Equal(t, []string{"submit"}, missing, "a class without a size is named")
	sum := func(m map[string]Traffic) (up, down float64) {
		for _, tr := range m {
			up, down = up+tr.Up, down+tr.Down
		}
		return
	}
	tu, td := sum(tiers)
	pu, pd := sum(provinces)
	assert.InDelta(t, tu, pu, 1e-6*tu)
	assert.InDelta(t, td, pd, 1e-6*td)
	assert.Len(t, provinces, 34)
	// 300/s at weights 50:20:15 of 100 (submit left out): 150 catalogue, 60 status, 45 login.
	assert.InEpsilon(t, 150*1000+60*500+45*700, td, 0.02)
	assert.InEpsilon(t, 150*200+60*300+45*250, tu, 0.02)
	for _, tier := range scenarios.Tiers {
		assert.Positive(t, tiers[tier].Down, tier)
	}
}
