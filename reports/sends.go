package reports

import (
	"gonum.org/v1/plot"

	"github.com/thongsuot/thongsuot/harness/metrics"
)

// sendsFigure shows coordinated omission being counted rather than hidden: sends that
// left later than late_after behind schedule, and arrivals never sent at all.
func (r *Run) sendsFigure() (*figure, error) {
	p := r.panel(r.Scenario.Name+" — late and dropped sends, all classes", "sends per second (wall)")
	late := r.steps("", func(w *metrics.Window) float64 { return r.perSecond(float64(w.Late)) })
	dropped := r.steps("", func(w *metrics.Window) float64 { return r.perSecond(float64(w.Dropped)) })
	if err := addLine(p, late, series{name: "late (sent behind schedule)", color: lateColor, step: true, fill: withAlpha(lateColor, 50)}); err != nil {
		return nil, err
	}
	if err := addLine(p, dropped, series{name: "dropped (asked for, never sent)", color: droppedColor, step: true}); err != nil {
		return nil, err
	}
	headroom(p, max(maxY(late), maxY(dropped)))
	return &figure{Name: "sends", Title: "Late and dropped sends",
		Caption: "The generator's own health. Late sends still count, measured from when they left; dropped arrivals are what the curve asked for and the generator never sent (intended − sent). Both near zero mean the load was what the scenario said.",
		Panels:  []*plot.Plot{p}}, nil
}
