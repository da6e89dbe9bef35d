package slo

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/health"
	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/scenarios"
)

// window builds a journal window of n responses with one code and one latency, as the
// recorder would: only answered requests are latency samples.
func window(idx int, class string, n int, code uint16, latency time.Duration) *metrics.Window {
	w := &metrics.Window{Index: idx, Class: class, Codes: map[string]int64{}, Latency: metrics.NewHistogram(),
		Start: time.Duration(idx) * time.Second}
	w.Sent = int64(n)
	w.Codes[strconv.Itoa(int(code))] = int64(n)
	if !metrics.Unanswered(code) {
		_ = w.Latency.RecordValues(latency.Microseconds(), int64(n))
	}
	return w
}

func pct(v float64) *scenarios.Percent { p := scenarios.Percent(v); return &p }
func dur(d time.Duration) *scenarios.Duration {
	return &scenarios.Duration{Duration: d}
}

// record is a complete run of one-second windows.
func record(windows ...*metrics.Window) *journal.Record {
	ended := time.Now()
	n := 0
	for _, w := range windows {
		n = max(n, w.Index+1)
	}
	return &journal.Record{Run: journal.RunInfo{Ended: &ended, Window: time.Second, Windows: n}, Windows: windows}
}

func TestEvaluate(t *testing.T) {
	rec := record(
		window(0, "catalogue", 100, 200, 10*time.Millisecond),
		window(0, "submit", 20, 201, 100*time.Millisecond),
		window(1, "catalogue", 100, 200, 12*time.Millisecond),
		window(1, "submit", 20, 201, 400*time.Millisecond), // the slow window
		window(2, "catalogue", 100, 404, 11*time.Millisecond),
		window(2, "submit", 3, 0, time.Second), // too few to judge
		window(3, "catalogue", 100, 200, 10*time.Millisecond),
		window(3, "submit", 20, 503, time.Millisecond), // fast, but not answers
	)
	tests := []struct {
		name      string
		obj       scenarios.Objective
		status    string
		failed    []int
		skipped   int
		worst     float64
		overall   float64
		objective string
	}{
		{"availability over all classes fails where submits went unanswered", scenarios.Objective{Kind: "availability", Target: pct(0.9)},
			StatusFailed, []int{3}, 0, 100 * 100.0 / 120, 100 * (443 - 23) / 443.0, "availability ≥ 90%"},
		{"4xx are answers, not unavailability", scenarios.Objective{Kind: "availability", Class: "catalogue", Target: pct(0.999)},
			StatusMet, nil, 0, 100, 100, "availability ≥ 99.9%"},
		{"submit p95 fails where it was slow, and judges answers only", scenarios.Objective{Kind: "latency", Class: "submit", Percentile: 95, Max: dur(250 * time.Millisecond)},
			StatusFailed, []int{1}, 2, 400, 400, "p95 ≤ 250ms"},
		{"catalogue p99 holds", scenarios.Objective{Kind: "latency", Class: "catalogue", Percentile: 99, Max: dur(50 * time.Millisecond)},
			StatusMet, nil, 0, 12, 12, "p99 ≤ 50ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.obj.Name = tt.name
			v := Evaluate(scenarios.SLOs{MinRequests: 10, Objectives: []scenarios.Objective{tt.obj}}, rec)
			o := v.Objectives[0]
			assert.Equal(t, tt.status, o.Status)
			assert.Equal(t, tt.status == StatusMet, o.Met)
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

// A latency objective brings its class's availability: 503s answered fast fail the
// class, and never count as fast latency samples.
func TestFast503sFailAvailabilityNotLatency(t *testing.T) {
	rec := record(
		window(0, "submit", 50, 201, 300*time.Millisecond),
		window(1, "submit", 50, 503, 2*time.Millisecond),
		window(2, "submit", 50, 503, 2*time.Millisecond),
	)
	v := Evaluate(scenarios.SLOs{MinRequests: 10, Objectives: []scenarios.Objective{
		{Name: "submit p95", Kind: "latency", Class: "submit", Percentile: 95, Max: dur(time.Second)},
	}}, rec)
	require.Len(t, v.Objectives, 2)
	lat, avail := v.Objectives[0], v.Objectives[1]
	assert.Equal(t, StatusMet, lat.Status)
	assert.Equal(t, 1, lat.Evaluated, "only window 0 had answers")
	assert.InDelta(t, 300, lat.Overall, 3, "the 503s did not pull the latency down")
	assert.Equal(t, "submit available", avail.Name)
	assert.Equal(t, "submit p95", avail.ImpliedBy)
	assert.Equal(t, StatusFailed, avail.Status)
	assert.Len(t, avail.Failed, 2)
	assert.Equal(t, VerdictFail, v.Name())
	assert.Equal(t, ExitFail, v.ExitCode())
}

func TestImpliedAvailability(t *testing.T) {
	latency := func(class string, availability *scenarios.Percent) scenarios.Objective {
		return scenarios.Objective{Name: class + " p95", Kind: "latency", Class: class, Percentile: 95, Max: dur(time.Second), Availability: availability}
	}
	tests := []struct {
		name    string
		objs    []scenarios.Objective
		implied map[string]float64 // name → target, of the objectives added
	}{
		{"default 99%", []scenarios.Objective{latency("submit", nil)}, map[string]float64{"submit available": 0.99}},
		{"the scenario's target for all classes", []scenarios.Objective{
			{Name: "availability", Kind: "availability", Target: pct(0.995)}, latency("submit", nil)},
			map[string]float64{"submit available": 0.995}},
		{"the latency objective's own", []scenarios.Objective{latency("submit", pct(0.9))}, map[string]float64{"submit available": 0.9}},
		{"0% judges latency alone", []scenarios.Objective{latency("submit", pct(0))}, map[string]float64{}},
		{"the class is judged already", []scenarios.Objective{
			{Name: "submit up", Kind: "availability", Class: "submit", Target: pct(0.9)}, latency("submit", nil)}, map[string]float64{}},
		{"one per class", []scenarios.Objective{latency("submit", nil),
			{Name: "submit p99", Kind: "latency", Class: "submit", Percentile: 99, Max: dur(2 * time.Second)}},
			map[string]float64{"submit available": 0.99}},
		{"no name clash", []scenarios.Objective{{Name: "submit available", Kind: "latency", Class: "status", Percentile: 95, Max: dur(time.Second)},
			latency("submit", nil)}, map[string]float64{"status available": 0.99, "submit available (implied)": 0.99}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]float64{}
			for _, o := range withImplied(tt.objs) {
				if o.by != "" {
					got[o.Name] = float64(*o.Target)
				}
			}
			assert.Equal(t, tt.implied, got)
		})
	}
}

func TestIncompleteRunIsIncomplete(t *testing.T) {
	rec := record(window(0, "catalogue", 100, 200, time.Millisecond))
	rec.Run.Ended = nil
	v := Evaluate(scenarios.SLOs{MinRequests: 1, Objectives: []scenarios.Objective{{Name: "a", Kind: "availability", Target: pct(0.5)}}}, rec)
	assert.True(t, v.Objectives[0].Met)
	assert.False(t, v.Complete)
	assert.Equal(t, VerdictIncomplete, v.Name())
	assert.Equal(t, ExitError, v.ExitCode())
}

// A run that judged nothing, sent nothing or could not send what it planned never
// passes: it is inconclusive, and says why.
func TestNothingJudgedIsInconclusive(t *testing.T) {
	avail := scenarios.Objective{Name: "availability", Kind: "availability", Target: pct(0.99)}
	ok := func(i int, n int) *metrics.Window { return window(i, "catalogue", n, 200, time.Millisecond) }
	withDropped := func(w *metrics.Window, n int64) *metrics.Window { w.Dropped = n; return w }
	tests := []struct {
		name  string
		rec   *journal.Record
		slos  scenarios.SLOs
		doubt string
	}{
		{"no window had enough requests", record(ok(0, 5), ok(1, 5)),
			scenarios.SLOs{MinRequests: 10, Objectives: []scenarios.Objective{avail}}, "availability: not judged — 2 windows had too few requests"},
		{"nothing was sent", record(&metrics.Window{Index: 0, Class: "catalogue", Codes: map[string]int64{}, Latency: metrics.NewHistogram()}),
			scenarios.SLOs{Objectives: []scenarios.Objective{avail}}, "no request was sent"},
		{"most of it was dropped", record(ok(0, 100), withDropped(ok(1, 100), 900)),
			scenarios.SLOs{MinRequests: 10, Objectives: []scenarios.Objective{avail}}, "the harness dropped 900 of the 1100 requests that fell due"},
		{"nothing to reconcile", record(ok(0, 100)),
			scenarios.SLOs{MinRequests: 10, Objectives: []scenarios.Objective{avail, {Name: "no dossier lost", Kind: "zero_loss"}}},
			"no dossier lost: not judged — no dossier was acknowledged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Contains(tt.name, "reconcile") {
				tt.rec.Reconciliation = &journal.Reconciliation{}
			}
			v := Evaluate(tt.slos, tt.rec)
			assert.Equal(t, VerdictInconclusive, v.Name())
			assert.Equal(t, ExitInconclusive, v.ExitCode())
			require.NotEmpty(t, v.Doubts)
			assert.Contains(t, strings.Join(v.Doubts, "\n"), tt.doubt)
		})
	}
}

