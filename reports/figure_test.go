package reports

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/thongsuot/thongsuot/harness/fault"
	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/scenarios"
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

// classRun is a hand-made run directory of any scenario and classes: windows of 50
// requests per class, latencies and status codes as the functions say.
type classRun struct {
	scenario *scenarios.Scenario
	classes  []string
	windows  int
	latency  func(class string, i int) int64            // µs; 2 ms when nil
	codes    func(class string, i int) map[string]int64 // all 200 when nil
	faults   []journal.FaultWindow
}

func (cr classRun) write(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	s := cr.scenario
	data, err := scenarios.Marshal(s)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, scenarios.ResolvedFile), data, 0o644))
	c := s.Clock.Map()
	wall := c.WallSpan(s.SLOs.Window.Duration)
	started := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	j, err := journal.Create(dir, journal.RunInfo{ID: "r1", Scenario: s.Name, Runtime: "embedded", Started: started,
		Window: wall, Windows: cr.windows, Classes: cr.classes, Version: "test"})
	require.NoError(t, err)
	var ws []*metrics.Window
	for i := range cr.windows {
		for _, class := range cr.classes {
			w := &metrics.Window{Index: i, Class: class, Start: time.Duration(i) * wall,
				Scenario: c.ToScenario(time.Duration(i) * wall), Planned: 50, Sent: 50,
				Codes: map[string]int64{"200": 50}, Latency: metrics.NewHistogram()}
			if cr.codes != nil {
				w.Codes = cr.codes(class, i)
			}
			lat := int64(2000)
			if cr.latency != nil {
				lat = cr.latency(class, i)
			}
			require.NoError(t, w.Latency.RecordValues(lat, 50))
			ws = append(ws, w)
		}
	}
	require.NoError(t, j.AppendWindows(ws))
	for _, f := range cr.faults {
		require.NoError(t, j.AppendFault(f))
	}
	ended := started.Add(time.Duration(cr.windows) * wall)
	require.NoError(t, j.Close(&ended, ended, 0))
	return dir
}

func builtinScenario(t testing.TB, name string) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Open(name)
	require.NoError(t, err)
	return s
}

// surgeClasses are july1-surge's request classes, planned once.
var surgeClasses = sync.OnceValues(func() ([]string, error) {
	s, err := scenarios.Open("july1-surge")
	if err != nil {
		return nil, err
	}
	plan, err := load.NewPlan(s)
	if err != nil {
		return nil, err
	}
	return plan.Classes, nil
})

// surgeRun is july1-surge's classes (25) over its first 80 hours, the login slow (and
// its objective broken) on the morning of 30 June, 503s and timeouts meanwhile.
func surgeRun(t testing.TB) string {
	s := builtinScenario(t, "july1-surge")
	classes, err := surgeClasses()
	require.NoError(t, err)
	return classRun{scenario: s, classes: classes, windows: 80,
		latency: func(class string, i int) int64 {
			if class == "citizen-lookup.login" && i >= 62 && i < 66 {
				return 1_800_000
			}
			return 20_000
		},
		codes: func(class string, i int) map[string]int64 {
			if i >= 62 && i < 66 {
				return map[string]int64{"200": 40, "201": 4, "503": 4, "0": 2}
			}
			return map[string]int64{"200": 46, "201": 4}
		},
		faults: []journal.FaultWindow{{Name: "VNeID overloaded (F24)", Link: "client->identity", Toxic: "latency",
			Params: map[string]string{"latency": "800"}, Start: 62 * time.Second, End: 66 * time.Second,
			Scenario: s.Clock.Start.Time.Add(62 * time.Hour)}},
	}.write(t)
}

// brownoutRun is registry-brownout's classes with submissions slowing and failing (503,
// 504, timeouts) under its faults, as the recorded run had them.
func brownoutRun(t testing.TB) string {
	s := builtinScenario(t, "registry-brownout")
	c := s.Clock.Map()
	var faults []journal.FaultWindow
	for _, f := range s.Faults {
		for _, w := range fault.Windows(f, c) {
			faults = append(faults, journal.FaultWindow{Name: f.Name, Link: f.Link, Toxic: f.Toxic,
				Start: w.Start, End: w.End, Scenario: c.ToScenario(w.Start)})
		}
	}
	return classRun{scenario: s, classes: []string{"catalogue", "status", "login", "submit"}, windows: 60, faults: faults,
		latency: func(class string, i int) int64 {
			if class == "submit" && i >= 15 && i < 40 {
				return 2_400_000
			}
			return 30_000
		},
		codes: func(class string, i int) map[string]int64 {
			if class == "submit" && i >= 25 && i < 45 {
				return map[string]int64{"201": 30, "503": 12, "504": 5, "0": 3}
			}
			if class == "submit" {
				return map[string]int64{"201": 50}
			}
			return map[string]int64{"200": 50}
		},
	}.write(t)
}

