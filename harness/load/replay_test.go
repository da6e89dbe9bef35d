package load

import (
	"context"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/harness/clock"
	"github.com/thongsuot/thongsuot/scenarios"
)

func sampleReplay(t *testing.T, speed float64) *Replay {
	t.Helper()
	start := time.Date(2025, 7, 1, 8, 0, 0, 0, ict)
	c := clock.Clock{Start: start, End: start.Add(10 * time.Minute), Compress: speed}
	r, err := LoadReplay("../../scenarios/replay/access.log", &scenarios.Source{Format: "combined", MaxMalformed: ptr(scenarios.Percent(0.01))}, c)
	require.NoError(t, err)
	return r
}

func ptr[T any](v T) *T { return &v }

func TestReplaySchedule(t *testing.T) {
	r := sampleReplay(t, 60)
	assert.Len(t, r.Requests, 607)
	assert.Equal(t, 5, r.Stats.Malformed)
	for i := 1; i < len(r.Offsets); i++ {
		require.LessOrEqual(t, r.Offsets[i-1], r.Offsets[i], "in time order")
	}
	for i, q := range r.Requests {
		require.Equal(t, q.At.Sub(time.Date(2025, 7, 1, 8, 0, 0, 0, ict))/60, r.Offsets[i], "log time compressed by the speed")
	}
	counts := map[string]int{}
	for n := range r.Requests {
		counts[r.ClassOf(uint64(n))]++
	}
	assert.Equal(t, []string{"login", "catalogue", "units", "upload", "pay", "submit", "status", "officials", "other"}, r.Classes)
	for _, c := range r.Classes {
		assert.Positive(t, counts[c], c)
	}
	assert.Equal(t, float64(len(r.Requests)), r.Total())
	assert.Equal(t, 0.0, r.Hits(0))
	assert.Equal(t, r.Total(), r.Hits(r.Duration()+time.Second))
	_, ok := r.Intended(uint64(len(r.Requests)))
	assert.False(t, ok)
}

func TestReplayRefusesTooManyMalformedLines(t *testing.T) {
	start := time.Date(2025, 7, 1, 8, 0, 0, 0, ict)
	c := clock.Clock{Start: start, End: start.Add(10 * time.Minute), Compress: 1}
	_, err := LoadReplay("../../scenarios/replay/access.log", &scenarios.Source{Format: "combined", MaxMalformed: ptr(scenarios.Percent(0.005))}, c)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "5 of 612 lines (0.8%) are malformed, more than the 0.5% allowed")
	assert.Contains(t, err.Error(), "line 41:")

	c.Start = start.AddDate(0, 0, 1)
	c.End = c.Start.Add(time.Hour)
	_, err = LoadReplay("../../scenarios/replay/access.log", &scenarios.Source{Format: "combined", MaxMalformed: ptr(scenarios.Percent(0.01))}, c)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "set the clock to the log's span")
}

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		target string
		ok     bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://127.1.2.3", true},
		{"http://[::1]:9000/base", true},
		{"https://localhost:8443", true},
		{"http://10.0.0.5:8080", false},
		{"http://192.168.1.10", false},
		{"https://dichvucong.gov.vn", false},
		{"127.0.0.1:8080", false},
		{"ftp://127.0.0.1", false},
	}
	for _, tt := range tests {
		err := CheckLoopback(tt.target)
		if tt.ok {
			assert.NoError(t, err, tt.target)
		} else {
			assert.Error(t, err, tt.target)
		}
	}
	assert.ErrorContains(t, CheckLoopback("http://10.0.0.5:8080"), "only to this machine")
}

// The sample log at 120×: five seconds of wall time. Every request is sent close to its
// intended time, in its class; with one worker and a slow target, sends fall behind
// and are counted late.
func TestReplaySends(t *testing.T) {
	if testing.Short() {
		t.Skip("sends load for seconds")
	}
	tests := []struct {
		name       string
		delay      time.Duration
		maxWorkers uint64
		check      func(t *testing.T, sent, late int, maxBehind time.Duration)
	}{
		{"idle target", 0, 100, func(t *testing.T, sent, late int, maxBehind time.Duration) {
			assert.Equal(t, 607, sent)
			// A busy host makes a few late (14 with load average 8); one worker makes
			// more than 100 late, below.
			assert.Less(t, late, 607/10, "next to no late sends")
		}},
		{"one worker, 30 ms target", 30 * time.Millisecond, 1, func(t *testing.T, sent, late int, maxBehind time.Duration) {
			assert.Greater(t, late, 100, "sends waited for the worker")
			assert.Greater(t, maxBehind, 100*time.Millisecond)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			portal := newFakePortal(t)
			h := portal.Config.Handler
			portal.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				time.Sleep(tt.delay)
				h.ServeHTTP(w, r)
			})
			r := sampleReplay(t, 120)
			plan := NewReplayPlan(r, clock.Clock{Start: time.Date(2025, 7, 1, 8, 0, 0, 0, ict), End: time.Date(2025, 7, 1, 8, 10, 0, 0, ict), Compress: 120})
			var mu sync.Mutex
			sent, late := 0, 0
			var maxBehind time.Duration
			began := time.Now()
			err := Attack(context.Background(), plan, Endpoints{Portal: portal.URL}, &Setup{},
				Options{Timeout: 5 * time.Second, MaxWorkers: tt.maxWorkers},
				lateSink(10*time.Millisecond, func(class int, res *vegeta.Result, isLate bool) {
					mu.Lock()
					defer mu.Unlock()
					sent++
					if isLate {
						late++
					}
					assert.Equal(t, r.ClassOf(res.Seq), plan.Classes[class])
					assert.Equal(t, r.Requests[res.Seq].Method, res.Method)
					maxBehind = max(maxBehind, res.Timestamp.Sub(began)-r.Offsets[res.Seq])
				}))
			require.NoError(t, err)
			tt.check(t, sent, late, maxBehind)
		})
	}
}

func TestReplayScenarioSample(t *testing.T) {
	s, err := scenarios.Open("../../scenarios/replay/replay-sample.yaml")
	require.NoError(t, err)
	plan, err := NewPlan(s)
	require.NoError(t, err)
	assert.Equal(t, 607.0, plan.Total())
	assert.Equal(t, time.Minute, plan.Clock.WallDuration())
	assert.Contains(t, plan.Classes, "catalogue")
	_, err = os.Stat(s.LogPath())
	assert.NoError(t, err, "the log is found beside the scenario")
}