// healthy and starved are health figures of a window: a probe waking on time, and one
// kept off the CPU.
func healthy(i int) health.Window {
	return health.Window{Index: i, LagP99: 2 * time.Millisecond, Starved: 0.2, Cores: 2, Load1: 1.2}
}
func starved(i int) health.Window {
	return health.Window{Index: i, LagP99: 180 * time.Millisecond, Starved: 0.9, Cores: 2, Load1: 9.8, HostBusy: 1}
}

// A saturated harness only makes a system look worse, so a window the system held while
// the harness was saturated stands; one it missed is not counted against it and makes the
// run inconclusive. A harness saturated for most of the run is inconclusive whatever was
// measured: the load was not sent on the scenario's schedule.
func TestSaturatedHarness(t *testing.T) {
	lat := scenarios.Objective{Name: "catalogue p95", Kind: "latency", Class: "catalogue", Percentile: 95, Max: dur(100 * time.Millisecond)}
	const n, s = false, true // healthy, saturated
	tests := []struct {
		name      string
		slow      []bool // per window: latency over the objective
		saturated []bool
		verdict   string
		failed    int // windows failed against the system
		excused   int // windows missed while saturated
		doubt     string
	}{
		{"held while saturated: a pass",
			[]bool{n, n, n, n, n, n, n, n, n, n, n, n},
			[]bool{n, s, s, n, n, n, n, n, n, n, s, n}, VerdictPass, 0, 0, ""},
		{"missed where healthy: the system failed",
			[]bool{n, s, n, n, n, n, n, n, n, n, n, n},
			[]bool{n, n, n, n, n, n, n, n, n, n, s, n}, VerdictFail, 1, 0, ""},
		{"missed only where saturated: inconclusive, never fail",
			[]bool{n, s, s, n, n, n, n, n, n, n, n, n},
			[]bool{n, s, s, n, n, n, n, n, n, n, n, n}, VerdictInconclusive, 0, 2,
			"catalogue p95: missed in 2 windows the harness was saturated in"},
		{"missed where healthy and where saturated: the system failed",
			[]bool{s, s, n, n, n, n, n, n, n, n, n, n},
			[]bool{n, s, n, n, n, n, n, n, n, n, n, n}, VerdictFail, 1, 1, ""},
		{"saturated for most of the run: inconclusive, even though it held",
			[]bool{n, n, n, n, n, n, n, n, n, n, n, n},
			[]bool{s, s, s, s, s, s, s, n, n, n, n, n}, VerdictInconclusive, 0, 0,
			"the harness was saturated in 7 of 12 windows (more than 50%), from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ws []*metrics.Window
			var hs []health.Window
			for i := range tt.slow {
				latency := 20 * time.Millisecond
				if tt.slow[i] {
					latency = 900 * time.Millisecond
				}
				ws = append(ws, window(i, "catalogue", 50, 200, latency))
				if tt.saturated[i] {
					hs = append(hs, starved(i))
				} else {
					hs = append(hs, healthy(i))
				}
			}
			rec := record(ws...)
			rec.Health = hs
			v := Evaluate(scenarios.SLOs{MinRequests: 10, Objectives: []scenarios.Objective{lat}}, rec)
			assert.Equal(t, tt.verdict, v.Name())
			assert.Len(t, v.Objectives[0].Failed, tt.failed)
			assert.Equal(t, tt.excused, v.Objectives[0].Saturated)
			saturated := 0
			for _, x := range tt.saturated {
				if x {
					saturated++
				}
			}
			named := 0
			for _, w := range v.Harness.Saturated {
				if !w.Aftermath {
					named++
				}
			}
			assert.Equal(t, saturated, named, "every saturated window is named")
			assert.Contains(t, strings.Join(v.Harness.Saturated[0].Why, ", "), "host load 9.8 on 2 cores")
			if tt.doubt != "" {
				assert.Equal(t, ExitInconclusive, v.ExitCode())
				assert.Contains(t, strings.Join(v.Doubts, "\n"), tt.doubt)
			}
		})
	}
}

