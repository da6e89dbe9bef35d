package reports

import (
	"image/color"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Plots put scenario time on the x axis, as Unix seconds, labelled in the scenario's zone.
func (r *Run) x(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// xAtWall is the x of a wall offset from the run start.
func (r *Run) xAtWall(d time.Duration) float64 { return r.x(r.Clock.ToScenario(d)) }

func (r *Run) timeAxis(p *plot.Plot) {
	format := "15:04"
	if r.Clock.End.Sub(r.Clock.Start) > 24*time.Hour {
		format = "Jan 2\n15:04"
	}
	p.X.Tick.Marker = plot.TimeTicks{Format: format, Time: func(t float64) time.Time {
		return time.Unix(0, int64(t*1e9)).In(r.Zone)
	}}
	p.X.Label.Text = "scenario time (" + r.Zone.String() + ")"
	p.X.Min, p.X.Max = r.x(r.Clock.Start), r.x(r.Clock.End)
}

// faultShade is a plotter that shades each fault window across the plot's full height.
type faultShade struct {
	spans [][2]float64 // x from, x to
	color color.Color
}

func (r *Run) faultShade() *faultShade {
	s := &faultShade{color: color.NRGBA{R: 230, G: 80, B: 60, A: 50}}
	for _, f := range r.Journal.Faults {
		end := f.End
		if end == 0 { // never removed (the run was killed): shade to the end
			end = r.Clock.WallDuration()
		}
		s.spans = append(s.spans, [2]float64{r.xAtWall(f.Start), r.xAtWall(end)})
	}
	return s
}

func (s *faultShade) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	for _, sp := range s.spans {
		x0, x1 := max(trX(sp[0]), c.Min.X), min(trX(sp[1]), c.Max.X)
		if x1 <= x0 {
			continue
		}
		c.FillPolygon(s.color, []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}})
	}
}

// Thumbnail draws the legend entry.
func (s *faultShade) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(s.color, []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y}})
}

// shortDuration writes whole minutes and hours without trailing zero units: "1m", "2h30m".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
