package reports

import (
	"fmt"
	"image/color"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/thongsuot/thongsuot/harness/journal"
)

// faultRow is one fault of the timeline: every window in which a fault of that name
// on that link was in force (a flapping fault has many).
type faultRow struct {
	Label string
	Toxic string
	Spans []faultSpan
}

type faultSpan struct {
	Fault      journal.FaultWindow
	Start, End time.Duration // wall offsets
	Applied    bool          // false: it failed to apply
}

// faultRows groups the journal's faults by name and link, in order of first application.
func (r *Run) faultRows() []faultRow {
	var rows []faultRow
	at := map[string]int{}
	for _, f := range r.Journal.Faults {
		key := f.Name + "\x00" + f.Target()
		i, ok := at[key]
		if !ok {
			i = len(rows)
			at[key] = i
			rows = append(rows, faultRow{Label: fmt.Sprintf("%s\n%s: %s", f.Name, f.Target(), f.Effect()), Toxic: f.Effect()})
		}
		start, end, applied := r.faultSpan(f.Start, f.End, f.Error)
		if !applied {
			start, end = f.Start, f.Start
		}
		rows[i].Spans = append(rows[i].Spans, faultSpan{Fault: f, Start: start, End: end, Applied: applied})
	}
	return rows
}

// faultsFigure is the fault timeline: one row per fault, a bar for each time it was in
// force, coloured by kind of fault. A run without faults has no timeline.
func (r *Run) faultsFigure() (*figure, error) {
	rows := r.faultRows()
	if len(rows) == 0 {
		return nil, nil
	}
	p := plot.New()
	p.Title.Text = r.Scenario.Name + " — faults as applied"
	r.timeAxis(p)
	p.Add(plotterGrid())
	var ticks []plot.Tick
	n := len(rows)
	kinds := map[string]int{} // each kind of fault its colour, in order of first application
	for i, row := range rows {
		y := float64(n - 1 - i) // the first fault on top
		ticks = append(ticks, plot.Tick{Value: y, Label: row.Label})
		k, ok := kinds[row.Toxic]
		if !ok {
			k = len(kinds)
			kinds[row.Toxic] = k
		}
		p.Add(&faultBars{run: r, row: row, y: y, color: faultKindColors[k%len(faultKindColors)]})
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4
	return &figure{Name: "faults", Title: "Fault timeline",
		Caption: "When each fault was in force, on the scenario clock; bars are coloured by kind of fault, a hollow mark is a fault that failed to apply.",
		Panels:  []*plot.Plot{p}, Height: max(5*vg.Centimeter, vg.Length(n)*1.4*vg.Centimeter+3*vg.Centimeter)}, nil
}

// faultBars draws one row of the timeline.
type faultBars struct {
	run   *Run
	row   faultRow
	y     float64
	color color.Color
}

func (b *faultBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	half := (trY(1) - trY(0)) * 0.3
	y := trY(b.y)
	for _, s := range b.row.Spans {
		x0, x1 := trX(b.run.xAtWall(s.Start)), trX(b.run.xAtWall(s.End))
		if !s.Applied {
			c.DrawGlyph(draw.GlyphStyle{Color: errorColor, Radius: half / 2, Shape: draw.RingGlyph{}}, vg.Point{X: x0, Y: y})
			continue
		}
		x1 = max(x1, x0+vg.Points(2)) // a fault shorter than a pixel still shows
		c.FillPolygon(b.color, c.ClipPolygonXY(rect(x0, y-half, x1, y+half)))
	}
}

// plotterGrid is a vertical-only grid: horizontal lines would cut through the rows.
func plotterGrid() plot.Plotter {
	g := plotter.NewGrid()
	g.Horizontal.Color = nil
	return g
}
