package reports

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A scenario over three days at one window per scenario hour: its axis carries dates.
const multiDayYAML = `name: days
clock: {start: 2025-06-30 00:00, end: 2025-07-02 12:00, compress: 3600}
load: {baseline: 100/s}
mix: [{class: catalogue, weight: 1}, {class: submit, weight: 1}]
slos:
  window: 6h
  objectives:
    - {name: avail, kind: availability, target: 99.5%}
    - {name: all p99, kind: latency, percentile: 99, max: 1s}
`

func TestRenderDrawsEveryFigureInBothFormats(t *testing.T) {
	tests := []struct {
		name  string
		spec  runSpec
		want  []string // figures
		lacks []string
	}{
		{"failing run with a fault", runSpec{complete: true, latency: flat(2000)},
			[]string{"latency", "throughput", "codes", "availability", "budget", "sends", "faults"}, nil},
		{"killed after 4 windows", runSpec{windows: 4, latency: flat(2000)},
			[]string{"latency", "throughput", "codes", "availability", "budget", "sends", "faults"}, nil},
		{"killed before its first window", runSpec{windows: -1, latency: flat(2000)},
			[]string{"latency", "throughput", "codes", "availability", "budget", "sends", "faults"}, nil},
		{"no faults: no timeline", runSpec{complete: true, latency: flat(2000), noFaults: true},
			[]string{"latency", "throughput", "codes", "availability", "budget", "sends"}, []string{"faults"}},
		{"days, with 5xx", runSpec{complete: true, windows: 10, scenario: multiDayYAML, latency: flat(2000),
			failed: func(c string, i int) int64 { return int64(i % 3) }},
			[]string{"latency", "throughput", "codes", "availability", "budget", "sends", "faults"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := makeRun(t, tt.spec)
			sum, err := Render(dir)
			require.NoError(t, err)
			for _, name := range tt.want {
				data, err := os.ReadFile(filepath.Join(dir, name+".png"))
				require.NoError(t, err, name)
				img, err := png.Decode(bytes.NewReader(data))
				require.NoError(t, err, name)
				assert.Equal(t, 1134, img.Bounds().Dx(), "%s: 30 cm at 96 dpi", name)
				svg, err := os.ReadFile(filepath.Join(dir, name+".svg"))
				require.NoError(t, err, name)
				assert.Contains(t, string(svg), "<svg", name)
				assert.Contains(t, sum.Files, name+".png")
			}
			for _, name := range tt.lacks {
				assert.NoFileExists(t, filepath.Join(dir, name+".png"))
			}
		})
	}
}

func TestTimeTicks(t *testing.T) {
	ict, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	require.NoError(t, err)
	at := func(s string) float64 {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, ict)
		require.NoError(t, err)
		return float64(tm.Unix())
	}
	tests := []struct {
		name     string
		from, to string
		days     bool
		want     []string // labelled ticks
	}{
		{"20 minutes of a morning", "2025-07-01 07:30", "2025-07-01 07:50", false, []string{"07:30", "07:35", "07:40", "07:45", "07:50"}},
		{"an unaligned start", "2025-07-01 07:33", "2025-07-01 09:10", false, []string{"07:45", "08:00", "08:15", "08:30", "08:45", "09:00"}},
		{"a day and a half", "2025-06-30 00:00", "2025-07-01 12:00", true, []string{"30 Jun\n00:00", "30 Jun\n06:00", "30 Jun\n12:00", "30 Jun\n18:00", "1 Jul\n00:00", "1 Jul\n06:00", "1 Jul\n12:00"}},
		{"24 days", "2025-06-27 18:00", "2025-07-21 00:00", true, []string{"28 Jun", "1 Jul", "4 Jul", "7 Jul", "10 Jul", "13 Jul", "16 Jul", "19 Jul"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, tk := range (timeTicks{zone: ict, days: tt.days}).Ticks(at(tt.from), at(tt.to)) {
				if tk.Label != "" {
					got = append(got, tk.Label)
				}
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestTimeLabelSaysZoneAndCompression(t *testing.T) {
	r, err := Read(writeRun(t, true))
	require.NoError(t, err)
	assert.Equal(t, "scenario time, Tue 1 Jul 2025, ICT (UTC+07:00) — played at 60×: 1 s of wall time is 1m of scenario time", r.timeLabel())
	days, err := Read(makeRun(t, runSpec{complete: true, scenario: multiDayYAML, latency: flat(1000)}))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(days.timeLabel(), "scenario time, ICT (UTC+07:00) — played at 3600×: 1 s of wall time is 1h"), days.timeLabel())
}
