package reports

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/scenarios"
)

const scenarioYAML = `name: reptest
clock: {start: 2025-07-01 08:00, end: +10m, compress: 60}
load: {baseline: 100/s}
mix: [{class: catalogue, weight: 1}, {class: submit, weight: 1}]
faults: [{at: +4m, for: 2s, link: portal->registry, toxic: latency, latency: 200ms}]
slos:
  window: 1m
  objectives:
    - {name: avail, kind: availability, target: 99%}
    - {name: submit p95, kind: latency, class: submit, percentile: 95, max: 150ms}
`

// runSpec describes a run directory made by hand: 10 one-second windows of 50
// requests per class, latencies and failures as the functions say.
type runSpec struct {
	complete bool
	windows  int                             // recorded; 10 when zero, none when negative
	latency  func(class string, i int) int64 // µs
	failed   func(class string, i int) int64 // 503s out of 50
	checks   func(class string, i int) int64 // answers whose journey checks failed
	noFaults bool
	scenario string // YAML; scenarioYAML when empty
	sut      map[string]string
	// provinces puts each class's users in a province (catalogue 01, submit 79): 1 kB up
	// and 10 kB down a request, and the province windows beside the class windows.
	provinces bool
}

// writeRun is the standard hand-made run: submit slow (210 ms) in windows 4 and 5,
// during a fault.
func writeRun(t *testing.T, complete bool) string {
	return makeRun(t, runSpec{complete: complete, latency: func(class string, i int) int64 {
		if class == "submit" && (i == 4 || i == 5) {
			return 210_000
		}
		return 2000
	}})
}

func makeRun(t testing.TB, spec runSpec) string {
	t.Helper()
	dir := t.TempDir()
	text := spec.scenario
	if text == "" {
		text = scenarioYAML
	}
	s, err := scenarios.Parse([]byte(text), "reptest.yaml")
	require.NoError(t, err)
	data, err := scenarios.Marshal(s)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, scenarios.ResolvedFile), data, 0o644))
	span := s.SLOs.Window.Duration // scenario time per window: one wall second each

	started := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	j, err := journal.Create(dir, journal.RunInfo{ID: "r1", Scenario: "reptest", Runtime: "embedded", Started: started,
		Window: time.Second, Windows: max(spec.windows, 10), Classes: []string{"catalogue", "submit"}, Intended: 1000, Version: "test", SUT: spec.sut,
		Env: &journal.Environment{Hostname: "ci-host", OS: "linux", Arch: "amd64", Kernel: "6.1.0", CPUs: 2, GOMAXPROCS: 2,
			MemoryBytes: 24 << 30, GoVersion: "go1.26.8", Command: []string{"thongsuot", "run", "reptest.yaml"},
			Modules: map[string]string{"github.com/tsenart/vegeta/v12": "v12.13.0"}}})
	require.NoError(t, err)
	n := spec.windows
	if n == 0 {
		n = 10
	}
	var ws []*metrics.Window
	var provinces []*metrics.ProvinceWindow
	for i := 0; i < n; i++ {
		for _, class := range []string{"catalogue", "submit"} {
			w := &metrics.Window{Index: i, Class: class, Start: time.Duration(i) * time.Second,
				Scenario: s.Clock.Start.Add(time.Duration(i) * span), Planned: 50, Sent: 50,
				Codes: map[string]int64{}, Latency: metrics.NewHistogram()}
			bad := int64(0)
			if spec.failed != nil {
				bad = spec.failed(class, i)
			}
			w.Codes["200"] = 50 - bad
			if bad > 0 {
				w.Codes["503"] = bad
			}
			if spec.checks != nil {
				w.ChecksFailed = spec.checks(class, i)
			}
			require.NoError(t, w.Latency.RecordValues(spec.latency(class, i), 50-bad))
			ws = append(ws, w)
			if spec.provinces {
				code := map[string]string{"catalogue": "01", "submit": "79"}[class]
				w.BytesOut, w.BytesIn = 50_000, 500_000
				w.ProvinceBytes = map[string]metrics.Bytes{code: {In: w.BytesIn, Out: w.BytesOut}}
				pw := metrics.NewProvinceWindow(i, code)
				pw.Sent, pw.Failed = w.Sent, bad
				require.NoError(t, pw.Latency.RecordValues(spec.latency(class, i), 50-bad))
				provinces = append(provinces, pw)
			}
		}
	}
	require.NoError(t, j.AppendWindows(ws))
	if len(provinces) > 0 {
		require.NoError(t, j.AppendProvinceWindows(provinces))
	}
	if !spec.noFaults {
		require.NoError(t, j.AppendFault(journal.FaultWindow{Name: "slow registry", Link: "portal->registry", Toxic: "latency",
			Params: map[string]string{"latency": "200"}, Start: 4 * time.Second, End: 6 * time.Second, Scenario: s.Clock.Start.Add(4 * span)}))
	}
	var ended *time.Time
	stopped := started.Add(time.Duration(n) * time.Second)
	if spec.complete {
		e := started.Add(10 * time.Second)
		ended, stopped = &e, e
	}
	require.NoError(t, j.Close(ended, stopped, 0))
	return dir
}

