package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/sizing"
	"github.com/thongsuot/thongsuot/scenarios"
)

// size on a six-second copy of bandwidth-sizing, one tier, three probes: whatever the
// machine makes of the probes, it writes a table, sizing.csv with a row per probe,
// sizing.json, sizing.png and report.html, says what it did per probe on stderr, and
// exits 0 (sized) or 1 (not confirmed in three probes) — never 2.
func TestSizeWritesTableCSVJSONAndPNG(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three probes of six seconds")
	}
	data, err := scenarios.ReadFile(filepath.Join("..", "..", "scenarios", "bandwidth-sizing.yaml"))
	require.NoError(t, err)
	short := strings.Replace(string(data), "end: +10s", "end: +6s", 1)
	require.NotEqual(t, string(data), short)
	file := filepath.Join(t.TempDir(), "sizing.yaml")
	require.NoError(t, os.WriteFile(file, []byte(short), 0o644))
	out := filepath.Join(t.TempDir(), "size")

	code, stdout, stderr := execute(t, "size", file, "--tier", "urban", "--max-probes", "3", "--out", out)
	require.Contains(t, []int{0, 1}, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stderr, "urban: probe 1/3 at uncapped")
	assert.Contains(t, stdout, "measured minimum")
	assert.Contains(t, stdout, "analytic (up / down)")

	f, err := os.Open(filepath.Join(out, "sizing.csv"))
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(rows), 2, "a header and the probes")
	assert.Equal(t, "tier", rows[0][0])

	var s sizing.Sizing
	raw, err := os.ReadFile(filepath.Join(out, "sizing.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &s))
	require.Len(t, s.Results, 1)
	r := s.Results[0]
	assert.Len(t, rows, len(r.Probes)+1)
	assert.Positive(t, r.Analytic, "the uncapped probe moved bytes: the analytic estimate")
	assert.Positive(t, r.UpMbps, "the scans go up")
	for _, name := range []string{"sizing.png", "report.html"} {
		info, err := os.Stat(filepath.Join(out, name))
		require.NoError(t, err, name)
		assert.Greater(t, info.Size(), int64(5_000), name)
	}
	assert.DirExists(t, filepath.Join(out, "probes"))

	code, _, stderr = execute(t, "size", "bandwidth-sizing", "--tier", "suburban")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `unknown tier "suburban"`)
}
