package reports

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// sessionsFigure shows the journeys in progress per window — each user's session from
// arrival to last answer, thinks included — beside what the plan expects at the run's
// compression, with Little's law over the run in the caption. Runs without journeys,
// or recorded before sessions were, have none.
func (r *Run) sessionsFigure() (*figure, error) {
	s := r.Journal.Sessions
	if s == nil || len(s.Windows) == 0 {
		return nil, nil
	}
	p := r.panel(r.Scenario.Name+" — sessions in progress", "sessions (wall)")
	width := r.Clock.ScenarioSpan(r.Journal.Run.Window)
	var mean, peak plotter.XYs
	for _, w := range s.Windows {
		from, to := r.x(w.Scenario), r.x(w.Scenario.Add(width))
		mean = append(mean, plotter.XY{X: from, Y: w.Mean}, plotter.XY{X: to, Y: w.Mean})
		peak = append(peak, plotter.XY{X: from, Y: float64(w.Peak)}, plotter.XY{X: to, Y: float64(w.Peak)})
	}
	if err := addLine(p, peak, series{name: "most at once in the window", color: intendedColor}); err != nil {
		return nil, err
	}
	if err := addLine(p, mean, series{name: "in progress (window mean)", color: achievedColor, fill: withAlpha(achievedColor, 40)}); err != nil {
		return nil, err
	}
	if s.Planned > 0 {
		if err := addLine(p, plotter.XYs{{X: p.X.Min, Y: s.Planned}, {X: p.X.Max, Y: s.Planned}},
			series{name: "planned mean (model ÷ compress)", color: limitColor, dashed: true}); err != nil {
			return nil, err
		}
	}
	headroom(p, max(maxY(peak), s.Planned))
	return &figure{Name: "sessions", Title: "Sessions in progress",
		Caption: fmt.Sprintf("Journeys in progress, thinks included, played at the run's compression. Little's law over the run: "+
			"L = %.1f in progress on average, λ = %.2f sessions/s × W = %.2f s = %.1f (L/λW = %.3f); the plan expected %.1f on average, "+
			"and a peak of %.0f concurrent sessions in the world the scenario models.",
			s.MeanInFlight, s.ArrivalRate, s.MeanSeconds, s.LittlesLaw, s.Ratio, s.Planned, s.PlannedPeak),
		Panels: []*plot.Plot{p}}, nil
}
