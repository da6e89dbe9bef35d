package sizing

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// tierColors: one hue per tier, none red (red rings mark failed probes).
var tierColors = []color.Color{
	color.NRGBA{R: 31, G: 119, B: 180, A: 255},  // blue
	color.NRGBA{R: 44, G: 160, B: 44, A: 255},   // green
	color.NRGBA{R: 255, G: 127, B: 14, A: 255},  // orange
	color.NRGBA{R: 148, G: 103, B: 189, A: 255}, // purple
	color.NRGBA{R: 140, G: 86, B: 75, A: 255},   // brown
}

var failedColor = color.NRGBA{R: 213, G: 0, B: 0, A: 255}

// WritePNG draws sizing.png: per tier, p95 (top) and availability (bottom) against the
// uplink's bandwidth on a log axis; the objectives' limits dashed; failed probes ringed
// in red; the chosen bandwidth a large diamond; the analytic estimate a dotted line.
func (s Sizing) WritePNG(path string) error {
	top, bottom := plot.New(), plot.New()
	top.Title.Text = fmt.Sprintf("%s: least uplink bandwidth per tier", s.Scenario)
	if s.Units > 1 {
		top.Title.Text += fmt.Sprintf(" (%d units per link)", s.Units)
	}
	top.Y.Label.Text = "p95 (ms)"
	bottom.Y.Label.Text = "availability (%)"
	bottom.X.Label.Text = "uplink bandwidth, shared by the link's connections (Mbps, log scale)"
	for _, p := range []*plot.Plot{top, bottom} {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = mbpsTicks{}
		p.Add(plotter.NewGrid())
		p.Legend.Top = true
	}
	lo, hi, worst := math.Inf(1), math.Inf(-1), 0.0
	var p95Limit, target float64
	for i, r := range s.Results {
		c := tierColors[i%len(tierColors)]
		probes := capped(r.Probes)
		if len(probes) == 0 {
			continue
		}
		lat, av := make(plotter.XYs, len(probes)), make(plotter.XYs, len(probes))
		var failedLat, failedAv plotter.XYs
		for k, p := range probes {
			lat[k] = plotter.XY{X: p.Mbps, Y: ms(p.P95)}
			worst = math.Max(worst, ms(p.P95))
			av[k] = plotter.XY{X: p.Mbps, Y: p.Availability}
			lo, hi = math.Min(lo, p.Mbps), math.Max(hi, p.Mbps)
			p95Limit, target = math.Max(p95Limit, ms(p.P95Limit)), math.Max(target, p.Target)
			if p.Verdict != Held {
				failedLat, failedAv = append(failedLat, lat[k]), append(failedAv, av[k])
			}
		}
		for _, pair := range []struct {
			p        *plot.Plot
			xys, bad plotter.XYs
		}{{top, lat, failedLat}, {bottom, av, failedAv}} {
			line, points, err := plotter.NewLinePoints(pair.xys)
			if err != nil {
				return err
			}
			line.Color, points.Color, points.Shape = c, c, draw.CircleGlyph{}
			pair.p.Add(line, points)
			if pair.p == top {
				pair.p.Legend.Add(r.Tier, line, points)
			}
			if len(pair.bad) > 0 {
				rings, err := plotter.NewScatter(pair.bad)
				if err != nil {
					return err
				}
				rings.Color, rings.Shape, rings.Radius = failedColor, draw.RingGlyph{}, vg.Points(5)
				pair.p.Add(rings)
			}
		}
		if chosen, ok := r.Chosen(); ok {
			for _, pt := range []struct {
				p  *plot.Plot
				xy plotter.XY
			}{{top, plotter.XY{X: chosen.Mbps, Y: ms(chosen.P95)}}, {bottom, plotter.XY{X: chosen.Mbps, Y: chosen.Availability}}} {
				mark, err := plotter.NewScatter(plotter.XYs{pt.xy})
				if err != nil {
					return err
				}
				mark.Color, mark.Shape, mark.Radius = c, draw.PyramidGlyph{}, vg.Points(7)
				pt.p.Add(mark)
				if pt.p == top {
					pt.p.Legend.Add(fmt.Sprintf("%s: chosen %s", r.Tier, mbpsText(chosen.Mbps)), mark)
				}
			}
		}
		if r.Analytic > 0 {
			lo = math.Min(lo, r.Analytic)
			for _, p := range []*plot.Plot{top, bottom} {
				v := vline{x: r.Analytic, c: c}
				p.Add(v)
				if p == top {
					p.Legend.Add(fmt.Sprintf("%s: analytic %.2f Mbps", r.Tier, r.Analytic), v)
				}
			}
		}
	}
	if math.IsInf(lo, 0) {
		lo, hi = 1, 10
	}
	for _, p := range []*plot.Plot{top, bottom} {
		p.X.Min, p.X.Max = lo/1.3, hi*1.3
	}
	top.Y.Min = 0
	if p95Limit > 0 {
		addLimit(top, p95Limit, "p95 objective")
	}
	// Room above the data for the legend.
	top.Y.Max = 1.7 * math.Max(math.Max(worst, p95Limit), 1)
	if target > 0 {
		addLimit(bottom, target, "availability objective")
		bottom.Y.Max = 100.5
	}
	const width, height = 9 * vg.Inch, 8 * vg.Inch
	img := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(110), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadTop: vg.Points(6), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(12), PadY: vg.Points(10)}
	canvases := plot.Align([][]*plot.Plot{{top}, {bottom}}, tiles, dc)
	top.Draw(canvases[0][0])
	bottom.Draw(canvases[1][0])
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// capped are the judged probes with a bandwidth (uncapped ones have no place on the
// axis; unjudged ones no value to draw), by bandwidth.
func capped(ps []Probe) []Probe {
	var out []Probe
	for _, p := range ps {
		if p.Mbps > 0 && p.Verdict != Inconclusive {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Mbps < out[j].Mbps })
	return out
}

// addLimit draws an objective's limit across p, dashed.
func addLimit(p *plot.Plot, y float64, label string) {
	l, err := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: y}, {X: p.X.Max, Y: y}})
	if err != nil {
		return
	}
	l.Color, l.Dashes = color.Black, []vg.Length{vg.Points(5), vg.Points(3)}
	p.Add(l)
	p.Legend.Add(label, l)
}

// vline is a dotted vertical line at x, across the panel.
type vline struct {
	x float64
	c color.Color
}

func (v vline) style() draw.LineStyle {
	return draw.LineStyle{Color: v.c, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(1.5), vg.Points(3)}}
}

func (v vline) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x := trX(v.x)
	c.StrokeLine2(v.style(), x, c.Min.Y, x, c.Max.Y)
}

func (v vline) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(v.style(), c.Min.X, y, c.Max.X, y)
}

// mbpsTicks labels 1, 2 and 5 of every decade, the others unlabelled.
type mbpsTicks struct{}

func (mbpsTicks) Ticks(min, max float64) []plot.Tick {
	var ts []plot.Tick
	for e := math.Floor(math.Log10(min)); math.Pow(10, e) <= max; e++ {
		d := math.Pow(10, e)
		for k := 1.0; k < 10; k++ {
			v := k * d
			if v < min || v > max {
				continue
			}
			t := plot.Tick{Value: v}
			if k == 1 || k == 2 || k == 5 || max/min < 10 {
				t.Label = strconv.FormatFloat(v, 'g', 3, 64)
			}
			ts = append(ts, t)
		}
	}
	return ts
}
