package reports

import (
	"fmt"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/scenarios"
)

// Budget panel heights: the burn rate and the budget spent of an objective that spent
// some, and the one short panel of the objectives that spent none.
const (
	budgetPanelHeight = 7 * vg.Centimeter
	budgetQuietHeight = 4.5 * vg.Centimeter
)

// budgetFigure shows, for each availability objective, how fast the run spent its
// error budget (the failures the target allows): the burn rate per window, where 1×
// spends exactly the budget, and the share of the whole run's budget spent so far.
// Objectives that spent nothing share one short panel that says so. A run whose
// objectives allow no failures has no budget to show.
func (r *Run) budgetFigure() (*figure, error) {
	f := &figure{Name: "budget", Title: "Error budget",
		Caption: "The error budget is the failures an availability target allows (1 − target of the requests). Burn rate 1× spends it exactly over the run; the lower panel is the share of the run's whole budget spent so far."}
	var quiet []slo.Outcome // objectives that spent none of their budget
	for _, o := range r.outcomes(scenarios.KindAvailability) {
		if o.ImpliedBy != "" {
			continue // a class's share beside its latency: the availability figure shows it
		}
		allowed := 1 - o.Limit/100
		if allowed <= 0 {
			continue
		}
		var failed, total int64
		for i := range r.windowCount() {
			if w := r.window(i, o.Class); w != nil {
				total += w.Sent
				failed += w.Failed()
			}
		}
		if failed == 0 {
			quiet = append(quiet, o)
			continue
		}
		burn, spent, err := r.budgetPanels(o, allowed, allowed*float64(total))
		if err != nil {
			return nil, err
		}
		f.Panels = append(f.Panels, burn, spent)
		f.Heights = append(f.Heights, budgetPanelHeight, budgetPanelHeight)
	}
	if len(quiet) > 0 {
		p, err := r.quietBudgetPanel(quiet)
		if err != nil {
			return nil, err
		}
		f.Panels = append(f.Panels, p)
		f.Heights = append(f.Heights, budgetQuietHeight)
		if len(f.Panels) == 1 { // nothing burnt at all
			f.Caption = "The error budget is the failures an availability target allows (1 − target of the requests). No request counted against an availability objective in this run: nothing of any budget was spent."
		}
	}
	if len(f.Panels) == 0 {
		return nil, nil
	}
	return f, nil
}

// budgetPanels are an objective's burn rate per window and its budget spent so far.
func (r *Run) budgetPanels(o slo.Outcome, allowed, budget float64) (burn, spent *plot.Plot, err error) {
	burn = r.panel(fmt.Sprintf("%s — error-budget burn rate of %s (%s)", r.Scenario.Name, o.Name, o.Objective), "burn rate (× budget)")
	pts := r.steps(o.Class, func(w *metrics.Window) float64 {
		return (100 - w.Availability()) / 100 / allowed
	})
	if err := addLine(burn, pts, series{name: "burn rate", color: budgetColor, step: true, fill: withAlpha(budgetColor, 40)}); err != nil {
		return nil, nil, err
	}
	if err := addLimit(burn, 1, "1×: on budget"); err != nil {
		return nil, nil, err
	}
	headroom(burn, max(maxY(pts), 1))

	spent = r.panel(fmt.Sprintf("%s — error budget of %s spent", r.Scenario.Name, o.Name), "budget spent (% of the run's)")
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
		return nil, nil, err
	}
	if err := addLimit(spent, 100, "the whole budget"); err != nil {
		return nil, nil, err
	}
	headroom(spent, max(maxY(cumPts), 100))
	return burn, spent, nil
}

// quietBudgetPanel is the one short panel of the objectives that spent none of their
// budget: their burn rate, flat at zero, under the 1× line, and a title that says so.
func (r *Run) quietBudgetPanel(quiet []slo.Outcome) (*plot.Plot, error) {
	names := make([]string, len(quiet))
	for i, o := range quiet {
		names[i] = o.Name
	}
	p := r.panel(fmt.Sprintf("%s — error budget of %s: none spent, not one request failed", r.Scenario.Name, strings.Join(names, ", ")), "burn rate")
	pts := r.steps("", func(*metrics.Window) float64 { return 0 })
	if err := addLine(p, pts, series{name: "burn rate: 0", color: budgetColor, step: true}); err != nil {
		return nil, err
	}
	if err := addLimit(p, 1, "1×: on budget"); err != nil {
		return nil, err
	}
	headroom(p, 1)
	return p, nil
}
