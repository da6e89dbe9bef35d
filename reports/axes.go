package reports

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Plots put scenario time on the x axis, as Unix seconds, labelled in the scenario's zone.
func (r *Run) x(t time.Time) float64 { return unixSeconds(t) }

// xAtWall is the x of a wall offset from the run start.
func (r *Run) xAtWall(d time.Duration) float64 { return r.x(r.Clock.ToScenario(d)) }

// timeAxis puts scenario time on p's x axis: ticks on round times of the scenario's
// zone, dates when the scenario spans days, and a label that says the zone and how
// scenario time maps onto wall time.
func (r *Run) timeAxis(p *plot.Plot) {
	p.X.Tick.Marker = timeTicks{zone: r.Zone, days: r.Clock.End.Sub(r.Clock.Start) > 24*time.Hour}
	p.X.Label.Text = r.timeLabel()
	p.X.Min, p.X.Max = r.x(r.Clock.Start), r.x(r.Clock.End)
}

// timeLabel is the x axis label: "scenario time, Tue 1 Jul 2025, ICT (UTC+07:00) —
// played at 60×: 1 s of wall time is 1m of scenario time".
func (r *Run) timeLabel() string {
	day := ""
	if r.Clock.End.Sub(r.Clock.Start) <= 24*time.Hour {
		day = r.Clock.Start.In(r.Zone).Format("Mon 2 Jan 2006") + ", "
	}
	return fmt.Sprintf("scenario time, %s%s — played at %s×: 1 s of wall time is %s of scenario time",
		day, zoneName(r.Zone, r.Clock.Start), trimFloat(r.Clock.Compress), shortDuration(r.Clock.ScenarioSpan(time.Second)))
}

// zoneName names a zone for people: Vietnam's as ICT, others by their abbreviation,
// always with the UTC offset.
func zoneName(zone *time.Location, at time.Time) string {
	abbr, off := at.In(zone).Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	utc := fmt.Sprintf("UTC%s%02d:%02d", sign, off/3600, off%3600/60)
	switch {
	case zone.String() == "Asia/Ho_Chi_Minh" || zone.String() == "Asia/Saigon":
		abbr = "ICT"
	case abbr == "" || abbr[0] == '+' || abbr[0] == '-':
		return utc
	}
	return abbr + " (" + utc + ")"
}

// tickSteps are the spacings a time axis may use, shortest first.
var tickSteps = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 2 * 24 * time.Hour, 3 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour,
}

// maxTimeTicks bounds the labelled ticks on a time axis so labels never collide.
const maxTimeTicks = 8

// timeTicks marks round times of a zone (every 15 minutes, every 6 hours, each
// midnight...) rather than round numbers of Unix seconds.
type timeTicks struct {
	zone *time.Location
	days bool // label dates too
}

func (tt timeTicks) Ticks(lo, hi float64) []plot.Tick {
	from, to := unixTime(lo).In(tt.zone), unixTime(hi).In(tt.zone)
	span := to.Sub(from)
	step := tickSteps[len(tickSteps)-1]
	for _, s := range tickSteps {
		if span/s <= maxTimeTicks {
			step = s
			break
		}
	}
	format := "15:04"
	switch {
	case step >= 24*time.Hour:
		format = "2 Jan"
	case tt.days:
		format = "2 Jan\n15:04"
	case step < time.Minute:
		format = "15:04:05"
	}
	// Align to the step counted from local midnight, so ticks fall on 07:45, 08:00...;
	// steps of days start at the first midnight.
	midnight := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, tt.zone)
	first := midnight.Add((from.Sub(midnight) + step - 1) / step * step)
	minor := step / 2
	if step >= 24*time.Hour {
		first = midnight
		if first.Before(from) {
			first = first.AddDate(0, 0, 1)
		}
		minor = 24 * time.Hour
		if step == 24*time.Hour {
			minor = 12 * time.Hour
		}
	}
	var ticks []plot.Tick
	for t := first; !t.After(to); t = t.Add(step) {
		ticks = append(ticks, plot.Tick{Value: unixSeconds(t), Label: t.Format(format)})
		for m := t.Add(minor); step >= 2*time.Second && m.Before(t.Add(step)) && !m.After(to); m = m.Add(minor) {
			ticks = append(ticks, plot.Tick{Value: unixSeconds(m)}) // unlabelled: minor
		}
	}
	return ticks
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

func unixTime(x float64) time.Time {
	sec, frac := math.Modf(x)
	return time.Unix(int64(sec), int64(frac*1e9))
}

// shadeStyle is how a span of time is shaded: a band of fill, hatched or not.
type shadeStyle int

