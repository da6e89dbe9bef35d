package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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
		{"no speed", []string{"--target", "http://127.0.0.1:1", "--speed", "0"}, "--speed must be between 0.01 and 1e+06, got 0"},
		{"speed NaN", []string{"--target", "http://127.0.0.1:1", "--speed", "NaN"}, "--speed must be between 0.01 and 1e+06, got NaN"},
		{"speed infinite", []string{"--target", "http://127.0.0.1:1", "--speed", "+Inf"}, "got +Inf"},
		{"speed 1e9", []string{"--target", "http://127.0.0.1:1", "--speed", "1e9"}, "got 1e+09"},
		{"no timeout", []string{"--target", "http://127.0.0.1:1", "--timeout", "0s"}, "--timeout must be above 0"},
		{"no workers", []string{"--target", "http://127.0.0.1:1", "--max-workers", "0"}, "--max-workers must be between 1 and 100000"},
		{"max-malformed NaN", []string{"--target", "http://127.0.0.1:1", "--max-malformed", "NaN%"}, "want a percentage between 0% and 100%"},
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

// writeLog writes a JSON-lines access log of n requests spread over span.
func writeLog(t *testing.T, n int, span time.Duration, line func(i int, at time.Time) string) string {
	t.Helper()
	start := time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)
	var b strings.Builder
	for i := range n {
		b.WriteString(line(i, start.Add(span*time.Duration(i)/time.Duration(n))) + "\n")
	}
	path := filepath.Join(t.TempDir(), "access.jsonl")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	return path
}

// A replay never passes when it sent nothing or could not send what the log asked, and
// a log with nothing to replay is bad input, never a panic.
func TestReplayVerdict(t *testing.T) {
	if testing.Short() {
		t.Skip("sends load")
	}
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		time.Sleep(5 * time.Millisecond) // one worker sends at most 200/s
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	ok := func(i int, at time.Time) string {
		return fmt.Sprintf(`{"time":%q,"method":"GET","path":"/api/v1/procedures?q=%d"}`, at.Format(time.RFC3339Nano), i)
	}
	tests := []struct {
		name   string
		log    string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"every line malformed, all allowed", writeLog(t, 100, time.Minute, func(int, time.Time) string { return "garbage" }),
			[]string{"--max-malformed", "100%"}, slo.ExitError, "", "none of its 100 lines could be read: nothing to replay"},
		{"NaN timestamps, all allowed", writeLog(t, 100, time.Minute, func(int, time.Time) string { return `{"ts":"NaN","path":"/"}` }),
			[]string{"--max-malformed", "100%"}, slo.ExitError, "", "nothing to replay"},
		{"a log of a month at its own speed", writeLog(t, 10, 30*24*time.Hour, ok),
			nil, slo.ExitError, "", "at --speed 1 the replay would take longer than 24h0m0s; raise --speed"},
		{"more than the target takes at that speed", writeLog(t, 10_000, 10*time.Minute, ok),
			[]string{"--speed", "1000000", "--max-workers", "1"}, slo.ExitInconclusive, "verdict: INCONCLUSIVE", ""},
		{"what the target takes", writeLog(t, 50, time.Minute, ok),
			[]string{"--speed", "600"}, slo.ExitPass, "verdict: PASS", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			code, stdout, stderr := execute(t, append([]string{"replay", tt.log, "--target", srv.URL, "--out", dir}, tt.args...)...)
			assert.Equal(t, tt.code, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			assert.Contains(t, stdout, tt.stdout)
			assert.Contains(t, stderr, tt.stderr)
			if tt.code == slo.ExitError {
				return
			}
			var sum replaySummary
			data, err := os.ReadFile(filepath.Join(dir, "replay.json"))
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(data, &sum))
			assert.Equal(t, map[int]string{slo.ExitPass: slo.VerdictPass, slo.ExitInconclusive: slo.VerdictInconclusive}[tt.code], sum.Verdict)
			if tt.code == slo.ExitInconclusive {
				assert.Less(t, sum.Sent, sum.Intended)
				assert.Equal(t, sum.Intended, sum.Sent+sum.Dropped)
				require.NotEmpty(t, sum.Doubts)
				assert.Contains(t, sum.Doubts[0], "were not sent")
			}
		})
	}
}
