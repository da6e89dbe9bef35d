package slo

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/scenarios"
)

// run builds a journal of one-second windows from a string, one letter per window:
// g good (fast, all 200), b bad (503s), . too few requests to judge.
func run(t *testing.T, pattern string, faults ...journal.FaultWindow) *journal.Record {
	t.Helper()
	ended := time.Now()
	rec := &journal.Record{Run: journal.RunInfo{Ended: &ended, Window: time.Second, Windows: len(pattern)}, Faults: faults}
	for i, c := range pattern {
		switch c {
		case 'g':
			rec.Windows = append(rec.Windows, window(i, "catalogue", 100, 200, 5*time.Millisecond))
		case 'b':
			rec.Windows = append(rec.Windows, window(i, "catalogue", 100, 503, 5*time.Millisecond))
		case '.':
			rec.Windows = append(rec.Windows, window(i, "catalogue", 1, 200, 5*time.Millisecond))
		default:
			t.Fatalf("bad pattern letter %q", c)
		}
	}
	return rec
}

func down(name string, start, end time.Duration, cycle int) journal.FaultWindow {
	return journal.FaultWindow{Name: name, Link: "remote->portal", Toxic: "down", Start: start, End: end, Cycle: cycle}
}

func TestRecoveryTime(t *testing.T) {
	sec := time.Second
	tests := []struct {
		name      string
		pattern   string
		fault     journal.FaultWindow
		recovered bool
		time      time.Duration
		window    int
	}{
		{"held at once: the window the fault ended in already holds", "gbggggg", down("a", sec, 2200*time.Millisecond, 0), true, 0, 2},
		{"two bad windows after the end", "ggbbbgggg", down("a", 2*sec, 3*sec, 0), true, 2 * sec, 5},
		{"a lucky window between bad ones does not count", "gbbgbggggg", down("a", sec, 1500*time.Millisecond, 0), true, 3500 * time.Millisecond, 5},
		{"unjudged windows neither break nor count", "gbb.g.ggg", down("a", sec, 2*sec, 0), true, 2 * sec, 4},
		{"not recovered before the run ended", "ggbbbbgg", down("a", 2*sec, 3*sec, 0), false, 5 * sec, 0},
		{"never removed: the run ended under the fault", "ggbbbb", down("a", 2*sec, 0, 0), false, 4 * sec, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := run(t, tt.pattern, tt.fault)
			slos := scenarios.SLOs{MinRequests: 10, RecoveryWindows: 3, Objectives: []scenarios.Objective{
				{Name: "avail", Kind: "availability", Target: pct(0.99)},
				{Name: "recovers", Kind: "recovery", Max: dur(2 * time.Second)},
			}}
			v := Evaluate(slos, rec)
			require.Len(t, v.Recoveries, 1)
			r := v.Recoveries[0]
			assert.Equal(t, tt.recovered, r.Recovered)
			assert.Equal(t, tt.time, r.Time)
			assert.Equal(t, tt.window, r.Window)

			o := v.Objectives[1]
			assert.Equal(t, "recovery ≤ 2s", o.Objective)
			assert.Equal(t, tt.recovered && tt.time <= 2*time.Second, o.Met)
			assert.Equal(t, 1, o.Evaluated)
			assert.Equal(t, v.Recoveries, o.Recoveries, "summary.json carries the recoveries with the objective")
			assert.InDelta(t, float64(tt.time/time.Millisecond), o.Overall, 0.001)
		})
	}
}

func TestRecoveryAfterEachFlapCycle(t *testing.T) {
	sec := time.Second
	// Three cycles, each 1 s down; the system takes 0, 1 and 2 windows to come back.
	rec := run(t, "gbgggbbggggbbbggggg",
		down("flap", 1*sec, 2*sec, 1), down("flap", 5*sec, 6*sec, 2), down("flap", 11*sec, 12*sec, 3))
	v := Evaluate(scenarios.SLOs{MinRequests: 10, RecoveryWindows: 3, Objectives: []scenarios.Objective{
		{Name: "avail", Kind: "availability", Target: pct(0.99)},
		{Name: "recovers", Kind: "recovery", Max: dur(1500 * time.Millisecond)},
	}}, rec)
	require.Len(t, v.Recoveries, 3)
	var times []time.Duration
	for i, r := range v.Recoveries {
		assert.Equal(t, i+1, r.Cycle)
		assert.True(t, r.Recovered)
		times = append(times, r.Time)
	}
	assert.Equal(t, []time.Duration{0, sec, 2 * sec}, times)
	o := v.Objectives[1]
	assert.False(t, o.Met, "the third cycle took 2 s, over the 1.5 s max")
	require.Len(t, o.Failed, 1)
	assert.Equal(t, 12, o.Failed[0].Index)
	assert.False(t, v.Pass)
	assert.False(t, v.Objectives[0].Met, "availability failed in the down windows")
}

func TestNoFaultsNoRecoveries(t *testing.T) {
	v := Evaluate(scenarios.SLOs{MinRequests: 10, RecoveryWindows: 3, Objectives: []scenarios.Objective{
		{Name: "recovers", Kind: "recovery", Max: dur(time.Second)},
	}}, run(t, "ggg"))
	assert.Empty(t, v.Recoveries)
	assert.True(t, v.Objectives[0].Met)
	assert.True(t, v.Pass)
}