// outside_faults leaves the windows a fault overlaps to the recovery objective, and
// those before it whose requests could still be waiting for an answer when it struck.
func TestOutsideFaults(t *testing.T) {
	var windows []*metrics.Window
	for i := 0; i < 8; i++ {
		code := uint16(200)
		if i == 4 || i == 5 {
			code = 0 // the portal is down
		}
		windows = append(windows, window(i, "catalogue", 50, code, 5*time.Millisecond))
	}
	// A slow submit due in window 2, still waiting for its answer when the portal was killed.
	windows = append(windows, window(2, "submit", 1, 0, 1800*time.Millisecond))
	tests := []struct {
		name         string
		outside      bool
		timeout      time.Duration
		status       string
		duringFaults int
	}{
		{"judged everywhere", false, 2 * time.Second, StatusFailed, 0},
		// windows 4 and 5, and 3: a request due in it may go out late into the fault
		{"no timeout recorded", true, 0, StatusFailed, 3},
		{"a 1 s timeout spans one window", true, time.Second, StatusFailed, 3},
		// and 2: a request due there could wait 2 s, into the fault
		{"a 2 s timeout spans two", true, 2 * time.Second, StatusMet, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := record(windows...)
			rec.Run.Timeout = tt.timeout
			rec.Faults = []journal.FaultWindow{{Name: "kill", Role: "portal", Action: "kill", Start: 4100 * time.Millisecond, End: 5900 * time.Millisecond}}
			obj := scenarios.Objective{Name: "a", Kind: "availability", Target: pct(0.99), OutsideFaults: tt.outside}
			v := Evaluate(scenarios.SLOs{MinRequests: 1, Objectives: []scenarios.Objective{obj}}, rec)
			o := v.Objectives[0]
			assert.Equal(t, tt.status, o.Status)
			assert.Equal(t, tt.duringFaults, o.DuringFaults)
			assert.Equal(t, 8-tt.duringFaults, o.Evaluated)
		})
	}
}

