package reports

import (
	"fmt"
	"image/color"
	"os"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

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
	{50, "p50", color.NRGBA{R: 70, G: 130, B: 180, A: 255}},
	{95, "p95", color.NRGBA{R: 230, G: 140, B: 20, A: 255}},
	{99, "p99", color.NRGBA{R: 180, G: 30, B: 30, A: 255}},
}

// WriteLatencyPlot draws one panel per class (and one for all classes when an
// objective judges them together), stacked, sharing the time axis.
func WriteLatencyPlot(r *Run, path string) error {
	panels := r.Journal.Run.Classes
	for _, o := range r.Scenario.SLOs.Objectives {
		if o.Kind == scenarios.KindLatency && o.Class == "" {
			panels = append(panels, "")
			break
		}
	}
	byIndex := map[int][]*metrics.Window{}
	for _, w := range r.Journal.Windows {
		byIndex[w.Index] = append(byIndex[w.Index], w)
	}
	var plots [][]*plot.Plot
	for _, class := range panels {
		p, err := r.latencyPanel(class, byIndex)
		if err != nil {
			return err
		}
		plots = append(plots, []*plot.Plot{p})
	}
	const width, panelHeight = 30 * vg.Centimeter, 9 * vg.Centimeter
	img := vgimg.New(width, panelHeight*vg.Length(len(plots)))
	dc := draw.New(img)
	canvases := plot.Align(plots, draw.Tiles{Rows: len(plots), Cols: 1, PadY: vg.Centimeter / 2}, dc)
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		return err
	}
	return f.Close()
}

func (r *Run) latencyPanel(class string, byIndex map[int][]*metrics.Window) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s — latency of %s per %s window", r.Scenario.Name, orAll(class), shortDuration(r.Scenario.SLOs.Window.Duration))
	// A log scale keeps millisecond reads and a seconds-long SLO or fault readable on one panel.
	p.Y.Label.Text = "latency (ms, log scale)"
	p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	p.Y.Min, p.Y.Max = minLatencyMs, 1
	r.timeAxis(p)
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	shade := r.faultShade()
	p.Add(shade)
	if len(shade.spans) > 0 {
		p.Legend.Add("fault", shade)
	}

	half := r.Clock.ScenarioSpan(r.Journal.Run.Window) / 2
	for _, pc := range percentiles {
		var pts plotter.XYs
		for i := 0; i < r.Journal.Run.Windows; i++ {
			w := slo.Select(byIndex[i], class)
			if w == nil || w.Sent == 0 {
				continue
			}
			y := max(ms(w.Percentile(pc.q)), minLatencyMs)
			pts = append(pts, plotter.XY{X: r.x(w.Scenario.Add(half)), Y: y})
			p.Y.Max = max(p.Y.Max, y*2)
		}
		if len(pts) == 0 {
			continue
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		line.Color, line.Width = pc.color, vg.Points(1.5)
		p.Add(line)
		p.Legend.Add(pc.name, line)
	}
	for _, o := range r.Scenario.SLOs.Objectives {
		if o.Kind != scenarios.KindLatency || o.Class != class {
			continue
		}
		limit := ms(o.Max.Duration)
		line, err := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: limit}, {X: p.X.Max, Y: limit}})
		if err != nil {
			return nil, err
		}
		line.Color, line.Dashes = color.Black, []vg.Length{vg.Points(6), vg.Points(3)}
		p.Add(line)
		p.Legend.Add(fmt.Sprintf("SLO %s: p%g ≤ %s", o.Name, o.Percentile, o.Max.Duration.Round(time.Millisecond)), line)
		p.Y.Max = max(p.Y.Max, limit*2)
		p.Y.Min = min(p.Y.Min, max(limit/2, minLatencyMs/10))
	}
	return p, nil
}
