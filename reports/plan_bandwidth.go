package reports

import (
	"image/color"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// PlanBandwidthFile is the plan's Mbps per tier and province at the peak.
const PlanBandwidthFile = "plan-bandwidth.png"

// TrafficBar is one tier's or province's Mbps each way.
type TrafficBar struct {
	Name             string
	UpMbps, DownMbps float64
}

// WriteTrafficBars draws Mbps up and down per tier (top) and per province (bottom,
// as given: busiest first) into a PNG.
func WriteTrafficBars(path, title string, tiers, provinces []TrafficBar) error {
	top := trafficPanel(title+" — per link tier", tiers)
	bottom := trafficPanel("per province", provinces)
	const width = 11 * vg.Inch
	img := vgimg.NewWith(vgimg.UseWH(width, 9*vg.Inch), vgimg.UseDPI(figureDPI), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadTop: vg.Points(6), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(12), PadY: vg.Points(14)}
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

func trafficPanel(title string, bars []TrafficBar) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = "Mbps (real time)"
	p.Add(grid())
	up, down := make(plotter.Values, len(bars)), make(plotter.Values, len(bars))
	names := make([]string, len(bars))
	for i, b := range bars {
		up[i], down[i], names[i] = b.UpMbps, b.DownMbps, b.Name
	}
	w := vg.Points(7)
	if len(bars) <= 5 {
		w = vg.Points(30)
	}
	if d, err := plotter.NewBarChart(down, w); err == nil {
		d.Color, d.LineStyle.Width = achievedColor, 0
		d.Offset = -w / 2
		p.Add(d)
		p.Legend.Add("down (answers)", d)
	}
	if u, err := plotter.NewBarChart(up, w); err == nil {
		u.Color, u.LineStyle.Width = lateColor, 0
		u.Offset = w / 2
		p.Add(u)
		p.Legend.Add("up (requests)", u)
	}
	p.NominalX(names...)
	if len(bars) > 5 {
		p.X.Tick.Label.Rotation = 1.2
		p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YCenter
	}
	p.Legend.Top = true
	p.Y.Min = 0
	return p
}
