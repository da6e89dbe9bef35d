package metrics

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What a progress line reads while the run goes on: recent latencies.

func TestIntervalLatencyCoversOnlyTheLastInterval(t *testing.T) {
	start := time.Now()
	rec := NewRecorder(&windowsInMemory{}, RecorderConfig{Start: start, Width: time.Second, Windows: 2, Classes: []string{"a"},
		Planned: func(int, time.Duration, time.Duration) float64 { return 0 }, Grace: time.Second})
	for i := 0; i < 100; i++ {
		rec.Sent(0, result(start, 200, 100*time.Millisecond), start)
	}
	first := rec.IntervalLatency()
	assert.Equal(t, int64(100), first.TotalCount())
	assert.InDelta(t, 100_000, first.ValueAtQuantile(95), 100, "µs")

	rec.Sent(0, result(start, 200, 2*time.Millisecond), start)
	second := rec.IntervalLatency()
	assert.Equal(t, int64(1), second.TotalCount(), "the first interval's latencies are gone")
	assert.InDelta(t, 2000, second.ValueAtQuantile(95), 10)
	assert.Zero(t, rec.IntervalLatency().TotalCount())
	assert.Equal(t, int64(101), rec.Totals().Sent, "running totals are not reset")
	_, err := rec.Close(start)
	require.NoError(t, err)
}
