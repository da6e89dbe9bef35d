package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/reports"
)

// plan --bytes-from prints and draws the Mbps per tier and province at the peak: a run
// whose every request is 1,000 bytes down and 250 up gives 300 requests/s × 1,000 B =
// 2.4 Mbps down at smoke's peak, over the tiers together.
func TestPlanBandwidthFromARunsBytes(t *testing.T) {
	run := t.TempDir()
	sum := reports.Summary{Classes: []reports.ClassTotals{
		{Class: "catalogue", Sent: 10, BytesIn: 10_000, BytesOut: 2_500},
		{Class: "status", Sent: 10, BytesIn: 10_000, BytesOut: 2_500},
		{Class: "login", Sent: 10, BytesIn: 10_000, BytesOut: 2_500},
		{Class: "submit", Sent: 10, BytesIn: 10_000, BytesOut: 2_500},
	}}
	data, err := json.Marshal(sum)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(run, reports.SummaryFile), data, 0o644))
	out := t.TempDir()
	code, stdout, stderr := execute(t, "plan", "smoke", "--bytes-from", run, "--out", out)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "bandwidth at the peak")
	assert.Contains(t, stdout, "Ho Chi Minh")
	down := 0.0
	for _, m := range regexp.MustCompile(`(?m)^\s+(urban|rural|remote)\s+\d+\s+([\d.]+)\s+([\d.]+)`).FindAllStringSubmatch(stdout, -1) {
		v, err := strconv.ParseFloat(m[3], 64)
		require.NoError(t, err)
		down += v
	}
	assert.InEpsilon(t, 2.4, down, 0.02, "300/s × 1,000 B × 8 over the three tiers")
	info, err := os.Stat(filepath.Join(out, reports.PlanBandwidthFile))
	require.NoError(t, err)
	assert.Greater(t, info.Size(), int64(10_000))

	code, _, stderr = execute(t, "plan", "smoke", "--bytes-from", t.TempDir())
	assert.Equal(t, 2, code, "no summary.json there")
	assert.Contains(t, stderr, "--bytes-from")
}
