package reports

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"

	"github.com/thongsuot/thongsuot/harness/metrics"
)

var (
	intendedColor = color.Gray{Y: 110}
	achievedColor = color.NRGBA{R: 40, G: 110, B: 190, A: 255}
	errorColor    = color.NRGBA{R: 200, G: 30, B: 30, A: 255}
)

// throughputFigure shows the open model at work: what the curve asked for, what was
// sent, and how much of it failed; then what each class achieved.
func (r *Run) throughputFigure() (*figure, error) {
	total := r.panel(r.Scenario.Name+" — throughput, all classes", "requests per second (wall)")
	top := 0.0
	for _, s := range []struct {
		series
		value func(w *metrics.Window) float64
	}{
		{series{name: "intended (the curve)", color: intendedColor, dashed: true}, func(w *metrics.Window) float64 { return w.Intended }},
		{series{name: "achieved (sent)", color: achievedColor}, func(w *metrics.Window) float64 { return float64(w.Sent) }},
		{series{name: "errors (5xx, transport, timeout)", color: errorColor, fill: withAlpha(errorColor, 60)}, func(w *metrics.Window) float64 { return float64(w.Failed()) }},
	} {
		s.step = true
		pts := r.steps("", func(w *metrics.Window) float64 { return r.perSecond(s.value(w)) })
		top = max(top, maxY(pts))
		if err := addLine(total, pts, s.series); err != nil {
			return nil, err
		}
	}
	headroom(total, top)

	perClass := r.panel(r.Scenario.Name+" — achieved throughput per class", "requests per second (wall)")
	top = 0
	for _, class := range r.Journal.Run.Classes {
		pts := r.steps(class, func(w *metrics.Window) float64 { return r.perSecond(float64(w.Sent)) })
		top = max(top, maxY(pts))
		if err := addLine(perClass, pts, series{name: class, color: r.classColor(class), step: true}); err != nil {
			return nil, err
		}
	}
	headroom(perClass, top)
	return &figure{Name: "throughput", Title: "Throughput: intended, achieved, errors",
		Caption: fmt.Sprintf("Per %s window, in requests per second of wall time. Achieved below intended means the generator fell behind (see late and dropped sends); errors are part of achieved.",
			shortDuration(r.Scenario.SLOs.Window.Duration)),
		Panels: []*plot.Plot{total, perClass}}, nil
}

func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}
