package toxics

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRampIsLinearAndHolds(t *testing.T) {
	t0 := time.Now()
	r := ramp{from: 100, to: 2000, start: t0, over: 10 * time.Second}
	tests := []struct {
		at   time.Duration
		want float64
	}{
		{-time.Second, 100}, {0, 100}, {2500 * time.Millisecond, 575}, {5 * time.Second, 1050}, {10 * time.Second, 2000}, {time.Minute, 2000},
	}
	for _, tt := range tests {
		assert.InDelta(t, tt.want, r.at(t0.Add(tt.at)), 1e-9, "at %s", tt.at)
	}
	assert.Equal(t, 100.0, ramp{from: 100, to: 5, start: t0}.at(t0.Add(time.Hour)), "no span: no ramp")
}

func TestLossProbabilityGrowsWithPackets(t *testing.T) {
	a := lossAttrs{Probability: 0.1}
	tests := []struct {
		bytes int
		want  float64 // 1 − 0.9^packets
	}{
		{1, 0.1}, {1460, 0.1}, {1461, 0.19}, {14600, 1 - 0.3486784401},
	}
	for _, tt := range tests {
		lost := 0
		const n = 20_000
		for range n {
			if a.lost(tt.bytes) {
				lost++
			}
		}
		assert.InDelta(t, tt.want, float64(lost)/n, 0.015, "%d bytes", tt.bytes)
	}
	assert.False(t, lossAttrs{}.lost(1<<20), "no loss, nothing held")
}

func TestSettingsRoundTripAndKeepTheirStart(t *testing.T) {
	var tx SharedBandwidthToxic
	require.NoError(t, json.Unmarshal([]byte(`{"rate": 250, "ramp_to": 25, "ramp_ms": 1000}`), &tx))
	_, added := tx.s.get()
	out, err := json.Marshal(&tx)
	require.NoError(t, err)
	assert.JSONEq(t, `{"rate": 250, "ramp_to": 25, "ramp_ms": 1000}`, string(out))
	require.NoError(t, json.Unmarshal([]byte(`{"rate": 500}`), &tx), "an update changes only what it names")
	a, again := tx.s.get()
	assert.Equal(t, bandwidthAttrs{Rate: 500, RampTo: 25, RampMs: 1000}, a)
	assert.Equal(t, added, again, "an update does not restart the ramp")
}
