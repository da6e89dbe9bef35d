package slo

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/metrics"
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
			if !tt.recovered && tt.fault.End != 0 {
				assert.Equal(t, []string{"avail"}, r.Failing, "what was still failing")
				assert.Positive(t, r.FailedUntil)
			}
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
	assert.Equal(t, VerdictFail, v.Name())
	assert.False(t, v.Objectives[0].Met, "availability failed in the down windows")
}

// A recovery objective with no fault to recover from judged nothing: never a pass.
func TestNoFaultsNoRecoveries(t *testing.T) {
	v := Evaluate(scenarios.SLOs{MinRequests: 10, RecoveryWindows: 3, Objectives: []scenarios.Objective{
		{Name: "recovers", Kind: "recovery", Max: dur(time.Second)},
	}}, run(t, "ggg"))
	assert.Empty(t, v.Recoveries)
	assert.Equal(t, StatusUnjudged, v.Objectives[0].Status)
	assert.Equal(t, VerdictInconclusive, v.Name())
	assert.Contains(t, v.Doubts, "recovers: not judged — no fault was applied")
}

// The shape of registry-brownout: after the fault the class answers 503 at once, fast,
// until the run ends. The class is unavailable and not recovered; its latency is judged
// on the answered requests only and so never looks better for the 503s.
func TestFast503sAfterAFaultAreNotARecovery(t *testing.T) {
	sec := time.Second
	var ws []*metrics.Window
	for i := range 12 {
		switch {
		case i < 4: // before the fault: answered in 300 ms
			ws = append(ws, window(i, "submit", 40, 201, 300*time.Millisecond))
		case i < 6: // the fault: slow answers
			ws = append(ws, window(i, "submit", 40, 201, 2*time.Second))
		default: // after it: 503 in 2 ms, to the end
			ws = append(ws, window(i, "submit", 40, 503, 2*time.Millisecond))
		}
	}
	rec := record(ws...)
	rec.Faults = []journal.FaultWindow{{Name: "population registry at 2 s", Link: "portal->registry.population", Toxic: "latency", Start: 4 * sec, End: 6 * sec}}
	v := Evaluate(scenarios.SLOs{MinRequests: 10, RecoveryWindows: 3, Objectives: []scenarios.Objective{
		{Name: "submit p95", Kind: "latency", Class: "submit", Percentile: 95, Max: dur(2500 * time.Millisecond)},
		{Name: "recovers within 30s", Kind: "recovery", Max: dur(30 * time.Second)},
	}}, rec)
	lat, rcv, avail := v.Objectives[0], v.Objectives[1], v.Objectives[2]
	assert.Equal(t, StatusMet, lat.Status, "2 s under the 2.5 s objective while answered")
	assert.Equal(t, 6, lat.Evaluated, "the 503 windows have no latency to judge")
	assert.Greater(t, lat.Overall, 300.0, "fast 503s never improve the latency")
	assert.Equal(t, "submit available", avail.Name)
	assert.Equal(t, StatusFailed, avail.Status)
	require.Len(t, v.Recoveries, 1)
	r := v.Recoveries[0]
	assert.False(t, r.Recovered, "the class kept failing after the fault")
	assert.Equal(t, []string{"submit available"}, r.Failing)
	assert.Equal(t, 12*sec, r.FailedUntil, "failing until the run ended")
	assert.Equal(t, StatusFailed, rcv.Status)
	assert.Equal(t, VerdictFail, v.Name())
}

// A portal restarted while the harness was starved: the windows after the fault failed
// while saturated (not judged against the system), so a recovery that came late, or not
// before the run ended, cannot be blamed on it — inconclusive, never a failure. A
// failure the harness judged after the starved stretch is the system's own.
func TestRecoveryThroughASaturatedHarness(t *testing.T) {
	sec := time.Second
	tests := []struct {
		name      string
		pattern   string
		starved   []int
		verdict   string
		recovered bool
	}{
		{"starved until the run ended", "ggbbbbgg", []int{3, 4, 5, 6, 7}, VerdictInconclusive, false},
		{"starved, then back late", "ggbbbbbggg", []int{3, 4, 5, 6}, VerdictInconclusive, true},
		// 5–7 are the starved stretch's aftermath (recovery_windows), 8 and 9 judged.
		{"starved, then failing where it could judge", "ggbbbbbbbbgg", []int{3, 4}, VerdictFail, false},
		{"not starved: late is late", "ggbbbbbggg", nil, VerdictFail, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := run(t, tt.pattern, down("a", 2*sec, 3*sec, 0))
			for i := range tt.pattern {
				h := healthy(i)
				if slices.Contains(tt.starved, i) {
					h = starved(i)
				}
				rec.Health = append(rec.Health, h)
			}
			v := Evaluate(scenarios.SLOs{MinRequests: 10, RecoveryWindows: 3, Objectives: []scenarios.Objective{
				{Name: "avail", Kind: "availability", Target: pct(0.99), OutsideFaults: true},
				{Name: "recovers", Kind: "recovery", Max: dur(2 * time.Second)},
			}}, rec)
			require.Len(t, v.Recoveries, 1)
			assert.Equal(t, tt.recovered, v.Recoveries[0].Recovered)
			assert.Equal(t, tt.verdict, v.Name(), "doubts: %v", v.Doubts)
			o := v.Objectives[1]
			if tt.verdict == VerdictInconclusive {
				assert.True(t, v.Recoveries[0].Saturated)
				assert.Empty(t, o.Failed, "not blamed on the system")
				assert.Equal(t, 1, o.Saturated)
				assert.Contains(t, v.Doubts, "recovers: not judged — 1 of 1 recoveries came late or not at all through windows the harness was saturated in — it cannot say whether the system recovered in time")
			} else {
				assert.False(t, o.Met)
			}
		})
	}
}

// A window one objective held but another missed while the harness was saturated is
// not a held window: the recovery starts after it, and the window is left to the
// recovery, not judged again as if the system had recovered before it.
func TestARecoveryDoesNotStartInAWindowMissedWhileSaturated(t *testing.T) {
	rec := run(t, "ggbbgggg", down("a", 2*time.Second, 3900*time.Millisecond, 0))
	// Window 4: every catalogue answer fast, but the submits still failing.
	rec.Windows = append(rec.Windows, window(4, "submit", 10, 0, 2*time.Second))
	for i := range 8 {
		h := healthy(i)
		if i == 4 {
			h = starved(i)
		}
		rec.Health = append(rec.Health, h)
	}
	v := Evaluate(scenarios.SLOs{MinRequests: 10, RecoveryWindows: 2, Objectives: []scenarios.Objective{
		{Name: "avail", Kind: "availability", Target: pct(0.99), OutsideFaults: true},
		{Name: "catalogue p95", Kind: "latency", Class: "catalogue", Percentile: 95, Max: dur(100 * time.Millisecond), OutsideFaults: true},
		{Name: "recovers", Kind: "recovery", Max: dur(2 * time.Second)},
	}}, rec)
	require.Len(t, v.Recoveries, 1)
	r := v.Recoveries[0]
	assert.True(t, r.Recovered)
	assert.Equal(t, 5, r.Window, "window 4 held for latency, but availability could not be judged there")
	assert.Equal(t, 1100*time.Millisecond, r.Time)
	assert.Zero(t, v.Objectives[0].Saturated, "window 4 is the recovery's, not judged again")
	assert.Equal(t, VerdictPass, v.Name(), "doubts: %v", v.Doubts)
}
