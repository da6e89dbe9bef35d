package reports

import (
	"fmt"
	"image/color"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/scenarios"
)

// LatencyFile is the latency plot: per class, p50/p95/p99 per window over scenario
// time, each latency objective as a line, and fault windows shaded.
const LatencyFile = "latency.png"

// minLatencyMs is the floor of the log-scale latency axis.
const minLatencyMs = 0.1

var percentiles = []struct {
	q     float64
	name  string
	color color.Color
}{
	{50, "p50", percentileColors[50]},
	{95, "p95", percentileColors[95]},
	{99, "p99", percentileColors[99]},
}

// latencyFigure has one panel per class (and one for all classes when an objective
// judges them together), stacked, sharing the time axis.
func (r *Run) latencyFigure() (*figure, error) {
	f := &figure{Name: "latency", Title: "Latency per request class",
		Caption: "p50, p95 and p99 of each window (log scale); dashed lines are the latency objectives, red rings the windows that broke one."}
	for _, class := range r.latencyPanels() {
		p, err := r.latencyPanel(class)
		if err != nil {
			return nil, err
		}
		f.Panels = append(f.Panels, p)
	}
	return f, nil
}

// latencyPanels are the classes of the run, and "" (all) when an objective judges
// every class together.
func (r *Run) latencyPanels() []string {
	panels := append([]string(nil), r.Journal.Run.Classes...)
	for _, o := range r.Scenario.SLOs.Objectives {
		if o.Kind == scenarios.KindLatency && o.Class == "" {
			return append(panels, "")
		}
	}
	return panels
}

func (r *Run) latencyPanel(class string) (*plot.Plot, error) {
	p := r.panel(fmt.Sprintf("%s — latency of %s per %s window", r.Scenario.Name, orAll(class), shortDuration(r.Scenario.SLOs.Window.Duration)),
		"latency (ms, log scale)")
	// A log scale keeps millisecond reads and a seconds-long SLO or fault readable on one panel.
	p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	p.Y.Min, p.Y.Max = minLatencyMs, 1
	for _, pc := range percentiles {
		pts := r.points(class, func(w *metrics.Window) (float64, bool) {
			return max(ms(w.Percentile(pc.q)), minLatencyMs), w.Sent > 0
		})
		for _, pt := range pts {
			p.Y.Max = max(p.Y.Max, pt.Y)
		}
		if err := addLine(p, pts, series{name: pc.name, color: pc.color}); err != nil {
			return nil, err
		}
	}
	for i, o := range r.Scenario.SLOs.Objectives {
		if o.Kind != scenarios.KindLatency || o.Class != class {
			continue
		}
		limit := ms(o.Max.Duration)
		if err := addLimit(p, limit, fmt.Sprintf("SLO %s: p%s ≤ %s", o.Name, strconv.FormatFloat(o.Percentile, 'g', -1, 64), o.Max.Duration)); err != nil {
			return nil, err
		}
		p.Y.Max = max(p.Y.Max, limit)
		p.Y.Min = min(p.Y.Min, max(limit/2, minLatencyMs/10))
		if i < len(r.Verdict.Objectives) {
			if err := r.addBreaches(p, r.Verdict.Objectives[i]); err != nil {
				return nil, err
			}
		}
	}
	p.Y.Max *= 1.5 // on a log scale, a little room above the highest value (the legend is beside the panel)
	return p, nil
}

// addBreaches rings the windows where an objective failed, at the failing value.
func (r *Run) addBreaches(p *plot.Plot, o slo.Outcome) error {
	if len(o.Failed) == 0 {
		return nil
	}
	var pts plotter.XYs
	for _, f := range o.Failed {
		if w := r.window(f.Index, o.Class); w != nil {
			pts = append(pts, plotter.XY{X: r.xMid(w), Y: max(f.Value, p.Y.Min)})
		}
	}
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	s.GlyphStyle = draw.GlyphStyle{Color: breachColor, Radius: vg.Points(4), Shape: draw.RingGlyph{}}
	p.Add(s)
	p.Legend.Add(fmt.Sprintf("%s broken (%d windows)", o.Name, len(o.Failed)), s)
	return nil
}
