package metrics

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
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
		w.add(result(time.Now(), 201, time.Duration(i)*time.Millisecond), i%10 == 0, "", "")
	}
	w.add(result(time.Now(), 0, time.Second), false, "", "")
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
		all.add(r, false, "urban", "01")
		if i%3 == 0 {
			a.add(r, false, "urban", "01")
		} else {
			b.add(r, false, "urban", "01")
		}
	}
	a.Merge(b)
	for _, q := range []float64{50, 95, 99, 99.9} {
		assert.Equal(t, all.Percentile(q), a.Percentile(q), "p%v", q)
	}
	assert.Equal(t, all.Sent, a.Sent)
	assert.Equal(t, all.TierBytes, a.TierBytes, "tier bytes add up as the totals do")
	assert.Equal(t, all.BytesIn, a.TierBytes["urban"].In)
	assert.Equal(t, all.ProvinceBytes, a.ProvinceBytes, "and so do the provinces'")
	assert.Equal(t, all.BytesOut, a.ProvinceBytes["01"].Out)
}

// windowsInMemory collects what a recorder writes out.
type windowsInMemory struct{ windows []*Window }

func (m *windowsInMemory) AppendWindows(ws []*Window) error {
	m.windows = append(m.windows, ws...)
	return nil
}

func TestRecorderPlacesRequestsByDueTime(t *testing.T) {
	start := time.Now()
	out := &windowsInMemory{}
	rec := NewRecorder(out, RecorderConfig{
		Start: start, Width: time.Second, Windows: 4, Classes: []string{"catalogue", "submit"},
		Clock:     clock.Clock{Start: time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC), Compress: 60},
		Planned:   func(class int, from, to time.Duration) float64 { return float64(class+1) * (to - from).Seconds() },
		LateAfter: 50 * time.Millisecond,
		Grace:     500 * time.Millisecond,
	})
	at := func(d time.Duration) time.Time { return start.Add(d) }
	rec.Sent(0, result(at(100*time.Millisecond), 200, time.Millisecond), at(100*time.Millisecond))
	rec.Sent(1, result(at(1500*time.Millisecond), 503, time.Millisecond), at(1400*time.Millisecond)) // 100 ms behind: late
	rec.Sent(1, result(at(2100*time.Millisecond), 201, time.Millisecond), at(1950*time.Millisecond)) // due in window 1
	rec.Dropped(1, at(2200*time.Millisecond))
	rec.Sent(0, result(at(9*time.Second), 200, time.Millisecond), at(9*time.Second)) // past the end: last window
	require.NoError(t, rec.Flush(at(2600*time.Millisecond)))                         // windows 0 and 1 are done
	assert.Len(t, out.windows, 4, "two windows × two classes written once they ended")
	rec.Sent(0, result(at(2700*time.Millisecond), 200, time.Millisecond), at(200*time.Millisecond)) // window 0, already written
	reopened, err := rec.Close(at(5 * time.Second))
	require.NoError(t, err)
	assert.Equal(t, int64(1), reopened, "window 0 got a response after it was written")

	require.Len(t, out.windows, 10, "4 windows × 2 classes, empty ones included, and window 0 again for its addition")
	w := out.windows
	assert.Equal(t, int64(1), w[0].Sent)
	assert.Equal(t, int64(2), w[3].Sent, "both submits due in window 1")
	assert.Equal(t, int64(2), w[3].Late, "100 ms and 150 ms behind")
	assert.Equal(t, int64(1), w[3].Failed())
	assert.Equal(t, int64(1), w[3].Answered())
	assert.Equal(t, int64(1), w[3].Latency.TotalCount(), "the 503 is not a latency sample")
	assert.Equal(t, 2.0, w[3].Planned)
	assert.Equal(t, time.Date(2025, 7, 1, 8, 1, 0, 0, time.UTC), w[2].Scenario.UTC(), "window 1 starts one scenario minute in")
	var addition, dropped *Window
	for _, x := range w[4:] {
		switch {
		case x.Index == 0 && x.Class == "catalogue":
			addition = x
		case x.Index == 2 && x.Class == "submit":
			dropped = x
		}
	}
	require.NotNil(t, addition)
	assert.Equal(t, int64(1), addition.Sent, "the addition holds only what came late")
	assert.Zero(t, addition.Planned, "the plan counts once")
	require.NotNil(t, dropped)
	assert.Equal(t, int64(1), dropped.Dropped)
	assert.Equal(t, int64(1), dropped.Due())
	assert.Equal(t, int64(1), w[6].Sent, "the send past the end is in the last window")
	assert.Equal(t, Totals{Sent: 5, Failed: 1, Late: 3, Dropped: 1}, rec.Totals())
}

