package reports

import (
	"encoding/json"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/harness/slo"
)

// Files compare writes.
const (
	CompareFile   = "compare.json"
	CompareFigure = "compare" // compare.png, compare.svg
)

// CompareLimits say how much worse a run may be than its base before compare calls
// it a regression.
//
// Latencies (p95, p99 per class, latency objectives, and any other objective where
// lower is better) regress when they rise by more than Latency, relative to the base
// (0.10: 10 %), and by more than MinLatency in absolute terms, so a read going from
// 1.0 ms to 1.3 ms is noise, not a 30 % regression. Availabilities (and any other
// objective in %, where higher is better) regress when they fall by more than
// Availability percentage points.
type CompareLimits struct {
	Latency      float64       `json:"latency_relative"`
	MinLatency   time.Duration `json:"latency_min"`
	Availability float64       `json:"availability_points"`
}

// DefaultCompareLimits: 10 % and 2 ms for latencies, 0.1 points for availability.
var DefaultCompareLimits = CompareLimits{Latency: 0.10, MinLatency: 2 * time.Millisecond, Availability: 0.1}

// Comparison is compare.json: every objective and every class of two runs, side by side.
type Comparison struct {
	Base        string        `json:"base"` // run directories
	Run         string        `json:"run"`
	BaseVerdict string        `json:"base_verdict"`
	RunVerdict  string        `json:"run_verdict"`
	Limits      CompareLimits `json:"limits"`
	Changes     []Change      `json:"changes"`
}

// Change is one value in both runs.
type Change struct {
	Scope     string  `json:"scope"`  // "slo" (an objective) or "class"
	Name      string  `json:"name"`   // the objective's name, or the class ("all" for every class)
	Metric    string  `json:"metric"` // the objective ("p95 ≤ 250ms"), or p95, p99, availability
	Unit      string  `json:"unit"`
	Base      float64 `json:"base"`
	Run       float64 `json:"run"`
	Delta     float64 `json:"delta"`              // run − base, in Unit
	Relative  float64 `json:"relative,omitempty"` // delta ÷ base, for values that are not percentages
	Regressed bool    `json:"regressed"`
	Missing   string  `json:"missing,omitempty"` // "base" or "run": only the other one has it
	higher    bool    // higher is better
}

// Compare sets run against base.
func Compare(base, run *Run, lim CompareLimits) *Comparison {
	bs, rs := NewSummary(base), NewSummary(run)
	c := &Comparison{Base: base.Dir, Run: run.Dir, BaseVerdict: bs.Verdict, RunVerdict: rs.Verdict, Limits: lim}

	baseObj := map[string]slo.Outcome{}
	for _, o := range bs.Objectives {
		baseObj[o.Name] = o
	}
	seen := map[string]bool{}
	for _, o := range rs.Objectives {
		seen[o.Name] = true
		if o.ImpliedBy != "" {
			continue // a class's availability: compared per class below
		}
		ch := Change{Scope: "slo", Name: o.Name, Metric: o.Objective, Unit: o.Unit, Run: o.Overall, higher: o.HigherIsBetter}
		if b, ok := baseObj[o.Name]; ok {
			ch.Base = b.Overall
		} else {
			ch.Missing = "base"
		}
		c.Changes = append(c.Changes, lim.judge(ch))
	}
	for _, o := range bs.Objectives {
		if !seen[o.Name] && o.ImpliedBy == "" {
			c.Changes = append(c.Changes, Change{Scope: "slo", Name: o.Name, Metric: o.Objective, Unit: o.Unit, Base: o.Overall, Missing: "run"})
		}
	}

	baseClass := map[string]ClassTotals{}
	for _, t := range append(append([]ClassTotals(nil), bs.Classes...), bs.Totals) {
		baseClass[t.Class] = t
	}
	for _, t := range append(append([]ClassTotals(nil), rs.Classes...), rs.Totals) {
		b, ok := baseClass[t.Class]
		delete(baseClass, t.Class)
		for _, m := range classMetrics {
			ch := Change{Scope: "class", Name: t.Class, Metric: m.name, Unit: m.unit, Run: m.value(t), higher: m.higher}
			if ok {
				ch.Base = m.value(b)
			} else {
				ch.Missing = "base"
			}
			c.Changes = append(c.Changes, lim.judge(ch))
		}
	}
	for _, class := range bs.Classes {
		if _, left := baseClass[class.Class]; left {
			for _, m := range classMetrics {
				c.Changes = append(c.Changes, Change{Scope: "class", Name: class.Class, Metric: m.name, Unit: m.unit, Base: m.value(class), Missing: "run"})
			}
		}
	}
	return c
}

// classMetrics are what compare looks at for each class.
var classMetrics = []struct {
	name, unit string
	higher     bool
	value      func(ClassTotals) float64
}{
	{"p95", "ms", false, func(t ClassTotals) float64 { return t.P95 }},
	{"p99", "ms", false, func(t ClassTotals) float64 { return t.P99 }},
	{"availability", "%", true, func(t ClassTotals) float64 {
		if t.Sent == 0 {
			return 100
		}
		return 100 * float64(t.Sent-t.Failed) / float64(t.Sent)
	}},
}

