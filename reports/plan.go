package reports

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"sort"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/thongsuot/thongsuot/harness/fault"
	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/scenarios"
)

// PlanFile is the plan plot: the request rate a scenario asks for over scenario time,
// per mix entry and in total, with its events marked and its faults shaded.
const PlanFile = "plan.png"

// planPoints is how many spans the plan's curve is drawn with.
const planPoints = 1500

// WritePlan draws the plan of s to path: on top the planned request rate, per mix
// entry and in total, with events marked and labelled above the data and faults shaded;
// below, each entry on a log scale, so that a trickle of dossiers shows beside the read
// burst. Legends sit beside the panels.
func WritePlan(path string, s *scenarios.Scenario, plan *load.Plan, markers []load.Marker) error {
	f, err := planFigure(s, plan, markers)
	if err != nil {
		return err
	}
	data, err := f.encode(formatPNG)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// Plan figure sizes.
const (
	planWidth     = 32 * vg.Centimeter
	planTopHeight = 12 * vg.Centimeter
	planLogHeight = 11 * vg.Centimeter
)

// planFigure lays out the plan: the rate panel (with the event labels in a band above
// its data) and the per-entry log panel.
func planFigure(s *scenarios.Scenario, plan *load.Plan, markers []load.Marker) (*figure, error) {
	zone, err := time.LoadLocation(s.Clock.Zone)
	if err != nil {
		return nil, err
	}
	r := &Run{Scenario: s, Clock: plan.Clock, Zone: zone}
	series := plan.Series(planPoints)
	width := plan.Clock.WallDuration() / planPoints
	peak := load.Peak(series).Rate

	top, bottom := plot.New(), plot.New()
	top.Title.Text = fmt.Sprintf("%s — planned request rate (scale %g, %g× compressed: %s of wall time)",
		s.Name, plan.Scale, plan.Clock.Compress, plan.Clock.WallDuration().Round(time.Second))
	top.Y.Label.Text = "requests per wall second"
	bottom.Title.Text = s.Name + " — per mix entry (log scale)"
	bottom.Y.Label.Text = "requests per wall second"
	bottom.Y.Scale, bottom.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	faults := r.plannedFaults(plan)
	for _, p := range []*plot.Plot{top, bottom} {
		r.timeAxis(p)
		if plan.Clock.End.Sub(plan.Clock.Start) > 3*24*time.Hour {
			p.X.Tick.Marker = plot.TimeTicks{Ticker: dayTicks{zone: zone}, Format: "2 Jan", Time: func(t float64) time.Time {
				return time.Unix(0, int64(t*1e9)).In(zone)
			}}
		}
		p.Add(grid())
		p.Add(faults)
		if len(faults.spans) > 0 {
			p.Legend.Add("fault window", faults)
		}
	}

	floor := math.Inf(1)
	for i, f := range plan.Flows {
		pts := make(plotter.XYs, 0, len(series))
		for _, pt := range series {
			n := 0.0
			for _, c := range f.Classes {
				n += plan.Expected(c, pt.Wall, pt.Wall+width)
			}
			pts = append(pts, plotter.XY{X: r.x(pt.Scenario), Y: n / width.Seconds()})
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		line.Color, line.Width = categoricalColor(i), vg.Points(1)
		top.Add(line)
		top.Legend.Add(f.Name, line)

		var positive plotter.XYs // a log scale cannot show zero: leave those spans out
		for _, pt := range pts {
			if pt.Y > 0 {
				positive = append(positive, pt)
				floor = min(floor, pt.Y)
			}
		}
		if len(positive) > 1 {
			logLine, err := plotter.NewLine(positive)
			if err != nil {
				return nil, err
			}
			logLine.Color, logLine.Width = line.Color, line.Width
			bottom.Add(logLine)
			bottom.Legend.Add(f.Name, logLine)
		}
	}
	total := make(plotter.XYs, len(series))
	for k, pt := range series {
		total[k] = plotter.XY{X: r.x(pt.Scenario), Y: pt.Rate}
	}
	line, err := plotter.NewLine(total)
	if err != nil {
		return nil, err
	}
	line.Color, line.Width = planTotalColor, vg.Points(1.5)
	top.Add(line)
	top.Legend.Add(fmt.Sprintf("total (peak %.0f/s)", peak), line)
	if math.IsInf(floor, 1) {
		floor = 0.01
	}
	top.Y.Min, top.Y.Max = 0, max(peak, 1)*1.08
	bottom.Y.Min, bottom.Y.Max = max(floor/1.5, peak*1e-6, 1e-4), max(peak, 1)*2

	events := r.eventLabels(markers, top)
	if len(events.xs) > 0 {
		top.Legend.Add("event (labelled above)", events)
	}
	return &figure{Name: "plan", Title: "Plan", Panels: []*plot.Plot{top, bottom},
		Heights: []vg.Length{planTopHeight, planLogHeight}, Width: planWidth, Bands: []band{events, nil}}, nil
}

// plannedFaults shades each fault's windows as the schedule will apply them: one per
// fault, or one per cycle of a flap (fault.Windows is the one definition of both).
func (r *Run) plannedFaults(plan *load.Plan) *faultShade {
	shade := &faultShade{style: shadeFault}
	for _, f := range r.Scenario.Faults {
		for _, w := range fault.Windows(f, plan.Clock) {
			shade.spans = append(shade.spans, [2]float64{r.xAtWall(w.Start), r.xAtWall(w.End)})
		}
	}
	shade.spans = unionSpans(shade.spans)
	return shade
}

// eventLabels are the plan's events: a dashed line at each event's start through the
// data, and its label in a band above the data, laid out so that no two labels overlap.
type eventLabels struct {
	xs    []float64 // data x of each event
	texts []string
	style text.Style
}

// Event label look.
const (
	eventFontSize = 9 // points
	eventPadX     = vg.Length(3)
	eventPadY     = vg.Length(2)
	eventGap      = vg.Length(6) // between labels of one row
	eventOffset   = vg.Length(2) // between an event's line and its label
)

func (r *Run) eventLabels(markers []load.Marker, p *plot.Plot) *eventLabels {
	e := &eventLabels{style: p.Title.TextStyle}
	e.style.Font.Size = vg.Points(eventFontSize)
	e.style.XAlign, e.style.YAlign = draw.XLeft, draw.YBottom
	format := "15:04"
	if r.Clock.End.Sub(r.Clock.Start) > 24*time.Hour {
		format = "2 Jan 15:04"
	}
	for _, m := range markers {
		x := r.x(m.At)
		if x < p.X.Min || x > p.X.Max {
			continue
		}
		text := m.Label
		if text == "" {
			text = m.Kind
		}
		e.xs = append(e.xs, x)
		e.texts = append(e.texts, m.At.In(r.Zone).Format(format)+" "+text)
	}
	return e
}

// placedLabel is an event label laid out: its box in canvas x and in rows above the
// data (row 0 nearest the data).
type placedLabel struct {
	Text     string
	Anchor   vg.Length // canvas x of the event
	From, To vg.Length // canvas x of the label's box
	Row      int
}

// rowHeight is the height of one row of labels.
func (e *eventLabels) rowHeight() vg.Length {
	return e.style.Rectangle("Xg").Size().Y + 2*eventPadY + vg.Points(2)
}

// place lays the labels out over the data canvas of p. Each goes beside its event's
// line (to its right, or to its left near the right edge), in the lowest row where its
// box overlaps no other and no event's line runs through it; right to left, so that the
// labels of crowded events step up like stairs.
func (e *eventLabels) place(p *plot.Plot, data draw.Canvas) []placedLabel {
	trX, _ := p.Transforms(&data)
	order := make([]int, len(e.xs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return e.xs[order[a]] > e.xs[order[b]] })
	var placed []placedLabel
	fits := func(l placedLabel, strict bool) bool {
		for _, m := range placed {
			switch {
			case m.Row == l.Row:
				if l.From < m.To+eventGap && m.From < l.To+eventGap {
					return false
				}
			case !strict:
			case m.Row > l.Row: // m's line runs up past l's row
				if l.From <= m.Anchor && m.Anchor <= l.To {
					return false
				}
			default: // l's line runs up past m's row
				if m.From <= l.Anchor && l.Anchor <= m.To {
					return false
				}
			}
		}
		return true
	}
	for _, i := range order {
		x := trX(e.xs[i])
		w := e.style.Rectangle(e.texts[i]).Size().X + 2*eventPadX
		l := placedLabel{Text: e.texts[i], Anchor: x, From: x + eventOffset, To: x + eventOffset + w}
		if l.To > data.Max.X {
			l.From, l.To = x-eventOffset-w, x-eventOffset
		}
		if l.From < data.Min.X {
			l.From, l.To = data.Min.X, data.Min.X+w
		}
		rows := 0
		for _, m := range placed {
			rows = max(rows, m.Row+1)
		}
		l.Row = -1
		for k := 0; k < rows && l.Row < 0; k++ { // an existing row
			if l.Row = k; !fits(l, true) {
				l.Row = -1
			}
		}
		if l.Row < 0 { // a new row, between the labels whose lines cross l and those l's line crosses
			l.Row = newRow(placed, l)
		}
		for k := 0; k <= rows && l.Row < 0; k++ { // no way round a crossing line: keep the boxes apart
			if l.Row = k; !fits(l, false) {
				l.Row = -1
			}
		}
		placed = append(placed, l)
	}
	sort.SliceStable(placed, func(a, b int) bool { return placed[a].Anchor < placed[b].Anchor })
	return placed
}

// newRow inserts a row for l where no event's line would cross a label: above every
// label whose line runs through l's box, below every label whose box l's line would run
// through. It moves the labels above it up a row and returns the row, or -1 when there
// is no such place.
func newRow(placed []placedLabel, l placedLabel) int {
	lowest, highest := 0, math.MaxInt // l's row must be in [lowest, highest]
	for _, m := range placed {
		if l.From <= m.Anchor && m.Anchor <= l.To { // m's line runs through l: m below
			lowest = max(lowest, m.Row+1)
		}
		if m.From <= l.Anchor && l.Anchor <= m.To { // l's line runs through m: m above
			highest = min(highest, m.Row)
		}
	}
	if lowest > highest {
		return -1
	}
	for i := range placed {
		if placed[i].Row >= lowest {
			placed[i].Row++
		}
	}
	return lowest
}

func (e *eventLabels) rows(p *plot.Plot, data draw.Canvas) int {
	n := 0
	for _, l := range e.place(p, data) {
		n = max(n, l.Row+1)
	}
	return n
}

func (e *eventLabels) height(p *plot.Plot, data draw.Canvas) vg.Length {
	if len(e.xs) == 0 {
		return 0
	}
	return vg.Length(e.rows(p, data))*e.rowHeight() + vg.Points(4)
}

// box is where a placed label's box is drawn in the band c.
func (e *eventLabels) box(c draw.Canvas, l placedLabel) vg.Rectangle {
	y := c.Min.Y + vg.Length(l.Row)*e.rowHeight() + vg.Points(2)
	return vg.Rectangle{Min: vg.Point{X: l.From, Y: y}, Max: vg.Point{X: l.To, Y: y + e.rowHeight() - vg.Points(2)}}
}

func (e *eventLabels) draw(p *plot.Plot, c, data draw.Canvas) {
	line := draw.LineStyle{Color: markerColor, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(3), vg.Points(3)}}
	labels := e.place(p, data)
	for _, l := range labels {
		b := e.box(c, l)
		data.StrokeLine2(line, l.Anchor, data.Min.Y, l.Anchor, b.Max.Y)
	}
	for _, l := range labels {
		b := e.box(c, l)
		c.FillPolygon(color.White, rect(b.Min.X, b.Min.Y, b.Max.X, b.Max.Y))
		c.StrokeLines(draw.LineStyle{Color: withAlpha(markerColor, 90), Width: vg.Points(0.5)},
			[]vg.Point{b.Min, {X: b.Max.X, Y: b.Min.Y}, b.Max, {X: b.Min.X, Y: b.Max.Y}, b.Min})
		c.FillText(e.style, vg.Point{X: b.Min.X + eventPadX, Y: b.Min.Y + eventPadY + e.style.FontExtents().Descent}, l.Text)
	}
}

// Thumbnail draws the legend entry: an event's dashed line.
func (e *eventLabels) Thumbnail(c *draw.Canvas) {
	x := (c.Min.X + c.Max.X) / 2
	c.StrokeLine2(draw.LineStyle{Color: markerColor, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(3), vg.Points(3)}}, x, c.Min.Y, x, c.Max.Y)
}

// dayTicks puts a tick at every midnight and a label on every few, so that a run of
// weeks reads as dates.
type dayTicks struct{ zone *time.Location }

func (d dayTicks) Ticks(min, max float64) []plot.Tick {
	from := time.Unix(int64(min), 0).In(d.zone)
	day := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, d.zone)
	days := int((max-min)/86400) + 1
	every := 1
	for days/every > 14 {
		every++
	}
	var ticks []plot.Tick
	for i := 0; ; i++ {
		t := day.AddDate(0, 0, i)
		x := float64(t.UnixNano()) / 1e9
		if x > max {
			break
		}
		if x < min {
			continue
		}
		tick := plot.Tick{Value: x}
		if t.YearDay()%every == 0 {
			tick.Label = "x" // TimeTicks writes the date
		}
		ticks = append(ticks, tick)
	}
	return ticks
}
