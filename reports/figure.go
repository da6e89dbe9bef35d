package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// A figure is one image of the report: panels stacked over a shared scenario-time axis,
// written as PNG (inlined in report.html) and SVG (for slides and print).
type figure struct {
	Name    string // file name without extension: latency → latency.png, latency.svg
	Title   string // heading in report.html
	Caption string // what to read in it, one or two sentences
	Panels  []*plot.Plot
	Height  vg.Length // of each panel; panelHeight when zero
}

// Figure sizes: wide enough for a day of ticks, tall enough for a legend above the data.
const (
	figureWidth = 30 * vg.Centimeter
	panelHeight = 9 * vg.Centimeter
	figureDPI   = 96
)

// Image formats every figure is written in.
const (
	formatPNG = "png"
	formatSVG = "svg"
)

// figureMakers draw the report's figures in the order report.html shows them. A maker
// returns nil when its figure has nothing to show for this run.
var figureMakers = []func(*Run) (*figure, error){
	(*Run).latencyFigure,
	(*Run).throughputFigure,
	(*Run).codesFigure,
	(*Run).availabilityFigure,
	(*Run).budgetFigure,
	(*Run).sendsFigure,
	(*Run).faultsFigure,
}

// Figures draws every figure the run has something to show for.
func (r *Run) figures() ([]*figure, error) {
	var out []*figure
	for _, draw := range figureMakers {
		f, err := draw(r)
		if err != nil {
			return nil, err
		}
		if f != nil {
			out = append(out, f)
		}
	}
	return out, nil
}

// encode draws the figure in one format.
func (f *figure) encode(format string) ([]byte, error) {
	each := f.Height
	if each == 0 {
		each = panelHeight
	}
	height := each * vg.Length(len(f.Panels))
	var (
		canvas vg.CanvasWriterTo
		dc     draw.Canvas
	)
	switch format {
	case formatPNG:
		img := vgimg.NewWith(vgimg.UseWH(figureWidth, height), vgimg.UseDPI(figureDPI))
		canvas, dc = vgimg.PngCanvas{Canvas: img}, draw.New(img)
	case formatSVG:
		img := vgsvg.New(figureWidth, height)
		canvas, dc = img, draw.New(img)
	default:
		return nil, fmt.Errorf("figure %s: unknown format %q", f.Name, format)
	}
	rows := make([][]*plot.Plot, len(f.Panels))
	for i, p := range f.Panels {
		rows[i] = []*plot.Plot{p}
	}
	canvases := plot.Align(rows, draw.Tiles{Rows: len(rows), Cols: 1, PadY: vg.Centimeter / 2, PadTop: vg.Centimeter / 4}, dc)
	for i, p := range f.Panels {
		label := p.X.Label.Text
		if i < len(f.Panels)-1 { // the panels share the axis: say what it is once, at the bottom
			p.X.Label.Text = ""
		}
		p.Draw(canvases[i][0])
		p.X.Label.Text = label
	}
	var buf bytes.Buffer
	if _, err := canvas.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("figure %s: %w", f.Name, err)
	}
	return buf.Bytes(), nil
}

// write writes name.png and name.svg into dir and returns the PNG.
func (f *figure) write(dir string) (png []byte, err error) {
	for _, format := range []string{formatPNG, formatSVG} {
		data, err := f.encode(format)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name+"."+format), data, 0o644); err != nil {
			return nil, err
		}
		if format == formatPNG {
			png = data
		}
	}
	return png, nil
}

// panel starts a plot over the run's scenario time with its fault windows shaded.
func (r *Run) panel(title, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = yLabel
	r.timeAxis(p)
	p.Legend.Top = true
	p.Add(grid())
	shade := r.faultShade()
	p.Add(shade)
	if len(shade.spans) > 0 {
		p.Legend.Add("fault window", shade)
	}
	if rec := r.recoveryShade(); len(rec.spans) > 0 {
		p.Add(rec)
		p.Legend.Add("recovery (until every SLO held again)", rec)
	}
	return p
}

// grid is the panels' light grid.
func grid() *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical.Color, g.Horizontal.Color = gridColor, gridColor
	return g
}

// headroom sets a linear y axis from 0 to above top, leaving the upper part of the
// panel for the legend so it does not cover the data.
func headroom(p *plot.Plot, top float64) {
	p.Y.Min = 0
	p.Y.Max = max(top, 1) * 1.35
}

// series is a line's look.
type series struct {
	name   string
	color  color.Color
	width  vg.Length
	dashed bool
	step   bool        // a value holds for its whole window
	fill   color.Color // fill down to the axis
}

// addLine adds a line to p and to its legend; empty series are left out.
func addLine(p *plot.Plot, pts plotter.XYs, s series) error {
	if len(pts) == 0 {
		return nil
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	l.Color, l.Width = s.color, s.width
	if l.Width == 0 {
		l.Width = vg.Points(1.5)
	}
	if s.dashed {
		l.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
	}
	if s.step {
		l.StepStyle = plotter.PostStep
	}
	l.FillColor = s.fill
	p.Add(l)
	if s.name != "" {
		p.Legend.Add(s.name, l)
	}
	return nil
}

// addLimit draws a horizontal objective line across the panel.
func addLimit(p *plot.Plot, y float64, name string) error {
	return addLine(p, plotter.XYs{{X: p.X.Min, Y: y}, {X: p.X.Max, Y: y}}, series{name: name, color: limitColor, width: vg.Points(1), dashed: true})
}

// classColor gives each request class the same colour in every figure.
func (r *Run) classColor(class string) color.Color {
	for i, c := range r.Journal.Run.Classes {
		if c == class {
			return categoricalColor(i)
		}
	}
	return intendedColor
}
