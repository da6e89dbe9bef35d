package metrics

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/harness/clock"
)

func result(at time.Time, code uint16, latency time.Duration) *vegeta.Result {
	r := &vegeta.Result{Timestamp: at, Code: code, Latency: latency, BytesIn: 10, BytesOut: 5}
	if code == 0 {
		r.Error = "connection refused"
	}
	return r
}

func TestWindowJSONRoundTrip(t *testing.T) {
	w := newWindow(3, "submit", 3*time.Second, time.Date(2025, 7, 1, 8, 3, 0, 0, time.UTC))
	for i := 1; i <= 100; i++ {
		w.add(result(time.Now(), 201, time.Duration(i)*time.Millisecond), i%10 == 0)
	}
	w.add(result(time.Now(), 0, time.Second), false)
	data, err := json.Marshal(w)
	require.NoError(t, err)
	var back Window
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, w.Sent, back.Sent)
	assert.Equal(t, int64(10), back.Late)
	assert.Equal(t, map[string]int64{"201": 100, "0": 1}, back.Codes)
	assert.Equal(t, map[string]int64{"connection refused": 1}, back.Errors)
	assert.Equal(t, int64(1), back.Failed())
	assert.Equal(t, w.Percentile(95), back.Percentile(95))
	assert.InDelta(t, 96*time.Millisecond, back.Percentile(95), float64(time.Millisecond), "96th of 101 values")
	assert.True(t, w.Scenario.Equal(back.Scenario))
}

func TestMergeIsExact(t *testing.T) {
	a, b, all := newWindow(0, "a", 0, time.Time{}), newWindow(0, "b", 0, time.Time{}), newWindow(0, "x", 0, time.Time{})
	for i := 1; i <= 1000; i++ {
		r := result(time.Now(), 200, time.Duration(i*i)*time.Microsecond)
		all.add(r, false)
		if i%3 == 0 {
			a.add(r, false)
		} else {
			b.add(r, false)
		}
	}
	a.Merge(b)
	for _, q := range []float64{50, 95, 99, 99.9} {
		assert.Equal(t, all.Percentile(q), a.Percentile(q), "p%v", q)
	}
	assert.Equal(t, all.Sent, a.Sent)
}

// windowsInMemory collects what a recorder writes out.
type windowsInMemory struct{ windows []*Window }

func (m *windowsInMemory) AppendWindows(ws []*Window) error {
	m.windows = append(m.windows, ws...)
	return nil
}

func TestRecorderWritesEveryWindowOnce(t *testing.T) {
	start := time.Now()
	out := &windowsInMemory{}
	rec := NewRecorder(out, RecorderConfig{
		Start: start, Width: time.Second, Windows: 4, Classes: []string{"catalogue", "submit"},
		Clock:    clock.Clock{Start: time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC), Compress: 60},
		Intended: func(class int, from, to time.Duration) float64 { return float64(class+1) * (to - from).Seconds() },
		Grace:    500 * time.Millisecond,
	})
	rec.Add(0, result(start.Add(100*time.Millisecond), 200, time.Millisecond), false)
	rec.Add(1, result(start.Add(1500*time.Millisecond), 503, time.Millisecond), true)
	rec.Add(0, result(start.Add(9*time.Second), 200, time.Millisecond), false) // past the end: last window
	require.NoError(t, rec.Flush(start.Add(2600*time.Millisecond)))            // windows 0 and 1 are done
	assert.Len(t, out.windows, 4, "two windows × two classes written once their grace passed")
	rec.Add(0, result(start.Add(200*time.Millisecond), 200, time.Millisecond), false)
	orphans, err := rec.Close()
	require.NoError(t, err)
	assert.Equal(t, int64(1), orphans, "a response for a written window is counted, not recorded")

	require.Len(t, out.windows, 8, "4 windows × 2 classes, empty ones included")
	w := out.windows
	assert.Equal(t, int64(1), w[0].Sent)
	assert.Equal(t, int64(1), w[3].Sent)
	assert.Equal(t, int64(1), w[3].Late)
	assert.Equal(t, int64(1), w[3].Failed())
	assert.Equal(t, int64(1), w[6].Sent)
	assert.Equal(t, 2.0, w[3].Intended)
	assert.Equal(t, time.Date(2025, 7, 1, 8, 1, 0, 0, time.UTC), w[2].Scenario.UTC(), "window 1 starts one scenario minute in")
	assert.Equal(t, Totals{Sent: 4, Failed: 1, Late: 1}, rec.Totals())
}

func BenchmarkRecorderAdd(b *testing.B) {
	start := time.Now()
	rec := NewRecorder(&windowsInMemory{}, RecorderConfig{Start: start, Width: time.Second, Windows: 1000, Classes: []string{"a", "b"},
		Intended: func(int, time.Duration, time.Duration) float64 { return 0 }, Grace: time.Second})
	res := result(start, 200, 3*time.Millisecond)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res.Timestamp = start.Add(time.Duration(i%1000) * time.Millisecond)
		rec.Add(i%2, res, false)
	}
}
