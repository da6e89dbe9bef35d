package slo

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/scenarios"
)

// window builds a journal window of n responses with one code and one latency.
func window(idx int, class string, n int, code uint16, latency time.Duration) *metrics.Window {
	w := &metrics.Window{Index: idx, Class: class, Codes: map[string]int64{}, Latency: metrics.NewHistogram()}
	w.Sent = int64(n)
	w.Codes[strconv.Itoa(int(code))] = int64(n)
	_ = w.Latency.RecordValues(latency.Microseconds(), int64(n))
	return w
}

func pct(v float64) *scenarios.Percent { p := scenarios.Percent(v); return &p }
func dur(d time.Duration) *scenarios.Duration {
	return &scenarios.Duration{Duration: d}
}

func TestEvaluate(t *testing.T) {
	ended := time.Now()
	windows := []*metrics.Window{
		window(0, "catalogue", 100, 200, 10*time.Millisecond),
		window(0, "submit", 20, 200, 100*time.Millisecond),
		window(1, "catalogue", 100, 200, 12*time.Millisecond),
		window(1, "submit", 20, 503, 400*time.Millisecond), // the bad window
		window(2, "catalogue", 100, 404, 11*time.Millisecond),
		window(2, "submit", 3, 0, time.Second), // too few to judge
	}
	rec := &journal.Record{Run: journal.RunInfo{Ended: &ended}, Windows: windows}
	tests := []struct {
		name      string
		obj       scenarios.Objective
		met       bool
		failed    []int
		skipped   int
		worst     float64
		overall   float64
		objective string
	}{
		{"availability over all classes fails in window 1", scenarios.Objective{Kind: "availability", Target: pct(0.9)},
			false, []int{1}, 0, 100 * 100.0 / 120, 100 * (343 - 23) / 343.0, "availability ≥ 90%"},
		{"4xx are answers, not unavailability", scenarios.Objective{Kind: "availability", Class: "catalogue", Target: pct(0.999)},
			true, nil, 0, 100, 100, "availability ≥ 99.9%"},
		{"submit p95 fails where it was slow", scenarios.Objective{Kind: "latency", Class: "submit", Percentile: 95, Max: dur(250 * time.Millisecond)},
			false, []int{1}, 1, 400, 1000, "p95 ≤ 250ms"}, // overall counts the unjudged window too,
		{"catalogue p99 holds", scenarios.Objective{Kind: "latency", Class: "catalogue", Percentile: 99, Max: dur(50 * time.Millisecond)},
			true, nil, 0, 12, 12, "p99 ≤ 50ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.obj.Name = tt.name
			v := Evaluate(scenarios.SLOs{MinRequests: 10, Objectives: []scenarios.Objective{tt.obj}}, rec)
			require.Len(t, v.Objectives, 1)
			o := v.Objectives[0]
			assert.Equal(t, tt.met, o.Met)
			assert.Equal(t, tt.met, v.Pass)
			var failed []int
			for _, p := range o.Failed {
				failed = append(failed, p.Index)
			}
			assert.Equal(t, tt.failed, failed)
			assert.Equal(t, tt.skipped, o.Skipped)
			require.NotNil(t, o.Worst)
			assert.InDelta(t, tt.worst, o.Worst.Value, tt.worst*0.01)
			assert.InDelta(t, tt.overall, o.Overall, tt.overall*0.01)
			assert.Equal(t, tt.objective, o.Objective)
		})
	}
}

func TestIncompleteRunDoesNotPass(t *testing.T) {
	rec := &journal.Record{Windows: []*metrics.Window{window(0, "catalogue", 100, 200, time.Millisecond)}}
	v := Evaluate(scenarios.SLOs{MinRequests: 1, Objectives: []scenarios.Objective{{Name: "a", Kind: "availability", Target: pct(0.5)}}}, rec)
	assert.True(t, v.Objectives[0].Met)
	assert.False(t, v.Complete)
	assert.False(t, v.Pass)
}

// outside_faults leaves the windows a fault overlaps to the recovery objective.
func TestOutsideFaults(t *testing.T) {
	ended := time.Now()
	var windows []*metrics.Window
	for i := 0; i < 6; i++ {
		code := uint16(200)
		if i == 2 || i == 3 {
			code = 0 // the portal is down
		}
		windows = append(windows, window(i, "catalogue", 50, code, 5*time.Millisecond))
	}
	rec := &journal.Record{
		Run:     journal.RunInfo{Ended: &ended, Window: time.Second, Windows: 6},
		Windows: windows,
		Faults:  []journal.FaultWindow{{Name: "kill", Role: "portal", Action: "kill", Start: 2100 * time.Millisecond, End: 3900 * time.Millisecond}},
	}
	tests := []struct {
		outside      bool
		met          bool
		duringFaults int
	}{
		{false, false, 0},
		{true, true, 2},
	}
	for _, tt := range tests {
		obj := scenarios.Objective{Name: "a", Kind: "availability", Target: pct(0.99), OutsideFaults: tt.outside}
		v := Evaluate(scenarios.SLOs{MinRequests: 1, Objectives: []scenarios.Objective{obj}}, rec)
		o := v.Objectives[0]
		assert.Equal(t, tt.met, o.Met, "outside_faults %v", tt.outside)
		assert.Equal(t, tt.duringFaults, o.DuringFaults)
		assert.Equal(t, 6-tt.duringFaults, o.Evaluated)
	}
}