// A window is on disk as soon as it ends, not after its grace: a run killed then loses at
// most a flush interval. Answers within the grace are additions, not reopenings.
func TestRecorderWritesAWindowWhenItEnds(t *testing.T) {
	start := time.Now()
	out := &windowsInMemory{}
	rec := NewRecorder(out, RecorderConfig{Start: start, Width: time.Second, Windows: 4, Classes: []string{"a"},
		Planned: func(int, time.Duration, time.Duration) float64 { return 1 }, Grace: 10 * time.Second})
	at := func(d time.Duration) time.Time { return start.Add(d) }
	rec.Sent(0, result(at(900*time.Millisecond), 200, 50*time.Millisecond), at(900*time.Millisecond))
	require.NoError(t, rec.Flush(at(1100*time.Millisecond)))
	require.Len(t, out.windows, 1, "window 0 ended at 1 s: written at the first flush after, its 10 s grace notwithstanding")
	assert.Equal(t, int64(1), out.windows[0].Sent)
	rec.Sent(0, result(at(950*time.Millisecond), 200, 2*time.Second), at(950*time.Millisecond)) // answered at 2.95 s
	require.NoError(t, rec.Flush(at(3*time.Second)))
	require.Len(t, out.windows, 4, "windows 1 and 2, and window 0's addition")
	reopened, err := rec.Close(at(4 * time.Second))
	require.NoError(t, err)
	assert.Zero(t, reopened, "answered within the grace: an addition, not a reopening")
}

// A run cut short writes the windows it reached, not the whole run's.
func TestRecorderStoppedEarlyWritesWhatRan(t *testing.T) {
	start := time.Now()
	out := &windowsInMemory{}
	rec := NewRecorder(out, RecorderConfig{Start: start, Width: time.Second, Windows: 20, Classes: []string{"a"},
		Planned: func(int, time.Duration, time.Duration) float64 { return 1 }, Grace: time.Second})
	rec.Sent(0, result(start.Add(5500*time.Millisecond), 200, time.Millisecond), start.Add(5500*time.Millisecond))
	_, err := rec.Close(start.Add(6200 * time.Millisecond))
	require.NoError(t, err)
	assert.Len(t, out.windows, 7, "windows 0–6: the one the run stopped in is the last")
}

func BenchmarkRecorderAdd(b *testing.B) {
	start := time.Now()
	rec := NewRecorder(&windowsInMemory{}, RecorderConfig{Start: start, Width: time.Second, Windows: 1000, Classes: []string{"a", "b"},
		Planned: func(int, time.Duration, time.Duration) float64 { return 0 }, Grace: time.Second})
	res := result(start, 200, 3*time.Millisecond)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res.Timestamp = start.Add(time.Duration(i%1000) * time.Millisecond)
		rec.Sent(i%2, res, res.Timestamp)
	}
}

// An empty window's histogram is written from the encoding made once, and reads back
// as an empty histogram of the journal's geometry, like any other.
func TestEmptyWindowEncodesOnce(t *testing.T) {
	fresh, err := NewHistogram().Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	require.NoError(t, err)
	cached, err := emptyEncoding()
	require.NoError(t, err)
	assert.Equal(t, fresh, cached)
	w := newWindow(3, "a", time.Second, time.Time{})
	data, err := json.Marshal(w)
	require.NoError(t, err)
	var back Window
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, int64(0), back.Latency.TotalCount())
	back.Latency.RecordValue(5)
	assert.Equal(t, int64(1), back.Latency.TotalCount())
}

// provincesInMemory is windowsInMemory that also keeps the provinces' windows.
type provincesInMemory struct {
	windowsInMemory
	provinces []*ProvinceWindow
}

func (m *provincesInMemory) AppendProvinceWindows(ps []*ProvinceWindow) error {
	m.provinces = append(m.provinces, ps...)
	return nil
}