// An objective with a window of its own judges the run's windows merged in groups: a
// sparse class judged where each window alone has too few requests.
func TestObjectiveWindowMergesTheRunsWindows(t *testing.T) {
	var ws []*metrics.Window
	for i := range 12 {
		latency := 100 * time.Millisecond
		if i >= 8 {
			latency = 3 * time.Second // the last group is slow
		}
		ws = append(ws, window(i, "submit", 4, 201, latency))
	}
	rec := record(ws...)
	obj := scenarios.Objective{Name: "submit p95", Kind: "latency", Class: "submit", Percentile: 95, Max: dur(time.Second),
		Window: dur(4 * time.Second)}
	v := Evaluate(scenarios.SLOs{Window: scenarios.Duration{Duration: time.Second}, MinRequests: 10, Objectives: []scenarios.Objective{obj}}, rec)
	o := v.Objectives[0]
	assert.Equal(t, 3, o.Evaluated, "12 windows of 4 requests: 3 groups of 16")
	require.Len(t, o.Failed, 1)
	assert.Equal(t, 8, o.Failed[0].Index, "a group is placed at its first window")
	assert.Equal(t, int64(16), o.Failed[0].Requests)
	implied := v.Objectives[1]
	assert.Equal(t, "submit available", implied.Name)
	assert.Equal(t, 3, implied.Evaluated, "the implied availability is judged on the same groups")

	obj.Window = nil
	v = Evaluate(scenarios.SLOs{Window: scenarios.Duration{Duration: time.Second}, MinRequests: 10, Objectives: []scenarios.Objective{obj}}, rec)
	assert.Equal(t, StatusUnjudged, v.Objectives[0].Status, "without it, no window alone has 10 requests")
}