// overlaps says whether two rectangles share more than an edge.
func overlaps(a, b vg.Rectangle) bool {
	return a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y
}

// within says whether a lies inside b (edges included, to a hundredth of a point).
func within(a, b vg.Rectangle) bool {
	const e = 0.01
	return a.Min.X >= b.Min.X-e && a.Max.X <= b.Max.X+e && a.Min.Y >= b.Min.Y-e && a.Max.Y <= b.Max.Y+e
}

func TestRectangleHelpers(t *testing.T) {
	r := func(x0, y0, x1, y1 vg.Length) vg.Rectangle {
		return vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x1, Y: y1}}
	}
	tests := []struct {
		name         string
		a, b         vg.Rectangle
		overlap, inA bool // a overlaps b; a lies within b
	}{
		{"apart", r(0, 0, 1, 1), r(2, 2, 3, 3), false, false},
		{"touching edges", r(0, 0, 1, 1), r(1, 0, 2, 1), false, false},
		{"crossing", r(0, 0, 2, 2), r(1, 1, 3, 3), true, false},
		{"inside", r(1, 1, 2, 2), r(0, 0, 3, 3), true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.overlap, overlaps(tt.a, tt.b))
			assert.Equal(t, tt.inA, within(tt.a, tt.b))
		})
	}
}

// allFigures draws every figure of the run directories the layout tests look at, and
// the plans of the built-in scenarios with events and faults.
func allFigures(t *testing.T) map[string]*figure {
	t.Helper()
	out := map[string]*figure{}
	for name, dir := range map[string]string{
		"failing run":       writeRun(t, true),
		"killed run":        writeRun(t, false),
		"days":              makeRun(t, runSpec{complete: true, windows: 10, scenario: multiDayYAML, latency: flat(2000), failed: func(c string, i int) int64 { return int64(i % 3) }}),
		"registry-brownout": brownoutRun(t),
		"july1-surge":       surgeRun(t),
	} {
		r, err := Read(dir)
		require.NoError(t, err)
		figs, err := r.figures()
		require.NoError(t, err)
		for _, f := range figs {
			out[name+"/"+f.Name] = f
		}
	}
	for _, name := range []string{"july1-surge", "link-flap", "registry-brownout"} {
		s := builtinScenario(t, name)
		plan, err := load.NewPlan(s)
		require.NoError(t, err)
		f, err := planFigure(s, plan, load.ScenarioMarkers(s))
		require.NoError(t, err)
		out["plan "+name] = f
	}
	return out
}

// Legends sit beside the data, never on it, and inside the image; titles fit their
// panel; every panel's data lie inside the image; the image is not absurdly tall.
func TestFigureLayoutKeepsLegendsAndTitlesOffTheData(t *testing.T) {
	for name, f := range allFigures(t) {
		t.Run(name, func(t *testing.T) {
			lay := f.layout()
			image := vg.Rectangle{Max: vg.Point{X: lay.Width, Y: lay.Height}}
			assert.LessOrEqual(t, float64(lay.Height), 2.5*float64(lay.Width), "height against width")
			legends := 0
			for i, box := range lay.Panels {
				assert.True(t, within(box.Data, image), "panel %d: data inside the image", i)
				assert.True(t, within(box.Title, image), "panel %d: title %q inside the image", i, f.Panels[i].Title.Text)
				assert.LessOrEqual(t, float64(box.Title.Size().X), float64(box.Tile.Size().X)+0.01, "panel %d: title %q no wider than its panel", i, f.Panels[i].Title.Text)
				assert.False(t, overlaps(box.Title, box.Data), "panel %d: title off the data", i)
				if box.Legend.Size().Y == 0 {
					continue
				}
				legends++
				assert.True(t, within(box.Legend, image), "panel %d: legend %v inside the image %v", i, box.Legend, image)
				for j, other := range lay.Panels {
					assert.False(t, overlaps(box.Legend, other.Data), "panel %d: legend on the data of panel %d", i, j)
					assert.False(t, overlaps(box.Legend, other.Title), "panel %d: legend on the title of panel %d", i, j)
				}
				assert.GreaterOrEqual(t, box.Legend.Min.Y, box.Tile.Min.Y-0.01, "panel %d: legend within its panel's height", i)
			}
			if f.Name != "faults" {
				assert.Positive(t, legends, "the figure has legends")
			}
			// Data areas share one x range, so the panels' time axes line up.
			for i, box := range lay.Panels {
				assert.InDelta(t, float64(lay.Panels[0].Data.Min.X), float64(box.Data.Min.X), 0.5, "panel %d starts with the others", i)
				assert.InDelta(t, float64(lay.Panels[0].Data.Max.X), float64(box.Data.Max.X), 0.5, "panel %d ends with the others", i)
			}
		})
	}
}

