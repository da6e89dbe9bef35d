// The fuzz target lives outside package journal so that it can render what it reads:
// reports imports the journal.
package journal_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/health"
	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/reports"
	"github.com/thongsuot/thongsuot/scenarios"
)

// fuzzScenario is the scenario.yaml of every fuzzed run directory: ten one-second
// windows of two classes, a fault, and an objective of every kind.
const fuzzScenario = `version: 1
name: fuzzed
clock: {start: 2025-07-01 08:00, end: +10m, compress: 60}
load: {baseline: 100/s, users: 10}
mix: [{class: catalogue, weight: 1}, {class: submit, weight: 1}]
faults: [{at: +4m, for: 2s, link: portal->registry, toxic: latency, latency: 200ms}]
slos:
  window: 1m
  objectives:
    - {name: avail, kind: availability, target: 99%}
    - {name: submit p95, kind: latency, class: submit, percentile: 95, max: 150ms}
    - {name: recovers, kind: recovery, max: 2m}
    - {name: no loss, kind: zero_loss}
`

// The files of the journal a run writes, as the fuzzer varies them.
var fuzzFiles = []string{"run.json", "windows.jsonl", "faults.jsonl", "health.jsonl"}

// located is what an error about a journal must say: which file, which line.
var located = regexp.MustCompile(`journal/(run\.json|windows\.jsonl|faults\.jsonl|health\.jsonl|reconcile\.json):\d+: `)

// validJournal writes a journal as a run writes it and returns its files' contents.
func validJournal(t testing.TB) []string {
	dir := t.TempDir()
	started := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	j, err := journal.Create(dir, journal.RunInfo{ID: "r", Scenario: "fuzzed", Runtime: "embedded", Started: started,
		Window: time.Second, Windows: 10, Classes: []string{"catalogue", "submit"}, Intended: 1000})
	require.NoError(t, err)
	var ws []*metrics.Window
	for i := range 10 {
		for _, c := range []string{"catalogue", "submit"} {
			w := &metrics.Window{Index: i, Class: c, Start: time.Duration(i) * time.Second, Planned: 50, Sent: 50,
				Codes: map[string]int64{"200": 49, "503": 1}, Latency: metrics.NewHistogram()}
			require.NoError(t, w.Latency.RecordValues(int64(1000*(i+1)), 49))
			ws = append(ws, w)
		}
	}
	require.NoError(t, j.AppendWindows(ws))
	require.NoError(t, j.AppendFault(journal.FaultWindow{Name: "slow", Link: "portal->registry", Toxic: "latency",
		Params: map[string]string{"latency": "200ms"}, Start: 4 * time.Second, End: 6 * time.Second}))
	require.NoError(t, j.AppendHealth(health.Window{Index: 0, LagP99: time.Millisecond, Cores: 2, Load1: 0.5}))
	ended := started.Add(10 * time.Second)
	require.NoError(t, j.Close(&ended, ended, 0))
	out := make([]string, len(fuzzFiles))
	for i, name := range fuzzFiles {
		data, err := os.ReadFile(filepath.Join(dir, journal.Dir, name))
		require.NoError(t, err)
		out[i] = string(data)
	}
	return out
}

// FuzzRead reads a fuzzed run directory — run.json, windows.jsonl, faults.jsonl and
// health.jsonl — and holds the reader to its contract: never a panic; either an error
// naming the file and line, or a record every report renders. Seeds in
// testdata/fuzz/FuzzRead run with go test; make fuzz explores.
func FuzzRead(f *testing.F) {
	valid := validJournal(f)
	f.Add(valid[0], valid[1], valid[2], valid[3])
	f.Fuzz(func(t *testing.T, run, windows, faults, healthLines string) {
		dir := t.TempDir()
		require.NoError(t, os.MkdirAll(filepath.Join(dir, journal.Dir), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, scenarios.ResolvedFile), []byte(fuzzScenario), 0o644))
		for i, data := range []string{run, windows, faults, healthLines} {
			require.NoError(t, os.WriteFile(filepath.Join(dir, journal.Dir, fuzzFiles[i]), []byte(data), 0o644))
		}
		rec, err := journal.Read(dir)
		if err != nil {
			assert.Regexp(t, located, err.Error(), "an error names the file and the line")
			return
		}
		assert.LessOrEqual(t, len(rec.Run.Classes), journal.MaxClasses)
		assert.LessOrEqual(t, len(rec.ByIndex()), rec.Run.Windows)
		sum, err := reports.Render(dir)
		require.NoError(t, err, "what reads renders")
		assert.Contains(t, []string{"pass", "fail", "inconclusive", "incomplete"}, sum.Verdict)
	})
}
