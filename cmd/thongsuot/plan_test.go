package main

import (
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPlanJuly1Surge(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		minPeak float64
		maxPeak float64
	}{
		{"default scale", nil, 200, 600},
		{"national rates", []string{"--scale", "1"}, 800, 2000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			code, stdout, stderr := execute(t, append([]string{"plan", "july1-surge", "--out", dir}, tt.args...)...)
			require.Equal(t, exitPass, code, stderr)
			for _, want := range []string{
				"Fri 2025-06-27 18:00 → Mon 2025-07-21 00:00",
				"in 9m18s of wall time",
				"VNeID overload, 30 Jun morning (F24)",
				"dossiers ramp 0.3× → 1× (F10, F11)",
				"latency 800ms on client->identity",
				"citizen-dossier.submit",
				"SLO windows: 558 × 1h0m0s (1s wall)",
				"remote 378",
			} {
				assert.Contains(t, stdout, want)
			}
			m := regexp.MustCompile(`peak (\d+) requests/s at Mon 2025-06-30`).FindStringSubmatch(stdout)
			require.NotNil(t, m, "the peak is the VNeID overload of 30 June:\n%s", stdout)
			peak, _ := strconv.ParseFloat(m[1], 64)
			assert.GreaterOrEqual(t, peak, tt.minPeak)
			assert.LessOrEqual(t, peak, tt.maxPeak)

			f, err := os.Open(filepath.Join(dir, "plan.png"))
			require.NoError(t, err)
			defer f.Close()
			img, err := png.Decode(f)
			require.NoError(t, err)
			assert.Greater(t, img.Bounds().Dx(), 1000)
		})
	}
}

func TestPlanRejectsBadInput(t *testing.T) {
	code, _, stderr := execute(t, "plan", "july1-surge", "--scale", "-1", "--out", t.TempDir())
	assert.Equal(t, exitHarness, code)
	assert.Contains(t, stderr, "must be positive")
	code, _, stderr = execute(t, "plan", "no-such", "--out", t.TempDir())
	assert.Equal(t, exitHarness, code)
	assert.Contains(t, stderr, "no built-in scenario")
}