const (
	shadeFault      shadeStyle = iota // grey hatching on a light grey band
	shadeFaultHatch                   // the hatching alone: over opaque bands
	shadeRecovery                     // a pale blue band
)

// faultShade is a plotter that shades spans of time across the plot's full height:
// fault windows, or the recoveries after them.
type faultShade struct {
	spans [][2]float64 // x from, x to
	style shadeStyle
}

// faultShade shades the time any fault was in force: overlapping faults shade as one
// (the fault timeline tells them apart).
func (r *Run) faultShade() *faultShade {
	s := &faultShade{style: shadeFault}
	for _, f := range r.Journal.Faults {
		start, end, ok := r.faultSpan(f.Start, f.End, f.Error)
		if ok {
			s.spans = append(s.spans, [2]float64{r.xAtWall(start), r.xAtWall(end)})
		}
	}
	s.spans = unionSpans(s.spans)
	return s
}

// unionSpans merges overlapping spans, so that time shaded twice does not look darker.
func unionSpans(spans [][2]float64) [][2]float64 {
	sorted := slices.Clone(spans)
	slices.SortFunc(sorted, func(a, b [2]float64) int { return cmp.Compare(a[0], b[0]) })
	var out [][2]float64
	for _, sp := range sorted {
		if n := len(out); n > 0 && sp[0] <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], sp[1])
			continue
		}
		out = append(out, sp)
	}
	return out
}

// recoveryShade shades each measured recovery: from the fault's end until every
// objective held again (to the end of the run when it never did).
func (r *Run) recoveryShade() *faultShade {
	s := &faultShade{style: shadeRecovery}
	for _, rc := range r.Verdict.Recoveries {
		if rc.End == 0 || rc.Time <= 0 {
			continue
		}
		s.spans = append(s.spans, [2]float64{r.xAtWall(rc.End), r.xAtWall(rc.End + rc.Time)})
	}
	return s
}

// faultSpan is when a journalled fault was in force, in wall offsets. A fault that
// failed to apply was never in force; one never removed (the run was killed) lasted
// as long as the journal goes.
func (r *Run) faultSpan(start, end time.Duration, applyErr string) (time.Duration, time.Duration, bool) {
	if end == 0 {
		if applyErr != "" {
			return 0, 0, false
		}
		end = r.recordedWall()
	}
	return start, max(end, start), true
}

func (s *faultShade) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	for _, sp := range s.spans {
		x0, x1 := max(trX(sp[0]), c.Min.X), min(trX(sp[1]), c.Max.X)
		if x1 <= x0 {
			continue
		}
		x1 = max(x1, x0+vg.Points(1)) // a window shorter than a pixel still shows
		s.fill(c, vg.Rectangle{Min: vg.Point{X: x0, Y: c.Min.Y}, Max: vg.Point{X: x1, Y: c.Max.Y}})
	}
}

// Thumbnail draws the legend entry.
func (s *faultShade) Thumbnail(c *draw.Canvas) {
	s.fill(*c, c.Rectangle)
}

// hatchStep is the spacing of the fault hatching.
const hatchStep = vg.Length(5)

// fill shades one rectangle in the shade's style.
func (s *faultShade) fill(c draw.Canvas, r vg.Rectangle) {
	switch s.style {
	case shadeRecovery:
		c.FillPolygon(recoveryColor, rect(r.Min.X, r.Min.Y, r.Max.X, r.Max.Y))
		return
	case shadeFault:
		c.FillPolygon(faultFill, rect(r.Min.X, r.Min.Y, r.Max.X, r.Max.Y))
	}
	// Hatching at 45°: the lines x − y = d for d on multiples of hatchStep (fixed to the
	// canvas, so neighbouring windows hatch alike), clipped to the rectangle.
	line := draw.LineStyle{Color: faultHatch, Width: vg.Points(0.7)}
	from := vg.Length(math.Ceil(float64((r.Min.X-r.Max.Y)/hatchStep))) * hatchStep
	for d := from; d < r.Max.X-r.Min.Y; d += hatchStep {
		y0, y1 := max(r.Min.Y, r.Min.X-d), min(r.Max.Y, r.Max.X-d)
		if y1 > y0 {
			c.StrokeLine2(line, d+y0, y0, d+y1, y1)
		}
	}
}

func rect(x0, y0, x1, y1 vg.Length) []vg.Point {
	return []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
}

// shortDuration writes whole minutes and hours without trailing zero units: "1m", "2h30m".
func shortDuration(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// trimFloat writes a number without trailing zeros: 60, 2880, 0.5.
func trimFloat(v float64) string { return strings.TrimSuffix(fmt.Sprintf("%g", v), ".0") }
