package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/scenarios"
)

// handRun writes a run directory of smoke by hand: 20 windows of 50 answered requests a
// class, 2 ms each, and a reconciliation that held. A run cut short has no end; a run
// that sent nothing has no windows.
func handRun(t *testing.T, complete, sent bool) string {
	t.Helper()
	dir := t.TempDir()
	s, err := scenarios.Open("smoke")
	require.NoError(t, err)
	data, err := scenarios.Marshal(s)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, scenarios.ResolvedFile), data, 0o644))
	classes := []string{"catalogue", "status", "login", "submit"}
	started := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	j, err := journal.Create(dir, journal.RunInfo{ID: filepath.Base(dir), Scenario: "smoke", Started: started,
		Window: time.Second, Windows: 20, Classes: classes})
	require.NoError(t, err)
	for i := range 20 {
		if !sent {
			break
		}
		var ws []*metrics.Window
		for _, c := range classes {
			w := &metrics.Window{Index: i, Class: c, Start: time.Duration(i) * time.Second, Planned: 50, Sent: 50,
				Codes: map[string]int64{"200": 50}, Latency: metrics.NewHistogram()}
			require.NoError(t, w.Latency.RecordValues(2000, 50))
			ws = append(ws, w)
		}
		require.NoError(t, j.AppendWindows(ws))
	}
	ended := started.Add(20 * time.Second)
	if complete {
		require.NoError(t, j.Close(&ended, ended, 0))
	} else {
		require.NoError(t, j.Close(nil, ended, 0))
	}
	require.NoError(t, journal.WriteReconciliation(dir, &journal.Reconciliation{Acknowledged: 10, Stored: 10}))
	return dir
}

// compare refuses a run without a verdict of its own, with that verdict's exit code, and
// writes nothing; two runs that have one compare.
func TestCompareNeedsAVerdictOnBothRuns(t *testing.T) {
	passed := handRun(t, true, true)
	tests := []struct {
		name      string
		base, run string
		code      int
		want      string
	}{
		{"two runs that passed", passed, handRun(t, true, true), slo.ExitPass, ""},
		{"an incomplete run", passed, handRun(t, false, true), slo.ExitError, "the run %s is incomplete (it was cut short"},
		{"an incomplete base", handRun(t, false, true), passed, slo.ExitError, "the base %s is incomplete"},
		{"an inconclusive run", passed, handRun(t, true, false), slo.ExitInconclusive, "the run %s is inconclusive (no request was sent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			code, stdout, stderr := execute(t, "compare", tt.base, tt.run, "--out", out)
			require.Equal(t, tt.code, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			if tt.want == "" {
				assert.Contains(t, stdout, "no regression")
				return
			}
			dir := tt.run
			if tt.code == slo.ExitError && tt.base != passed {
				dir = tt.base
			}
			assert.Contains(t, stderr, "cannot compare: ")
			assert.Contains(t, stderr, fmt.Sprintf(tt.want, dir))
			assert.NoFileExists(t, filepath.Join(out, "compare.json"), "nothing written")
		})
	}
}
