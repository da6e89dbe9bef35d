package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/reports"
)

// busyLoops keeps every core busy with a shell loop, as another process would, until
// the test ends.
func busyLoops(t *testing.T) {
	t.Helper()
	for range runtime.NumCPU() {
		cmd := exec.Command("sh", "-c", "while :; do :; done")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		require.NoError(t, cmd.Start())
		t.Cleanup(func() {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			_ = cmd.Wait()
		})
	}
}

// A run asked for more than the machine can carry, while other processes hold every
// core: the harness is the bottleneck, and says so. The verdict is inconclusive (exit 3)
// with the saturated windows named — never a failure of the portal.
func TestOverloadedHarnessIsInconclusive(t *testing.T) {
	if testing.Short() {
		t.Skip("overloads the machine for 10 s")
	}
	busyLoops(t)
	path := smokeWith(t,
		"end: +20m", "end: +10m", // 10 s of wall time
		"baseline: 300/s", "baseline: 6000/s", // twenty times what smoke asks
		"    - ramp: {from: +0m, to: +6m, from_factor: 0.1, to_factor: 1}", "    - ramp: {from: +0m, to: +1m, from_factor: 0.5, to_factor: 1}",
		"    at: +10m", "    at: +5m")
	dir := filepath.Join(t.TempDir(), "run")
	if d := os.Getenv("KEEP_RUN"); d != "" {
		dir = d
	}
	code, stdout, stderr := execute(t, "run", path, "--out", dir, "--quiet")
	require.Equal(t, slo.ExitInconclusive, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stdout, "INCONCLUSIVE")

	var sum reports.Summary
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &sum))
	assert.Equal(t, slo.VerdictInconclusive, sum.Verdict)
	require.NotEmpty(t, sum.Harness.Saturated, "the saturated windows are named")
	assert.NotEmpty(t, sum.Harness.Saturated[0].Why)
	assert.Contains(t, strings.Join(sum.Doubts, "\n"), "saturated")
	for _, o := range sum.Objectives {
		assert.NotEqual(t, slo.StatusFailed, o.Status, "%s: a starved harness never fails the portal", o.Name)
	}
	junit, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
	require.NoError(t, err)
	assert.Contains(t, string(junit), `type="inconclusive"`)
}
