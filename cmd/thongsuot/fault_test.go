package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/reports"
)

// Bad fault specs are bad input: exit 2, each problem as file:line: field: message.
func TestBadFaultSpecsExit2WithFileLine(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		want     string
	}{
		{"unknown toxic", "    toxic: latency", "    toxic: lag", `:34: faults[0].toxic: unknown toxic "lag"`},
		{"negative bandwidth", "    toxic: latency\n    latency: 400ms", "    toxic: bandwidth\n    bandwidth: -2Mbps",
			":35: faults[0].bandwidth: must be between 0bps and 100Gbps, got -2Mbps"},
		{"link that does not exist", "    link: portal->registry", "    link: portal->registry.bank", `:33: faults[0].link: unknown link "portal->registry.bank"`},
		{"window outside the scenario", "    for: 5s", "    for: 15s", ":32: faults[0].for: the fault would end at 2025-07-01T07:55:00+07:00, after the scenario ends"},
		{"start outside the scenario", "    at: +10m", "    at: +30m", ":31: faults[0].at: 2025-07-01T08:00:00+07:00 is outside the scenario"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := smokeWith(t, tt.from, tt.to)
			for _, args := range [][]string{{"validate", path}, {"run", path, "--out", t.TempDir()}} {
				code, _, stderr := execute(t, args...)
				assert.Equal(t, slo.ExitError, code, args[0])
				assert.Contains(t, stderr, path+tt.want, args[0])
			}
		})
	}
}

const flapScenario = `version: 1
name: flap-e2e
clock: {start: 2025-07-01 08:00, end: +12m, compress: 60}
load: {baseline: 100/s, users: 10, timeout: 2s}
mix: [{class: catalogue, weight: 1}]
faults:
  - {name: front door flap, at: +1m, link: client->portal, toxic: down, flap: {period: 3m scenario, down_for: 1s, count: 3}}
slos:
  window: 30s
  min_requests: 5
  recovery_windows: 2
  objectives:
    - {name: available, kind: availability, target: 99%}
    - {name: recovers, kind: recovery, max: 2s}
  harness: {max_lag: 1s, max_starved: 100%, max_late: 100%}   # this judges the fault's windows, not the harness: a busy machine must not excuse them
`

// A flap end to end: every down window is journalled (and so shaded on the plot), the
// requests sent in it failed, and the verdict has a recovery time after each cycle.
func TestFlapRunJournalsEachWindowAndItsRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the stack for 12 s")
	}
	path := filepath.Join(t.TempDir(), "flap.yaml")
	require.NoError(t, os.WriteFile(path, []byte(flapScenario), 0o644))
	out := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := execute(t, "run", path, "--out", out, "-q")
	assert.Equal(t, slo.ExitFail, code, "availability fails while the front door is down\n%s\n%s", stdout, stderr)

	data, err := os.ReadFile(filepath.Join(out, "summary.json"))
	require.NoError(t, err)
	var sum reports.Summary
	require.NoError(t, json.Unmarshal(data, &sum))
	require.Len(t, sum.Faults, 3, "one window per cycle")
	for i, f := range sum.Faults {
		assert.Equal(t, i+1, f.Cycle)
		assert.Equal(t, "flap", f.Kind)
		assert.InDelta(t, time.Duration(1+3*i)*time.Second, f.Start, float64(500*time.Millisecond), "cycle %d on time", i+1)
		assert.InDelta(t, time.Second, f.End-f.Start, float64(500*time.Millisecond))
	}
	avail, recovery := sum.Objectives[0], sum.Objectives[1]
	assert.False(t, avail.Met)
	width := time.Duration(sum.Clock.Window * float64(time.Second))
	rec, err := journal.Read(out)
	require.NoError(t, err)
	hits := 0
	for _, f := range sum.Faults {
		hit := false
		for _, p := range avail.Failed {
			hit = hit || (p.Start+width > f.Start && p.Start < f.End)
		}
		if hit {
			hits++
			continue
		}
		// A generator starved through the whole second (load average 20) may send
		// nothing into it, or too little to judge; what it did send and lose must count.
		for _, w := range rec.Windows {
			if w.Start+width > f.Start && w.Start < f.End {
				assert.False(t, w.Sent >= 5 && w.Failed() > 0, "cycle %d: window %d lost %d of %d in the down window, yet availability held", f.Cycle, w.Index, w.Failed(), w.Sent)
			}
		}
	}
	assert.GreaterOrEqual(t, hits, 2, "the connection errors of the down windows are counted as unavailability")
	// Recovery is measured after each cycle. On this shared machine a stall can delay
	// one, so the bound is the gap to the next cycle, not the front door's true ~0 s.
	require.Len(t, recovery.Recoveries, 3, "a recovery time after each cycle")
	recovered := 0
	for i, r := range recovery.Recoveries {
		assert.Equal(t, i+1, r.Cycle)
		assert.InDelta(t, sum.Faults[i].End, r.End, float64(time.Millisecond))
		if r.Recovered {
			recovered++
			assert.Less(t, r.Time, 2*time.Second, "cycle %d: back before the next cycle", i+1)
		}
	}
	assert.GreaterOrEqual(t, recovered, 2)
	assert.FileExists(t, filepath.Join(out, "latency.png"))
}