// A title longer than the panel is wide is wrapped, not clipped.
func TestLongTitlesWrap(t *testing.T) {
	r, err := Read(writeRun(t, true))
	require.NoError(t, err)
	tests := []struct {
		name  string
		title string
		lines int
	}{
		{"short", "reptest — latency", 1},
		{"long", strings.Repeat("a long scenario name ", 12) + "— latency of every class per 1m window", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := r.panel(tt.title, "ms")
			f := &figure{Name: "t", Panels: []*plot.Plot{p}}
			lay := f.layout()
			box := lay.Panels[0]
			assert.LessOrEqual(t, float64(box.Title.Size().X), float64(box.Tile.Size().X), "title fits")
			assert.GreaterOrEqual(t, strings.Count(p.Title.Text, "\n")+1, tt.lines, "%q", p.Title.Text)
			assert.Equal(t, strings.Fields(tt.title), strings.Fields(p.Title.Text), "no word lost")
		})
	}
}

// With many classes the latency figure keeps to a panel per objective and a few
// panels of journeys; every class is drawn once; each objective's class keeps its SLO
// line and its broken windows ringed.
func TestLatencyFigureGroupsManyClasses(t *testing.T) {
	tests := []struct {
		name      string
		dir       string
		maxPanels int
		own       []string // classes with a panel of their own
		broken    string   // an objective the run breaks
	}{
		{"july1-surge: 25 classes", surgeRun(t), maxLatencyPanels,
			[]string{"citizen-lookup.login", "citizen-lookup.unit", "catalogue", "citizen-dossier.submit"}, "login p95"},
		{"registry-brownout: a panel per class", brownoutRun(t), 4, []string{"catalogue", "status", "login", "submit"}, ""},
		{"two classes", writeRun(t, true), 2, []string{"catalogue", "submit"}, "submit p95"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Read(tt.dir)
			require.NoError(t, err)
			specs := r.latencyPanels()
			assert.LessOrEqual(t, len(specs), tt.maxPanels)
			drawn := map[string]int{}
			var own []string
			for _, s := range specs {
				if s.group() {
					for _, c := range s.classes {
						drawn[c]++
					}
					continue
				}
				own = append(own, s.name)
				drawn[s.name]++
			}
			assert.ElementsMatch(t, tt.own, own)
			for _, c := range r.Journal.Run.Classes {
				assert.Equal(t, 1, drawn[c], "class %s drawn once", c)
			}

			f, err := r.latencyFigure()
			require.NoError(t, err)
			assert.Len(t, f.Panels, len(specs))
			lay := f.layout()
			assert.LessOrEqual(t, float64(lay.Height), 2*float64(lay.Width), "a figure of sensible height")
			svg, err := f.encode(formatSVG)
			require.NoError(t, err)
			if tt.broken != "" {
				assert.Contains(t, string(svg), tt.broken+" broken (", "the fixture breaks %s", tt.broken)
			}
			for i, o := range r.Verdict.Objectives {
				if o.Kind != scenarios.KindLatency {
					continue
				}
				assert.Contains(t, string(svg), "SLO "+r.Scenario.SLOs.Objectives[i].Name+":", "the objective's line")
				if len(o.Failed) > 0 {
					assert.Contains(t, string(svg), o.Name+" broken (", "its broken windows ringed")
				}
			}
		})
	}
}

// budget.png is one short panel when no request failed, the full pair per objective
// when some did.
func TestBudgetFigureIsCompactWhenNothingBurnt(t *testing.T) {
	tests := []struct {
		name   string
		dir    string
		panels int
		maxCm  float64 // image height
	}{
		{"nothing failed", makeRun(t, runSpec{complete: true, latency: flat(2000)}), 1, 6},
		{"503s", makeRun(t, runSpec{complete: true, latency: flat(2000), failed: func(c string, i int) int64 { return int64(i % 2) }}), 2, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Read(tt.dir)
			require.NoError(t, err)
			f, err := r.budgetFigure()
			require.NoError(t, err)
			require.NotNil(t, f)
			assert.Len(t, f.Panels, tt.panels)
			assert.LessOrEqual(t, float64(f.layout().Height), tt.maxCm*float64(vg.Centimeter))
		})
	}
}
