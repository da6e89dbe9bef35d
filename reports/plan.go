package reports

import (
	"fmt"
	"math"
	"os"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/scenarios"
)

// PlanFile is the plan plot: the request rate a scenario asks for over scenario time,
// per mix entry and in total, with its events marked and its faults shaded.
const PlanFile = "plan.png"

// planPoints is how many spans the plan's curve is drawn with.
const planPoints = 1500

// WritePlan draws the plan of s to path: on top the planned request rate, per mix
// entry and in total, with events marked and labelled and faults shaded; below, each
// entry on a log scale, so that a trickle of dossiers shows beside the read burst.
func WritePlan(path string, s *scenarios.Scenario, plan *load.Plan, markers []load.Marker) error {
	zone, err := time.LoadLocation(s.Clock.Zone)
	if err != nil {
		return err
	}
	r := &Run{Scenario: s, Clock: plan.Clock, Zone: zone}
	series := plan.Series(planPoints)
	width := plan.Clock.WallDuration() / planPoints
	peak := load.Peak(series).Rate

	top, bottom := plot.New(), plot.New()
	top.Title.Text = fmt.Sprintf("%s — planned request rate at scale %g, %g× compressed (%s of wall time)",
		s.Name, plan.Scale, plan.Clock.Compress, plan.Clock.WallDuration().Round(time.Second))
	top.Y.Label.Text = "requests per wall second"
	bottom.Title.Text = "per mix entry (log scale)"
	bottom.Y.Label.Text = "requests per wall second"
	bottom.Y.Scale, bottom.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	for _, p := range []*plot.Plot{top, bottom} {
		r.timeAxis(p)
		if plan.Clock.End.Sub(plan.Clock.Start) > 3*24*time.Hour {
			p.X.Tick.Marker = plot.TimeTicks{Ticker: dayTicks{zone: zone}, Format: "Jan 2", Time: func(t float64) time.Time {
				return time.Unix(0, int64(t*1e9)).In(zone)
			}}
		}
		p.Add(plotter.NewGrid())
		p.Add(r.plannedFaults(plan))
	}
	top.Legend.Top = true
	bottom.Legend.Top = true
	if len(s.Faults) > 0 {
		top.Legend.Add("fault", r.plannedFaults(plan))
	}

	floor := math.Inf(1)
	for i, f := range plan.Flows {
		pts := make(plotter.XYs, 0, len(series))
		for _, pt := range series {
			n := 0.0
			for _, c := range f.Classes {
				n += plan.Intended(c, pt.Wall, pt.Wall+width)
			}
			pts = append(pts, plotter.XY{X: r.x(pt.Scenario), Y: n / width.Seconds()})
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return err
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
				return err
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
		return err
	}
	line.Color, line.Width = planTotalColor, vg.Points(1.5)
	top.Add(line)
	top.Legend.Add(fmt.Sprintf("total (peak %.0f/s)", peak), line)
	if math.IsInf(floor, 1) {
		floor = 0.01
	}
	bottom.Y.Min, bottom.Y.Max = max(floor, peak*1e-6, 1e-4), max(peak, 1)*2

	const canvasWidth = 32 * vg.Centimeter
	if err := addMarkers(top, r, markers, max(peak, 1), canvasWidth); err != nil {
		return err
	}

	img := vgimg.New(canvasWidth, 26*vg.Centimeter)
	plots := [][]*plot.Plot{{top}, {bottom}}
	canvases := plot.Align(plots, draw.Tiles{Rows: 2, Cols: 1, PadY: vg.Centimeter / 2}, draw.New(img))
	top.Draw(canvases[0][0])
	bottom.Draw(canvases[1][0])
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

// plannedFaults shades each fault's window as the schedule will apply it.
func (r *Run) plannedFaults(plan *load.Plan) *faultShade {
	shade := &faultShade{style: shadeFault}
	for _, f := range r.Scenario.Faults {
		from := plan.Clock.ToWall(f.At.Time)
		length := f.For.D
		if f.For.Scenario {
			length = plan.Clock.WallSpan(f.For.D)
		}
		shade.spans = append(shade.spans, [2]float64{r.xAtWall(from), r.xAtWall(from + length)})
	}
	return shade
}

// addMarkers draws a dashed line at each event's start and its label above the curve,
// each label in the lowest row where it does not run into another.
func addMarkers(p *plot.Plot, r *Run, markers []load.Marker, peak float64, canvasWidth vg.Length) error {
	const (
		fontSize = 8
		rowStep  = 0.08 // of the peak
	)
	// A label's width in data units, from its length: near enough to keep rows apart.
	perChar := (p.X.Max - p.X.Min) / float64(canvasWidth/vg.Points(fontSize*0.5))
	var rowsEnd []float64 // per row: where its last label ends
	var labels plotter.XYLabels
	var styles []bool // true: the label reads leftwards from its marker
	for _, m := range markers {
		x := r.x(m.At)
		if x < p.X.Min || x > p.X.Max {
			continue
		}
		text := m.Label
		if text == "" {
			text = m.Kind
		}
		text = m.At.In(r.Zone).Format("2 Jan 15:04") + " " + text
		w := perChar * float64(len([]rune(text))+2)
		left := x+w > p.X.Max
		from, to := x, x+w
		if left {
			from, to = x-w, x
		}
		row := 0
		for row < len(rowsEnd) && rowsEnd[row] > from {
			row++
		}
		if row == len(rowsEnd) {
			rowsEnd = append(rowsEnd, 0)
		}
		rowsEnd[row] = to
		labels.XYs = append(labels.XYs, plotter.XY{X: x, Y: peak * (1.08 + rowStep*float64(row))})
		if left {
			text += " "
		} else {
			text = " " + text
		}
		labels.Labels = append(labels.Labels, text)
		styles = append(styles, left)

		mark, err := plotter.NewLine(plotter.XYs{{X: x, Y: 0}, {X: x, Y: peak * (1.08 + rowStep*float64(row))}})
		if err != nil {
			return err
		}
		mark.Color, mark.Dashes = markerColor, []vg.Length{vg.Points(3), vg.Points(3)}
		p.Add(mark)
	}
	p.Y.Min, p.Y.Max = 0, peak*(1.15+rowStep*float64(len(rowsEnd)))
	if len(labels.XYs) == 0 {
		return nil
	}
	lp, err := plotter.NewLabels(labels)
	if err != nil {
		return err
	}
	for i := range lp.TextStyle {
		lp.TextStyle[i].Font.Size = vg.Points(fontSize)
		if styles[i] {
			lp.TextStyle[i].XAlign = draw.XRight
		}
	}
	p.Add(lp)
	return nil
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