// eachRun renders the standard hand-made run twice, finished (failing) and killed,
// and runs f on each run directory as a subtest named after its verdict.
func eachRun(t *testing.T, f func(t *testing.T, verdict, dir string)) {
	for _, tt := range []struct {
		verdict  string
		complete bool
	}{{slo.VerdictFail, true}, {slo.VerdictIncomplete, false}} {
		t.Run(tt.verdict, func(t *testing.T) {
			dir := writeRun(t, tt.complete)
			_, err := Render(dir)
			require.NoError(t, err)
			f(t, tt.verdict, dir)
		})
	}
}

func TestRenderFailingRun(t *testing.T) {
	dir := writeRun(t, true)
	sum, err := Render(dir)
	require.NoError(t, err)
	assert.Equal(t, slo.VerdictFail, sum.Verdict)
	assert.Equal(t, 1, sum.ExitCode())
	assert.Equal(t, int64(1000), sum.Totals.Sent)
	require.Len(t, sum.Objectives, 3, "two of the scenario's, and submit's availability with its latency")
	assert.True(t, sum.Objectives[0].Met)
	assert.False(t, sum.Objectives[1].Met)
	assert.Len(t, sum.Objectives[1].Failed, 2)
	assert.Equal(t, "submit p95", sum.Objectives[2].ImpliedBy)

	var back Summary
	data, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, SummarySchema, back.Schema)
	assert.Equal(t, "fail", back.Verdict)
	require.Len(t, back.Faults, 1)

	junit, err := os.ReadFile(filepath.Join(dir, JUnitFile))
	require.NoError(t, err)
	text := string(junit)
	assert.Contains(t, text, `<testsuite name="reptest" tests="4" failures="1" errors="0"`)
	assert.Contains(t, text, `p95 ≤ 150ms: 2 of 10 windows failed; worst 210.0ms at 2025-07-01 08:04:00 ICT (60.0ms over 150.0ms)`)
	assert.Contains(t, text, "window 5 at 2025-07-01 08:05:00 ICT")

	f, err := os.Open(filepath.Join(dir, LatencyFile))
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	assert.Greater(t, img.Bounds().Dy(), img.Bounds().Dx()/2, "two stacked panels")
}

func TestRenderIncompleteRun(t *testing.T) {
	dir := writeRun(t, false)
	sum, err := Render(dir)
	require.NoError(t, err)
	assert.Equal(t, slo.VerdictIncomplete, sum.Verdict)
	assert.Equal(t, 2, sum.ExitCode())
	junit, err := os.ReadFile(filepath.Join(dir, JUnitFile))
	require.NoError(t, err)
	assert.Contains(t, string(junit), `errors="3"`, "no verdict: every objective is an error")
}

func TestRenderNotARunDirectory(t *testing.T) {
	_, err := Render(t.TempDir())
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "not a run directory"), err.Error())
}

// Every report names the system it judged, per role, so that a gate's verdict is tied
// to the build: summary.json's sut, a junit.xml property per role, report.html's
// environment.
func TestReportsNameTheSystemJudged(t *testing.T) {
	sut := map[string]string{
		"portal":     "image npsp/portal:1.4.2 (sha256:5f0c2e7d)",
		"identity":   "url https://id.staging.npsp.example",
		"registries": "reference, thongsuot test",
	}
	dir := makeRun(t, runSpec{complete: true, latency: func(string, int) int64 { return 2000 }, sut: sut})
	sum, err := Render(dir)
	require.NoError(t, err)
	assert.Equal(t, sut, sum.SUT)

	junit, err := os.ReadFile(filepath.Join(dir, JUnitFile))
	require.NoError(t, err)
	html, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	require.NoError(t, err)
	for role, what := range sut {
		assert.Contains(t, string(junit), `<property name="sut.`+role+`" value="`+what+`">`, role)
		assert.Contains(t, string(html), "system under test: "+role, role)
		assert.Contains(t, string(html), what, role)
	}
}
