package main

import (
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/thongsuot/thongsuot/harness/slo"
)

func TestPlanJuly1Surge(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		minPeak  float64
		maxPeak  float64
		sessions float64 // peak concurrent sessions
	}{
		{"default scale", nil, 200, 600, 0.3 * 120_000},
		{"national rates", []string{"--scale", "1"}, 800, 2000, 120_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			code, stdout, stderr := execute(t, append([]string{"plan", "july1-surge", "--out", dir}, tt.args...)...)
			require.Equal(t, slo.ExitPass, code, stderr)
			for _, want := range []string{
				"Fri 2025-06-27 18:00 → Tue 2025-07-22 00:00",
				"in 9m42s of wall time",
				"VNeID overload, 30 Jun morning (F24)",
				"38,000 on 2 Jul, over 40,000 by 16:00 on 3 Jul (F10)  (shapes counter, dossier)",
				"VNeID over capacity (F24): knob identity (capacity=2, latency_median=150ms",
				"VNeID maintenance notice (F24): knob identity (maintenance=true)",
				"network problems at units (F27): latency on client->portal (units 79)",
				"citizen-dossier.submit",
				"SLO windows: 582 × 1h0m0s (1s wall)",
				"against 120,000 the portal is built for (load.peak_sessions)",
				"Little's law:",
				"remote 378",
			} {
				assert.Contains(t, stdout, want)
			}
			m := regexp.MustCompile(`peak (\d+) requests/s at Mon 2025-06-30`).FindStringSubmatch(stdout)
			require.NotNil(t, m, "the peak is the VNeID overload of 30 June:\n%s", stdout)
			peak, _ := strconv.ParseFloat(m[1], 64)
			assert.GreaterOrEqual(t, peak, tt.minPeak)
			assert.LessOrEqual(t, peak, tt.maxPeak)
			assert.NotContains(t, stdout, "National Day holiday", "events after the end are not the plan's")

			m = regexp.MustCompile(`concurrent sessions at scale [\d.]+: peak ([\d,]+) at Mon 2025-06-30`).FindStringSubmatch(stdout)
			require.NotNil(t, m, "the sessions peak in the VNeID overload of 30 June:\n%s", stdout)
			sessions, _ := strconv.ParseFloat(strings.ReplaceAll(m[1], ",", ""), 64)
			assert.InEpsilon(t, tt.sessions, sessions, 0.05, "F2: 120,000 at scale 1")

			f, err := os.Open(filepath.Join(dir, "plan.png"))
			require.NoError(t, err)
			defer f.Close()
			img, err := png.Decode(f)
			require.NoError(t, err)
			assert.Greater(t, img.Bounds().Dx(), 1000)
		})
	}
}

// The plan lists every window a fault will be in force, in scenario and wall time:
// each cycle of a flap, and process faults by role and action.
func TestPlanListsEveryFaultWindow(t *testing.T) {
	tests := []struct {
		scenario string
		want     []string
	}{
		{"link-flap", []string{
			"population registry flap: down on portal->registry.population, flapping 4 times",
			"cycle 1: Tue 2025-07-01 08:05:00 → 08:08:00  wall 5s → 8s",
			"cycle 4: Tue 2025-07-01 08:35:00 → 08:38:00  wall 35s → 38s",
			"remote tier flap: down on remote->portal",
			"cycle 4: Tue 2025-07-01 09:20:00 → 09:23:00  wall 1m20s → 1m23s",
		}},
		{"portal-crash", []string{
			"portal killed: kill portal (action=kill, role=portal)",
			"Tue 2025-07-01 08:12:00 → 08:22:00  wall 6s → 11s  (5s wall)",
		}},
		{"registry-brownout", []string{
			"population registry slowing: latency on portal->registry.population (latency=100ms, ramp_to=2s",
			"wall 15s → 30s  (15s wall)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			code, stdout, stderr := execute(t, "plan", tt.scenario, "--out", t.TempDir())
			require.Equal(t, slo.ExitPass, code, stderr)
			for _, want := range tt.want {
				assert.Contains(t, stdout, want)
			}
			assert.NotContains(t, stdout, "for 0s", "no window is empty")
		})
	}
}

func TestPlanWritesIntoOutByDefault(t *testing.T) {
	t.Chdir(t.TempDir())
	code, stdout, stderr := execute(t, "plan", "smoke")
	require.Equal(t, slo.ExitPass, code, stderr)
	assert.Contains(t, stdout, filepath.Join("out", "plan-smoke", "plan.png"))
	assert.FileExists(t, filepath.Join("out", "plan-smoke", "plan.png"))
	assert.NoFileExists(t, "plan.png", "never into the working directory")
}

func TestPlanRejectsBadInput(t *testing.T) {
	code, _, stderr := execute(t, "plan", "no-such", "--out", t.TempDir())
	assert.Equal(t, slo.ExitError, code)
	assert.Contains(t, stderr, "no built-in scenario")
}

// --scale and --compress meet the ranges and limits a scenario file's values meet: they
// are validated with the scenario, never applied after it.
func TestPlanOverridesAreValidated(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"negative scale", []string{"--scale", "-1"}, "--scale -1: load.scale: must be above 0 and at most 1000, got -1"},
		{"NaN compress", []string{"--compress", "NaN"}, "--compress NaN: clock.compress: must be between 0.01 and 1000000, got NaN"},
		{"infinite compress", []string{"--compress", "+Inf"}, `clock.compress: must be between 0.01 and 1000000, got \+Inf`},
		{"NaN scale", []string{"--scale", "NaN"}, "load.scale: must be above 0 and at most 1000, got NaN"},
		// The length follows the scenario's ramps; the test holds the limit, not the hours.
		{"a run longer than a day", []string{"--compress", "1"}, `clock.compress: the run would take \d+h0m0s of wall time; the limit is 24h0m0s`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := execute(t, append([]string{"plan", "july1-surge", "--out", t.TempDir()}, tt.args...)...)
			assert.Equal(t, slo.ExitError, code)
			assert.Regexp(t, tt.want, stderr)
		})
	}
}

// A closed scenario says how many users are online, and the plan shows them: F2's
// 120,000 at scale 1, every one in a session, and the users a run plays.
func TestPlanOfAClosedScenario(t *testing.T) {
	tests := []struct {
		args       []string
		sessions   string
		users, run string
	}{
		{nil, "peak 36,000", "36,000 at scale 0.3", "600 in this run"},
		{[]string{"--scale", "1"}, "peak 120,000", "120,000 at scale 1", "2,000 in this run"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := execute(t, append([]string{"plan", "peak-users", "--out", t.TempDir()}, tt.args...)...)
			require.Equal(t, slo.ExitPass, code, stderr)
			for _, want := range []string{tt.sessions, "against 120,000 the portal is built for (load.peak_sessions): +0.0 %",
				"closed users (always in a session): 120,000 at scale 1", tt.users, tt.run,
				"journey, closed: 108,000 users", "journey, closed: 12,000 users"} {
				assert.Contains(t, stdout, want)
			}
		})
	}
}
