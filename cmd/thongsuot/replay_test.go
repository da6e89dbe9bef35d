package main

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/thongsuot/thongsuot/harness/slo"
)

const sampleLog = "../../scenarios/replay/access.log"

// The sample log (10 minutes, 612 lines, 5 malformed) at 300×: two seconds.
func TestReplaySampleLog(t *testing.T) {
	if testing.Short() {
		t.Skip("sends load for 2 s")
	}
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	dir := t.TempDir()
	code, stdout, stderr := execute(t, "replay", sampleLog, "--target", srv.URL, "--speed", "300", "--out", dir)
	require.Equal(t, slo.ExitPass, code, stderr)
	assert.Contains(t, stdout, "612 lines, 607 requests, 5 malformed (0.82%)")
	assert.Contains(t, stdout, "malformed line 97:")
	assert.Contains(t, stdout, "replayed 607 of 607 requests")
	assert.Equal(t, int64(607), served.Load())

	f, err := os.Open(filepath.Join(dir, "sends.csv"))
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 608)
	assert.Equal(t, []string{"seq", "line", "class", "method", "path", "intended_ms", "sent_ms", "behind_ms", "late", "code", "latency_ms", "error"}, rows[0])
	late := 0
	for _, r := range rows[1:] {
		intended, _ := strconv.ParseFloat(r[5], 64)
		sent, _ := strconv.ParseFloat(r[6], 64)
		assert.InDelta(t, intended, sent, 250, "row %v: sent near its intended time", r)
		if r[8] == "true" {
			late++
		}
	}
	var sum replaySummary
	data, err := os.ReadFile(filepath.Join(dir, "replay.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &sum))
	assert.Equal(t, 607, sum.Sent)
	assert.Equal(t, late, sum.Late, "late sends in the summary are the late rows")
	assert.Equal(t, 5, sum.Malformed)
	classes := map[string]int{}
	for _, c := range sum.Classes {
		classes[c.Class] = c.Sent
	}
	assert.Positive(t, classes["catalogue"])
	assert.Positive(t, classes["other"], "/static and /favicon match no rule")
}

func TestReplayRefuses(t *testing.T) {
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"a target off this machine", []string{"--target", "http://10.1.2.3:8080"}, "only to this machine"},
		{"a public host", []string{"--target", "https://dichvucong.gov.vn"}, "only to this machine"},
		{"too many malformed lines", []string{"--target", "http://127.0.0.1:1", "--max-malformed", "0.5%"}, "5 of 612 lines (0.8%) are malformed"},
		{"a bad rule", []string{"--target", "http://127.0.0.1:1", "--rule", "nonsense"}, "want REGEX=CLASS"},
		{"no speed", []string{"--target", "http://127.0.0.1:1", "--speed", "0"}, "--speed must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := execute(t, append([]string{"replay", sampleLog, "--out", t.TempDir()}, tt.args...)...)
			assert.Equal(t, slo.ExitError, code)
			assert.Contains(t, stderr, tt.msg)
		})
	}
}

func TestReplayDryRunWithRules(t *testing.T) {
	code, stdout, stderr := execute(t, "replay", sampleLog, "--dry-run", "--speed", "60",
		"--rule", "^/api/v1/procedures=catalogue", "--rule", "POST ^/api/v1/dossiers$=submit")
	require.Equal(t, slo.ExitPass, code, stderr)
	assert.Contains(t, stdout, "(9m59s of log) in 9.983s of wall time at 60×")
	assert.Regexp(t, `catalogue\s+\d+`, stdout)
	assert.Regexp(t, `submit\s+\d+`, stdout)
	assert.Regexp(t, `other\s+\d+`, stdout)
	assert.NotContains(t, stdout, "login", "only the rules given")
}