// judge fills in the change and decides whether it is a regression.
func (lim CompareLimits) judge(ch Change) Change {
	if ch.Missing != "" {
		return ch
	}
	ch.Delta = ch.Run - ch.Base
	if ch.Unit != "%" && ch.Base != 0 {
		ch.Relative = ch.Delta / ch.Base
	}
	switch {
	case ch.Unit == "%" && ch.higher:
		ch.Regressed = -ch.Delta > lim.Availability
	case ch.Unit == "%":
		ch.Regressed = ch.Delta > lim.Availability
	case ch.higher:
		ch.Regressed = -ch.Delta > lim.Latency*math.Abs(ch.Base)
	default:
		floor := 0.0
		if ch.Unit == "ms" {
			floor = float64(lim.MinLatency) / float64(time.Millisecond)
		}
		ch.Regressed = ch.Delta > lim.Latency*ch.Base && ch.Delta > floor
	}
	return ch
}

// Regressions are the changes beyond the limits.
func (c *Comparison) Regressions() []Change {
	var out []Change
	for _, ch := range c.Changes {
		if ch.Regressed {
			out = append(out, ch)
		}
	}
	return out
}

// Describe says a change in words: "+50.3ms (+2510.0 %)", "−0.40 points".
func (ch Change) Describe() string {
	switch {
	case ch.Missing != "":
		return "only in the " + map[string]string{"base": "run", "run": "base"}[ch.Missing]
	case ch.Unit == "%":
		return fmt.Sprintf("%+.2f points", ch.Delta)
	case ch.Base == 0:
		return fmt.Sprintf("%+.4g%s", ch.Delta, ch.Unit)
	}
	return fmt.Sprintf("%+.1f%s (%+.1f%%)", ch.Delta, ch.Unit, 100*ch.Relative)
}

// Write writes compare.json.
func (c *Comparison) Write(path string) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// WriteCompareFigure draws the two runs over each other into dir (compare.png and
// compare.svg): per class, p95 and p99 of each window, the base dashed; then the
// availability of all classes. Base windows are placed at the same offset from the
// scenario's start as in the base run, so two runs of one scenario line up.
func WriteCompareFigure(base, run *Run, dir string) error {
	f := &figure{Name: CompareFigure}
	label := func(r *Run, role string) string { return fmt.Sprintf("%s (%s)", role, r.Journal.Run.ID) }
	classes := append(append([]string(nil), run.Journal.Run.Classes...), "")
	for _, class := range classes {
		var p *plot.Plot
		if class == "" {
			p = run.panel(fmt.Sprintf("availability of all classes: %s vs %s", label(run, "run"), label(base, "base")), "answered (% of requests)")
		} else {
			p = run.panel(fmt.Sprintf("%s latency: %s vs %s", class, label(run, "run"), label(base, "base")), "latency (ms, log scale)")
			p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
			p.Y.Min, p.Y.Max = minLatencyMs, 1
		}
		lo := 100.0
		for _, side := range []struct {
			r      *Run
			role   string
			dashed bool
		}{{base, "base", true}, {run, "run", false}} {
			if class == "" {
				pts := overlay(side.r, run, "", func(w *metrics.Window) (float64, bool) { return w.Availability(), w.Sent > 0 })
				for _, pt := range pts {
					lo = min(lo, pt.Y)
				}
				if err := addLine(p, pts, series{name: side.role, color: compareColor(side.role, 95), dashed: side.dashed}); err != nil {
					return err
				}
				continue
			}
			for _, pc := range []float64{95, 99} {
				pts := overlay(side.r, run, class, func(w *metrics.Window) (float64, bool) {
					return max(ms(w.Percentile(pc)), minLatencyMs), w.Sent > 0
				})
				for _, pt := range pts {
					p.Y.Max = max(p.Y.Max, pt.Y)
				}
				width := vg.Points(1.5)
				if pc == 99 {
					width = vg.Points(0.8)
				}
				if err := addLine(p, pts, series{name: fmt.Sprintf("%s p%g", side.role, pc), color: compareColor(side.role, pc), width: width, dashed: side.dashed}); err != nil {
					return err
				}
			}
		}
		if class == "" {
			availabilityAxis(p, lo)
		} else {
			p.Y.Max *= 8
		}
		f.Panels = append(f.Panels, p)
	}
	_, err := f.write(dir)
	return err
}

// overlay places src's windows on dst's time axis, at the same offset from the start.
func overlay(src, dst *Run, class string, value func(*metrics.Window) (float64, bool)) plotter.XYs {
	shift := dst.Clock.Start.Sub(src.Clock.Start)
	var pts plotter.XYs
	for i := range src.windowCount() {
		if w := src.window(i, class); w != nil {
			if v, ok := value(w); ok {
				mid := src.Clock.ToScenario(w.Start + src.Journal.Run.Window/2).Add(shift)
				pts = append(pts, plotter.XY{X: dst.x(mid), Y: v})
			}
		}
	}
	return pts
}

func compareColor(role string, pc float64) color.Color {
	if role == "base" {
		return color.Gray{Y: uint8(map[float64]int{95: 90, 99: 150}[pc])}
	}
	if pc == 99 {
		return errorColor
	}
	return achievedColor
}

// CompareFiles are the files WriteCompareFigure and Comparison.Write leave in a directory.
func CompareFiles(dir string) []string {
	return []string{filepath.Join(dir, CompareFile), filepath.Join(dir, CompareFigure+".png"), filepath.Join(dir, CompareFigure+".svg")}
}