// Each province's requests are counted over every class together, per window: sent,
// unanswered and the answered latencies; a late answer is an addition, as for classes;
// a request that names no province counts for none. The windows read back from JSON
// and sum over the run.
func TestRecorderCountsEachProvince(t *testing.T) {
	start := time.Now()
	out := &provincesInMemory{}
	rec := NewRecorder(out, RecorderConfig{Start: start, Width: time.Second, Windows: 2, Classes: []string{"a", "b"},
		Planned: func(int, time.Duration, time.Duration) float64 { return 0 }, Grace: time.Second,
		ProvinceOf: func(res *vegeta.Result) string { return res.Headers.Get("Province") }})
	at := func(d time.Duration) time.Time { return start.Add(d) }
	send := func(class int, due time.Duration, province string, code uint16, latency time.Duration) {
		res := result(at(due), code, latency)
		res.Headers = map[string][]string{"Province": {province}}
		rec.Sent(class, res, at(due))
	}
	for i := range 100 {
		send(i%2, time.Duration(i)*time.Millisecond, "01", 200, time.Duration(i+1)*time.Millisecond) // both classes: one province window
	}
	send(0, 10*time.Millisecond, "79", 503, time.Millisecond)
	send(1, 20*time.Millisecond, "79", 200, 300*time.Millisecond)
	send(0, 30*time.Millisecond, "", 200, time.Millisecond)
	send(0, 1500*time.Millisecond, "79", 0, time.Second)
	require.NoError(t, rec.Flush(at(1100*time.Millisecond)))
	send(1, 900*time.Millisecond, "01", 200, 2*time.Second) // window 0 again, already written
	_, err := rec.Close(at(2 * time.Second))
	require.NoError(t, err)

	tests := []struct {
		index            int
		province         string
		sent, failed     int64
		p95              time.Duration
		availability     float64
		asWritten, total bool // the first line written, or the window summed with its addition
	}{
		{0, "01", 100, 0, 95 * time.Millisecond, 100, true, false},
		{0, "79", 2, 1, 300 * time.Millisecond, 50, true, false},
		{1, "79", 1, 1, 0, 0, true, false},
		{0, "01", 101, 0, 96 * time.Millisecond, 100, false, true},
	}
	byKey := map[string]*ProvinceWindow{}
	for _, p := range out.provinces {
		data, err := json.Marshal(p)
		require.NoError(t, err)
		var back ProvinceWindow
		require.NoError(t, json.Unmarshal(data, &back), "%s", data)
		k := fmt.Sprint(back.Index, back.Province)
		if first, ok := byKey[k]; ok {
			first.Merge(&back)
			continue
		}
		byKey[k] = &back
	}
	assert.Len(t, out.provinces, 4, "window 0: 01 and 79; window 1: 79; window 0's addition for 01")
	for _, tt := range tests {
		if !tt.total {
			continue
		}
		p := byKey[fmt.Sprint(tt.index, tt.province)]
		require.NotNil(t, p)
		assert.Equal(t, tt.sent, p.Sent, "window %d %s with its addition", tt.index, tt.province)
		assert.InDelta(t, tt.p95, p.Percentile(95), float64(tt.p95)/50, "two significant digits")
	}
	for _, tt := range tests {
		if !tt.asWritten {
			continue
		}
		var p *ProvinceWindow
		for _, x := range out.provinces {
			if x.Index == tt.index && x.Province == tt.province {
				p = x
				break
			}
		}
		require.NotNil(t, p, "window %d %s", tt.index, tt.province)
		assert.Equal(t, tt.sent, p.Sent, "window %d %s", tt.index, tt.province)
		assert.Equal(t, tt.failed, p.Failed, "window %d %s", tt.index, tt.province)
		assert.InDelta(t, tt.p95, p.Percentile(95), float64(tt.p95)/50, "window %d %s: answered latencies only", tt.index, tt.province)
		assert.InDelta(t, tt.availability, p.Availability(), 1e-9)
	}
	run := SumProvinces(out.provinces)
	require.Len(t, run, 2, "no province for the request that named none")
	assert.Equal(t, int64(104), run["79"].Sent+run["01"].Sent)
	assert.Equal(t, int64(2), run["79"].Failed)
}