// A window in which most sends left late is saturated, whatever the probe saw: the
// load did not go out on the scenario's schedule.
func TestMostlyLateWindowsAreSaturated(t *testing.T) {
	var ws []*metrics.Window
	for i := range 4 {
		latency := 10 * time.Millisecond
		if i == 2 {
			latency = 900 * time.Millisecond // over the objective, in the late window
		}
		w := window(i, "catalogue", 100, 200, latency)
		if i == 2 {
			w.Late = 80
		}
		ws = append(ws, w)
	}
	rec := record(ws...)
	v := Evaluate(scenarios.SLOs{MinRequests: 10, Objectives: []scenarios.Objective{
		{Name: "catalogue p95", Kind: "latency", Class: "catalogue", Percentile: 95, Max: dur(100 * time.Millisecond)}}}, rec)
	require.Len(t, v.Harness.Saturated, 2, "the late window and its aftermath")
	assert.Equal(t, 2, v.Harness.Saturated[0].Index)
	assert.True(t, v.Harness.Saturated[1].Aftermath)
	assert.Equal(t, "80% of sends left late", v.Harness.Saturated[0].Why[0])
	assert.Equal(t, 1, v.Objectives[0].Saturated, "the slow window was the late one: not blamed on the system")
	assert.Equal(t, VerdictInconclusive, v.Name())
}

// A window soon after one the harness was saturated in is its aftermath: the system
// starved with the harness (a breaker opened on timeouts) may still be recovering, so a
// miss there is not blamed on it either.
func TestMissAfterASaturatedWindowIsNotBlamed(t *testing.T) {
	var ws []*metrics.Window
	var hs []health.Window
	for i := range 10 {
		code := uint16(200)
		if i == 4 || i == 5 {
			code = 503 // the breaker, open after the freeze in window 3
		}
		ws = append(ws, window(i, "submit", 50, code, 20*time.Millisecond))
		hs = append(hs, healthy(i))
	}
	hs[3] = starved(3)
	rec := record(ws...)
	rec.Health = hs
	judge := func() Verdict {
		return Evaluate(scenarios.SLOs{MinRequests: 10, RecoveryWindows: 2, Objectives: []scenarios.Objective{
			{Name: "submit available", Kind: "availability", Class: "submit", Target: pct(0.99)}}}, rec)
	}
	v := judge()
	assert.Equal(t, 2, v.Objectives[0].Saturated, "windows 4 and 5 follow the freeze")
	assert.Empty(t, v.Objectives[0].Failed)
	assert.Equal(t, VerdictInconclusive, v.Name())

	ws[7] = window(7, "submit", 50, 503, 20*time.Millisecond) // three windows on: the system's own
	v = judge()
	require.Len(t, v.Objectives[0].Failed, 1)
	assert.Equal(t, 7, v.Objectives[0].Failed[0].Index)
	assert.Equal(t, VerdictFail, v.Name())

	// A request sent in the freeze may hold the system for as long as the request
	// timeout: with a 5 s timeout and 1 s windows, window 7 may still be the freeze's.
	rec.Run.Timeout = 5 * time.Second
	v = judge()
	assert.Empty(t, v.Objectives[0].Failed)
	assert.Equal(t, 3, v.Objectives[0].Saturated, "windows 4, 5 and 7, within 5 s of the freeze")
	assert.Equal(t, VerdictInconclusive, v.Name())
	ws[9] = window(9, "submit", 50, 503, 20*time.Millisecond) // six windows on: the system's own
	v = judge()
	require.Len(t, v.Objectives[0].Failed, 1)
	assert.Equal(t, 9, v.Objectives[0].Failed[0].Index)

	// And before it: requests due in window 1 could still be waiting for their answers
	// when the harness froze in window 3.
	ws[9] = window(9, "submit", 50, 200, 20*time.Millisecond)
	ws[1] = window(1, "submit", 50, 503, 20*time.Millisecond)
	v = judge()
	assert.Empty(t, v.Objectives[0].Failed, "window 1's requests were in flight in the freeze")
	rec.Run.Timeout = 0 // a journal that does not say: only the recovery windows after
	v = judge()
	require.NotEmpty(t, v.Objectives[0].Failed)
	assert.Equal(t, 1, v.Objectives[0].Failed[0].Index)
}

