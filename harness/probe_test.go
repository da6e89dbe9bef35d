package harness

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/scenarios"
)

func TestProbeScenarioPutsTheLoadOnOneSharedLink(t *testing.T) {
	s, err := scenarios.Open("bandwidth-sizing")
	require.NoError(t, err)
	tests := []struct {
		name  string
		mbps  float64
		units int
		want  scenarios.Bandwidth
	}{
		{"capped", 2.5, 1, 2.5e6},
		{"uncapped", 0, 1, 0},
		{"twenty offices", 40, 20, 40e6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ProbeScenario(s, "remote", tt.mbps, tt.units)
			require.NoError(t, err)
			remote := p.Tiers["remote"]
			assert.Equal(t, tt.want, remote.LinkBandwidth(), "the link's cap is the probed bandwidth, whatever the units")
			assert.Zero(t, *remote.Bandwidth, "no cap per connection")
			assert.Equal(t, s.Tiers["remote"].Latency, remote.Latency, "the tier's latency stays")
			for _, m := range p.Mix {
				assert.Equal(t, "remote", m.Tier, "every entry over the tier")
			}
			assert.Equal(t, s.Load.Scale*float64(tt.units), p.Load.Scale)
			assert.Empty(t, s.Mix[0].Tier, "the scenario itself is left alone")
		})
	}
}
