package reports

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/thongsuot/thongsuot/harness/slo"
)

func flat(us int64) func(string, int) int64 { return func(string, int) int64 { return us } }

func TestCompare(t *testing.T) {
	base := makeRun(t, runSpec{complete: true, latency: flat(20_000)})
	tests := []struct {
		name   string
		run    runSpec
		limits CompareLimits
		want   []string // regressed changes, as scope/name/metric
	}{
		{"the same run", runSpec{complete: true, latency: flat(20_000)}, DefaultCompareLimits, nil},
		{"50 ms slower everywhere", runSpec{complete: true, latency: flat(70_000)}, DefaultCompareLimits,
			[]string{"slo/submit p95/p95 ≤ 150ms", "class/catalogue/p95", "class/catalogue/p99", "class/submit/p95", "class/submit/p99", "class/all/p95", "class/all/p99"}},
		{"50 ms slower on submit only", runSpec{complete: true, latency: func(c string, _ int) int64 {
			if c == "submit" {
				return 70_000
			}
			return 20_000
		}}, DefaultCompareLimits, []string{"slo/submit p95/p95 ≤ 150ms", "class/submit/p95", "class/submit/p99", "class/all/p95", "class/all/p99"}},
		{"50 ms slower, but 300 % is allowed", runSpec{complete: true, latency: flat(70_000)},
			CompareLimits{Latency: 3, MinLatency: time.Millisecond, Availability: 0.1}, nil},
		{"faster is never a regression", runSpec{complete: true, latency: flat(5_000)}, DefaultCompareLimits, nil},
		{"2 % of catalogue fails", runSpec{complete: true, latency: flat(20_000), failed: func(c string, _ int) int64 {
			if c == "catalogue" {
				return 1
			}
			return 0
		}}, DefaultCompareLimits, []string{"slo/avail/availability ≥ 99%", "class/catalogue/availability", "class/all/availability"}},
		{"2 % of catalogue fails, 5 points allowed", runSpec{complete: true, latency: flat(20_000), failed: func(c string, _ int) int64 {
			if c == "catalogue" {
				return 1
			}
			return 0
		}}, CompareLimits{Latency: 0.1, MinLatency: time.Millisecond, Availability: 5}, nil},
	}
	baseRun, err := Read(base)
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run, err := Read(makeRun(t, tt.run))
			require.NoError(t, err)
			c := Compare(baseRun, run, tt.limits)
			var got []string
			for _, ch := range c.Regressions() {
				got = append(got, ch.Scope+"/"+ch.Name+"/"+ch.Metric)
			}
			assert.ElementsMatch(t, tt.want, got)
			assert.Len(t, c.Changes, 2+3*3, "2 SLOs, p95/p99/availability for 2 classes and all")
		})
	}
}

// A latency rise below the absolute floor is noise, whatever its relative size.
func TestCompareLatencyFloor(t *testing.T) {
	base, err := Read(makeRun(t, runSpec{complete: true, latency: flat(1_000)}))
	require.NoError(t, err)
	run, err := Read(makeRun(t, runSpec{complete: true, latency: flat(2_500)})) // +150 %, +1.5 ms
	require.NoError(t, err)
	assert.Empty(t, Compare(base, run, DefaultCompareLimits).Regressions(), "under the 2 ms floor")
	lim := DefaultCompareLimits
	lim.MinLatency = time.Millisecond
	assert.NotEmpty(t, Compare(base, run, lim).Regressions(), "over a 1 ms floor")
}

func TestCompareWritesJSONAndOverlay(t *testing.T) {
	base, err := Read(writeRun(t, true))
	require.NoError(t, err)
	run, err := Read(makeRun(t, runSpec{complete: false, windows: 6, latency: flat(70_000)}))
	require.NoError(t, err)
	out := t.TempDir()
	c := Compare(base, run, DefaultCompareLimits)
	require.NoError(t, c.Write(filepath.Join(out, CompareFile)))
	require.NoError(t, WriteCompareFigure(base, run, out))

	var back Comparison
	data, err := os.ReadFile(filepath.Join(out, CompareFile))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, slo.VerdictFail, back.BaseVerdict)
	assert.Equal(t, slo.VerdictIncomplete, back.RunVerdict)
	assert.Len(t, back.Changes, len(c.Changes))

	f, err := os.Open(filepath.Join(out, CompareFigure+".png"))
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	assert.Greater(t, img.Bounds().Dy(), 2*img.Bounds().Dx()/3, "a panel per class and one for availability")
	assert.FileExists(t, filepath.Join(out, CompareFigure+".svg"))
}

func TestChangeDescribe(t *testing.T) {
	tests := []struct {
		ch   Change
		want string
	}{
		{Change{Unit: "ms", Base: 20, Run: 70, Delta: 50, Relative: 2.5}, "+50.0ms (+250.0%)"},
		{Change{Unit: "%", Base: 100, Run: 99.5, Delta: -0.5}, "-0.50 points"},
		{Change{Unit: "ms", Missing: "base"}, "only in the run"},
		{Change{Unit: "s", Base: 0, Run: 3, Delta: 3}, "+3s"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.ch.Describe())
	}
}
