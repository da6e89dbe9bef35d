package harness

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/harness/health"
	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/scenarios"
)

// lockedBuffer is a writer the progress goroutine and the test can share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// progressFixture: the smoke scenario's plan, a recorder with 100 responses in the
// first 10 s (2 failed, p95 around 40 ms), and one fault in force.
func progressFixture(t *testing.T, w *lockedBuffer) *progress {
	t.Helper()
	s, err := scenarios.Open("smoke")
	require.NoError(t, err)
	plan, err := load.NewPlan(s)
	require.NoError(t, err)
	start := time.Now().Add(-10 * time.Second)
	rec := metrics.NewRecorder(discardWindows{}, metrics.RecorderConfig{Start: start, Width: time.Second, Windows: 20, Classes: plan.Classes,
		Clock: plan.Clock, Planned: plan.Intended, LateAfter: 10 * time.Millisecond, Grace: time.Second})
	t.Cleanup(func() { _, _ = rec.Close(time.Now()) })
	for i := range 100 {
		res := &vegeta.Result{Timestamp: start.Add(time.Duration(i) * 100 * time.Millisecond), Code: 200, Latency: 40 * time.Millisecond}
		if i < 2 {
			res.Code = 503
		}
		due := res.Timestamp
		if i == 50 {
			due = due.Add(-time.Second)
		}
		rec.Sent(0, res, due)
	}
	faults := faultsInForce{
		{Name: "population registry slow", Link: "portal->registry", Toxic: "latency", Start: 10 * time.Second},
		{Name: "portal killed", Role: "portal", Action: "kill", Start: 11 * time.Second},
	}
	p := newProgress(w, start, plan, rec, faults)
	p.health, p.limits, p.window = starvedHarness{}, slo.LimitsOf(nil), time.Second
	return p
}

// starvedHarness stands for a health monitor whose last window was saturated.
type starvedHarness struct{}

func (starvedHarness) Last() *health.Window {
	return &health.Window{LagP99: 120 * time.Millisecond, Starved: 0.5, Cores: 2, Load1: 7.5, HostBusy: 1}
}

type discardWindows struct{}

func (discardWindows) AppendWindows([]*metrics.Window) error { return nil }

// faultsInForce stands for the fault schedule.
type faultsInForce []journal.FaultWindow

func (f faultsInForce) Active() []journal.FaultWindow { return f }

// runUntil runs p until done says so, then stops it and waits for it to finish.
func runUntil(t *testing.T, p *progress, done func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { p.run(ctx); close(stopped) }()
	require.Eventually(t, done, 5*time.Second, 10*time.Millisecond)
	cancel()
	<-stopped
}

func TestProgressLineSaysWhereTheRunIs(t *testing.T) {
	var out lockedBuffer
	p := progressFixture(t, &out)
	line := p.line(10 * time.Second)
	for _, want := range []string{
		"10s/20s wall",
		"scenario 07:40 of 07:30→07:50", // 10 s in at 60×
		"asked 219/s",                   // 0–10 s: the ramp to 300/s over the first 6 s, then 300/s
		"sent 10/s",                     // 100 responses over 10 s
		"p95 40ms",
		"errors 2.0%",
		"late 1",
		"HARNESS SATURATED: scheduling lag p99 120ms > 25ms, host load 7.5 on 2 cores, 100% busy",
		"faults: population registry slow (latency on portal->registry), portal killed (kill portal)",
	} {
		assert.Contains(t, line, want)
	}
	next := p.line(12 * time.Second)
	assert.Contains(t, next, "sent 0/s", "rates cover the interval since the previous line")
	assert.Contains(t, next, "asked 300/s", "asked covers the same interval as sent")
	assert.Contains(t, next, "p95 —", "no response in the interval")
}

func TestProgressOnALogPrintsLines(t *testing.T) {
	var out lockedBuffer
	p := progressFixture(t, &out)
	assert.False(t, p.tty, "a buffer is not a terminal")
	assert.Equal(t, progressLogEvery, p.every)
	p.every = 20 * time.Millisecond
	runUntil(t, p, func() bool { return strings.Count(out.String(), "\n") >= 2 })
	assert.NotContains(t, out.String(), "\r", "no terminal control in a log")
}

func TestProgressOnATerminalRewritesOneLine(t *testing.T) {
	var out lockedBuffer
	p := progressFixture(t, &out)
	p.tty, p.every, p.width = true, 20*time.Millisecond, func() int { return 60 }
	runUntil(t, p, func() bool { return strings.Count(out.String(), "\r\x1b[K") >= 2 })
	text := out.String()
	assert.True(t, strings.HasSuffix(text, "\n"), "the line is finished when the run ends")
	assert.Equal(t, 1, strings.Count(text, "\n"), "one line, rewritten in place")
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\r\x1b[K")[1:] {
		assert.Less(t, len([]rune(l)), 60, "cut to the terminal's width so it never wraps")
	}
}

func TestProgressDetectsTerminals(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "log")
	require.NoError(t, err)
	defer f.Close()
	var out lockedBuffer
	fx := progressFixture(t, &out)
	p := newProgress(f, fx.start, fx.plan, fx.rec, fx.faults)
	assert.False(t, p.tty, "a file is not a terminal")
	assert.Equal(t, progressLogEvery, p.every)
}

// BenchmarkResultsAdd is what --results adds to every response: a gob encode into a
// buffered file under a lock.
func BenchmarkResultsAdd(b *testing.B) {
	rf, err := createResults(b.TempDir() + "/results.bin")
	require.NoError(b, err)
	res := &vegeta.Result{Attack: "catalogue", Seq: 1, Code: 200, Timestamp: time.Now(), Latency: 3 * time.Millisecond,
		BytesOut: 24, Method: "GET", URL: "http://127.0.0.1:8080/api/v1/procedures?q=khai+sinh"}
	b.ReportAllocs()
	for b.Loop() {
		rf.add(res)
	}
	require.NoError(b, rf.Close())
}

// With journeys in the plan the line counts the sessions in progress; without, it says
// nothing of them.
func TestProgressCountsSessions(t *testing.T) {
	var w lockedBuffer
	p := progressFixture(t, &w)
	gauge := load.NewSessionGauge(time.Now())
	p.sessions = gauge
	end1, end2 := gauge.Begin(), gauge.Begin()
	assert.NotContains(t, p.line(10*time.Second), "sessions", "smoke has no journeys")

	s, err := scenarios.Open("july1-surge")
	require.NoError(t, err)
	p.plan, err = load.NewPlan(s)
	require.NoError(t, err)
	assert.Contains(t, p.line(10*time.Second), "  sessions 2")
	end1()
	assert.Contains(t, p.line(11*time.Second), "  sessions 1")
	end2()
}
