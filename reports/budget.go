package reports

import (
	"fmt"

	"gonum.org/v1/plot/plotter"

	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/scenarios"
)

// budgetFigure shows, for each availability objective, how fast the run spent its
// error budget (the failures the target allows): the burn rate per window, where 1×
// spends exactly the budget, and the share of the whole run's budget spent so far.
// A run whose objectives allow no failures, or that has none, has no budget to show.
func (r *Run) budgetFigure() (*figure, error) {
	f := &figure{Name: "budget", Title: "Error budget",
		Caption: "The error budget is the failures an availability target allows (1 − target of the requests). Burn rate 1× spends it exactly over the run; the lower panel is the share of the run's whole budget spent so far."}
	for _, o := range r.outcomes(scenarios.KindAvailability) {
		allowed := 1 - o.Limit/100
		if allowed <= 0 {
			continue
		}
		burn := r.panel(fmt.Sprintf("%s — error-budget burn rate of %s (%s)", r.Scenario.Name, o.Name, o.Objective), "burn rate (× budget)")
		pts := r.steps(o.Class, func(w *metrics.Window) float64 {
			return (100 - w.Availability()) / 100 / allowed
		})
		if err := addLine(burn, pts, series{name: "burn rate", color: budgetColor, step: true, fill: withAlpha(budgetColor, 40)}); err != nil {
			return nil, err
		}
		if err := addLimit(burn, 1, "1×: on budget"); err != nil {
			return nil, err
		}
		headroom(burn, max(maxY(pts), 1))

		spent := r.panel(fmt.Sprintf("%s — error budget of %s spent", r.Scenario.Name, o.Name), "budget spent (% of the run's)")
		var total float64
		for i := range r.windowCount() {
			if w := r.window(i, o.Class); w != nil {
				total += float64(w.Sent)
			}
		}
		budget := allowed * total
		var cum float64
		var cumPts plotter.XYs
		for i := range r.windowCount() {
			w := r.window(i, o.Class)
			if w == nil {
				continue
			}
			if len(cumPts) == 0 {
				cumPts = append(cumPts, plotter.XY{X: r.xStart(w), Y: 0})
			}
			cum += float64(w.Failed())
			cumPts = append(cumPts, plotter.XY{X: r.xEnd(w), Y: 100 * cum / max(budget, 1e-9)})
		}
		if err := addLine(spent, cumPts, series{name: "spent", color: budgetColor}); err != nil {
			return nil, err
		}
		if err := addLimit(spent, 100, "the whole budget"); err != nil {
			return nil, err
		}
		headroom(spent, max(maxY(cumPts), 100))
		f.Panels = append(f.Panels, burn, spent)
	}
	if len(f.Panels) == 0 {
		return nil, nil
	}
	return f, nil
}
