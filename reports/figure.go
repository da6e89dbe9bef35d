package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// A figure is one image of the report: panels stacked over a shared scenario-time axis,
// written as PNG (inlined in report.html) and SVG (for slides and print). Each panel's
// legend sits beside its data, in a column the layout reserves, never on the data.
type figure struct {
	Name    string // file name without extension: latency → latency.png, latency.svg
	Title   string // heading in report.html
	Caption string // what to read in it, one or two sentences
	Panels  []*plot.Plot
	Height  vg.Length   // of each panel; panelHeight when zero
	Heights []vg.Length // per panel, where not zero: overrides Height
	Width   vg.Length   // of the image; figureWidth when zero
	// Bands are drawn in room reserved between a panel's title and its data (the plan's
	// event labels); per panel, nil for none.
	Bands []band
}

// A band is laid out in canvas units above a panel's data, sharing its x axis.
type band interface {
	// height is the room the band needs above the data canvas of p.
	height(p *plot.Plot, data draw.Canvas) vg.Length
	// draw draws the band into c, above data.
	draw(p *plot.Plot, c, data draw.Canvas)
}

// Figure sizes: wide enough for a day of ticks beside a column of legends.
const (
	figureWidth = 30 * vg.Centimeter
	panelHeight = 8 * vg.Centimeter
	figureDPI   = 96

	legendFontSize = 10 // points
	legendGap      = vg.Length(0.4 * vg.Centimeter)
	padTop         = vg.Length(0.3 * vg.Centimeter)
	padBottom      = vg.Length(0.2 * vg.Centimeter)
	padBetween     = vg.Length(0.6 * vg.Centimeter)
	padRight       = vg.Length(0.2 * vg.Centimeter)
	padLeft        = vg.Length(0.15 * vg.Centimeter)
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
	(*Run).bandwidthFigure,
	(*Run).codesFigure,
	(*Run).availabilityFigure,
	(*Run).budgetFigure,
	(*Run).sendsFigure,
	(*Run).sessionsFigure,
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

// figureLayout is where everything of a figure goes, in canvas units (origin bottom left).
type figureLayout struct {
	Width, Height vg.Length
	Panels        []panelBox
}

// panelBox is one panel's place in its figure.
type panelBox struct {
	Tile   vg.Rectangle // the panel's share of the image, legend column excluded
	Data   vg.Rectangle // where its data are drawn
	Title  vg.Rectangle // its title as drawn
	Legend vg.Rectangle // its legend, beside the data; empty when it has none
	Band   vg.Rectangle // room between title and data; empty when it has none
	YLabel vg.Rectangle // the y axis label, left of the tick labels
}

func (f *figure) width() vg.Length {
	if f.Width > 0 {
		return f.Width
	}
	return figureWidth
}

func (f *figure) band(i int) band {
	if i < len(f.Bands) {
		return f.Bands[i]
	}
	return nil
}

// baseHeights are the panel heights the figure asks for.
func (f *figure) baseHeights() []vg.Length {
	each := f.Height
	if each == 0 {
		each = panelHeight
	}
	hs := make([]vg.Length, len(f.Panels))
	for i := range hs {
		hs[i] = each
		if i < len(f.Heights) && f.Heights[i] > 0 {
			hs[i] = f.Heights[i]
		}
	}
	return hs
}

// legendSize is how much room p's legend takes when drawn beside it.
func legendSize(p *plot.Plot) (w, h vg.Length) {
	l := &p.Legend
	l.TextStyle.Font.Size = vg.Points(legendFontSize)
	l.Padding = vg.Points(2)
	l.Top, l.Left = true, true
	size := l.Rectangle(draw.Canvas{}).Size()
	if size.Y == 0 {
		return 0, 0
	}
	em := l.TextStyle.Rectangle(" ").Max.X
	return size.X + em, size.Y + l.TextStyle.FontExtents().Descent
}

// layout places the panels: stacked from the top, each as tall as it asks for (taller
// when its legend or band needs it), their data areas aligned on one x range, the
// legends in a column on the right beside their panel's data, titles wrapped to fit.
func (f *figure) layout() figureLayout {
	width := f.width()
	column := vg.Length(0)
	for _, p := range f.Panels {
		if w, _ := legendSize(p); w > 0 {
			column = max(column, w+legendGap)
		}
	}
	heights := f.baseHeights()
	lay := f.place(width, column, heights, nil)
	bands := make([]vg.Length, len(f.Panels))
	grow := false
	for i, p := range f.Panels {
		data := draw.Canvas{Rectangle: lay.Panels[i].Data}
		if b := f.band(i); b != nil {
			bands[i] = b.height(p, data)
		}
		_, lh := legendSize(p)
		need := bands[i] + max(0, lh-lay.Panels[i].Data.Size().Y)
		if need > 0 {
			heights[i] += need
			grow = true
		}
	}
	if grow {
		lay = f.place(width, column, heights, bands)
	}
	return lay
}

// place lays the panels out at the given heights, with the given bands above their data.
func (f *figure) place(width, column vg.Length, heights, bands []vg.Length) figureLayout {
	lay := figureLayout{Width: width, Height: padTop + padBottom}
	for i, h := range heights {
		lay.Height += h
		if i > 0 {
			lay.Height += padBetween
		}
	}
	left := width - column - padRight
	if column == 0 {
		left = width
	}
	// First the tiles, top down, each y label wrapped to the height of its data, with
	// room on the left for it.
	tiles := make([]draw.Canvas, len(f.Panels))
	rooms := make([]vg.Length, len(f.Panels))
	top := lay.Height - padTop
	for i, p := range f.Panels {
		tiles[i] = draw.Canvas{Rectangle: vg.Rectangle{Min: vg.Point{X: padLeft, Y: top - heights[i]}, Max: vg.Point{X: left, Y: top}}}
		top -= heights[i] + padBetween
		p.Title.Padding = max(p.Title.Padding, vg.Points(5)) // between the title and a ring at the top of the data
		d := f.dataCanvas(i, tiles[i])
		p.Y.Label.Text = wrapText(p.Y.Label.TextStyle, p.Y.Label.Text, d.Size().Y)
		if p.Y.Label.Text != "" {
			rooms[i] = p.Y.Label.TextStyle.Rectangle(p.Y.Label.Text).Size().Y + max(p.Y.Label.Padding, vg.Points(4))
		}
	}
	// Then align the data areas: every panel's data start and end at the same x.
	var lpad, rpad vg.Length
	for i := range f.Panels {
		d := f.dataCanvas(i, draw.Crop(tiles[i], rooms[i], 0, 0, 0))
		lpad, rpad = max(lpad, d.Min.X-tiles[i].Min.X), max(rpad, tiles[i].Max.X-d.Max.X)
	}
	for i, p := range f.Panels {
		d := f.dataCanvas(i, draw.Crop(tiles[i], rooms[i], 0, 0, 0))
		tile := draw.Crop(tiles[i], lpad-(d.Min.X-tiles[i].Min.X), -(rpad - (tiles[i].Max.X - d.Max.X)), 0, 0)
		var bh vg.Length
		if i < len(bands) {
			bh = bands[i]
		}
		inner := draw.Crop(tile, rooms[i], 0, 0, 0)
		p.Title.Text = wrapText(p.Title.TextStyle, p.Title.Text, inner.Size().X) // the title is centred over inner
		p.Title.Padding += bh
		data := f.dataCanvas(i, inner).Rectangle
		p.Title.Padding -= bh
		box := panelBox{Tile: inner.Rectangle, Data: data}
		if rooms[i] > 0 {
			box.YLabel = vg.Rectangle{Min: vg.Point{X: tile.Min.X, Y: data.Min.Y}, Max: vg.Point{X: tile.Min.X + rooms[i], Y: data.Max.Y}}
		}
		if bh > 0 {
			box.Band = vg.Rectangle{Min: vg.Point{X: data.Min.X, Y: data.Max.Y}, Max: vg.Point{X: data.Max.X, Y: data.Max.Y + bh}}
		}
		if p.Title.Text != "" {
			ts := p.Title.TextStyle.Rectangle(p.Title.Text).Size()
			cx := (inner.Min.X + inner.Max.X) / 2
			box.Title = vg.Rectangle{Min: vg.Point{X: cx - ts.X/2, Y: inner.Max.Y - ts.Y}, Max: vg.Point{X: cx + ts.X/2, Y: inner.Max.Y}}
		}
		if w, h := legendSize(p); w > 0 {
			x := left + legendGap
			box.Legend = vg.Rectangle{Min: vg.Point{X: x, Y: data.Max.Y - h}, Max: vg.Point{X: x + w, Y: data.Max.Y}}
		}
		lay.Panels = append(lay.Panels, box)
	}
	return lay
}

// sharesAxis says whether panel i leaves the x axis label to the panel below it.
func (f *figure) sharesAxis(i int) bool { return i < len(f.Panels)-1 }

// bare runs fn with panel i's axis labels as the figure draws them: the y label left
// to the figure (gonum places it badly on log axes: it reserves room for it around the
// arithmetic middle of the range), the x label only on the bottom panel.
func (f *figure) bare(i int, fn func()) {
	p := f.Panels[i]
	x, y := p.X.Label.Text, p.Y.Label.Text
	if f.sharesAxis(i) {
		p.X.Label.Text = ""
	}
	p.Y.Label.Text = ""
	defer func() { p.X.Label.Text, p.Y.Label.Text = x, y }()
	fn()
}

// dataCanvas is where panel i draws its data within tile, as drawn in the figure.
func (f *figure) dataCanvas(i int, tile draw.Canvas) (d draw.Canvas) {
	f.bare(i, func() { d = f.Panels[i].DataCanvas(tile) })
	return d
}

// wrapText breaks text at spaces so that no line is wider than width.
func wrapText(sty text.Style, s string, width vg.Length) string {
	if s == "" || sty.Rectangle(s).Size().X <= width {
		return s
	}
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			try := word
			if line != "" {
				try = line + " " + word
			}
			if line != "" && sty.Rectangle(try).Size().X > width {
				lines = append(lines, line)
				line = word
				continue
			}
			line = try
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// encode draws the figure in one format.
func (f *figure) encode(format string) ([]byte, error) {
	lay := f.layout()
	var (
		canvas vg.CanvasWriterTo
		dc     draw.Canvas
	)
	switch format {
	case formatPNG:
		img := vgimg.NewWith(vgimg.UseWH(lay.Width, lay.Height), vgimg.UseDPI(figureDPI), vgimg.UseBackgroundColor(color.White))
		canvas, dc = vgimg.PngCanvas{Canvas: img}, draw.New(img)
	case formatSVG:
		img := vgsvg.New(lay.Width, lay.Height)
		canvas, dc = img, draw.New(img)
	default:
		return nil, fmt.Errorf("figure %s: unknown format %q", f.Name, format)
	}
	f.draw(dc, lay)
	var buf bytes.Buffer
	if _, err := canvas.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("figure %s: %w", f.Name, err)
	}
	return buf.Bytes(), nil
}

// draw draws the figure as laid out.
func (f *figure) draw(dc draw.Canvas, lay figureLayout) {
	at := func(r vg.Rectangle) draw.Canvas { return draw.Canvas{Canvas: dc.Canvas, Rectangle: r} }
	for i, p := range f.Panels {
		box := lay.Panels[i]
		legend, pad := p.Legend, p.Title.Padding
		p.Legend = plot.NewLegend() // drawn beside, below
		p.Title.Padding += box.Band.Size().Y
		f.bare(i, func() { p.Draw(at(box.Tile)) })
		p.Legend, p.Title.Padding = legend, pad
		if box.YLabel.Size().X > 0 {
			sty := p.Y.Label.TextStyle
			sty.Rotation, sty.XAlign, sty.YAlign = math.Pi/2, draw.XCenter, draw.YTop
			c := at(box.YLabel)
			c.FillText(sty, vg.Point{X: box.YLabel.Min.X, Y: (box.YLabel.Min.Y + box.YLabel.Max.Y) / 2}, p.Y.Label.Text)
		}
		if b := f.band(i); b != nil && box.Band.Size().Y > 0 {
			b.draw(p, at(box.Band), at(box.Data))
		}
		if box.Legend.Size().Y > 0 {
			p.Legend.Draw(at(box.Legend))
		}
	}
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
	p.Add(grid())
	shade := r.faultShade()
	p.Add(shade)
	if len(shade.spans) > 0 {
		p.Legend.Add("fault window", shade)
	}
	if rec := r.recoveryShade(); len(rec.spans) > 0 {
		p.Add(rec)
		p.Legend.Add("recovery: until every SLO held", rec)
	}
	return p
}

// grid is the panels' light grid.
func grid() *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical.Color, g.Horizontal.Color = gridColor, gridColor
	return g
}

// headroom sets a linear y axis from 0 to a little above top (the legend is beside the
// panel, so the data may use its full height).
func headroom(p *plot.Plot, top float64) {
	p.Y.Min = 0
	p.Y.Max = max(top, 1) * 1.08
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