// A codes objective judges, per window, the share of one class's answers that got one of
// its statuses; it brings no implied availability, and a window without requests is not
// a vacuous pass.
func TestEvaluateCodes(t *testing.T) {
	forged := window(1, "forged-token", 40, 401, time.Millisecond)
	forged.Codes["200"] = 10 // ten forged tokens let in: 80 %
	forged.Sent = 50
	rec := record(
		window(0, "forged-token", 50, 401, time.Millisecond),
		forged,
		window(2, "forged-token", 50, 503, time.Millisecond),
		window(3, "burst", 30, 408, time.Millisecond),
		window(3, "burst.more", 1, 200, time.Millisecond),
	)
	rec.Windows[3].Codes["429"] = 20
	rec.Windows[3].Sent = 50
	tests := []struct {
		name    string
		obj     scenarios.Objective
		status  string
		failed  []int
		overall float64
	}{
		{"refused every time but two windows", scenarios.Objective{Name: "forged", Kind: scenarios.KindCodes, Class: "forged-token", Codes: []int{401}, Target: pct(1)},
			StatusFailed, []int{1, 2}, 100 * 90.0 / 150},
		{"a looser target", scenarios.Objective{Name: "forged", Kind: scenarios.KindCodes, Class: "forged-token", Codes: []int{401, 503}, Target: pct(0.8)},
			StatusMet, nil, 100 * 140.0 / 150},
		{"any of several statuses", scenarios.Objective{Name: "burst", Kind: scenarios.KindCodes, Class: "burst", Codes: []int{408, 429}, Target: pct(1)},
			StatusMet, nil, 100},
		{"a class that sent nothing", scenarios.Objective{Name: "enum", Kind: scenarios.KindCodes, Class: "enumerate", Codes: []int{404}, Target: pct(1)},
			StatusUnjudged, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Evaluate(scenarios.SLOs{Window: scenarios.Duration{Duration: time.Minute}, MinRequests: 10,
				Objectives: []scenarios.Objective{tt.obj}}, rec)
			require.Len(t, v.Objectives, 1, "no implied availability")
			o := v.Objectives[0]
			assert.Equal(t, tt.status, o.Status)
			assert.True(t, o.HigherIsBetter)
			assert.Equal(t, "%", o.Unit)
			var failed []int
			for _, p := range o.Failed {
				failed = append(failed, p.Index)
			}
			assert.Equal(t, tt.failed, failed)
			assert.InDelta(t, tt.overall, o.Overall, 1e-9)
		})
	}
}

// A window in which the harness held nearly every file descriptor it may open is
// saturated: connections were neither made nor accepted for want of the harness's
// descriptors, so what failed there is not the system's.
func TestAWindowOutOfFileDescriptorsIsSaturated(t *testing.T) {
	tests := []struct {
		open, limit int
		saturated   bool
	}{{1000, 20000, false}, {17999, 20000, false}, {18500, 20000, true}, {20000, 20000, true}, {50000, 0, false}}
	for _, tt := range tests {
		w := healthy(0)
		w.OpenFiles, w.FileLimit = tt.open, tt.limit
		why := SaturatedBy(w, LimitsOf(nil), time.Second)
		if !tt.saturated {
			assert.Empty(t, why, "%d of %d open", tt.open, tt.limit)
			continue
		}
		require.NotEmpty(t, why, "%d of %d open", tt.open, tt.limit)
		assert.Contains(t, why[0], fmt.Sprintf("%d of the %d file descriptors it may open were open", tt.open, tt.limit))
	}
}
