package reports

import (
	"fmt"

	"gonum.org/v1/plot"

	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/scenarios"
)

// availabilityFigure shows, per availability objective, each judged window's share of
// requests answered (no 5xx, no transport error) against the target.
func (r *Run) availabilityFigure() (*figure, error) {
	f := &figure{Name: "availability", Title: "Availability per window",
		Caption: fmt.Sprintf("Share of requests answered without a 5xx or transport error, per %s window with at least %d requests; the dashed line is the target, red rings the windows below it.",
			shortDuration(r.Scenario.SLOs.Window.Duration), max(r.Scenario.SLOs.MinRequests, 1))}
	outcomes := r.outcomes(scenarios.KindAvailability)
	if len(outcomes) == 0 { // no objective: still show how available the service was
		outcomes = []slo.Outcome{{Name: "availability", Class: ""}}
	}
	for _, o := range outcomes {
		p := r.panel(fmt.Sprintf("%s — availability of %s", r.Scenario.Name, orAll(o.Class)), "answered (% of requests)")
		pts := r.points(o.Class, func(w *metrics.Window) (float64, bool) {
			return w.Availability(), w.Sent >= int64(max(r.Scenario.SLOs.MinRequests, 1))
		})
		if err := addLine(p, pts, series{name: "answered, " + orAll(o.Class), color: r.classColor(o.Class)}); err != nil {
			return nil, err
		}
		lo := 100.0
		for _, pt := range pts {
			lo = min(lo, pt.Y)
		}
		if o.Objective != "" {
			if err := addLimit(p, o.Limit, fmt.Sprintf("SLO %s: %s", o.Name, o.Objective)); err != nil {
				return nil, err
			}
			lo = min(lo, o.Limit)
			if err := r.addBreaches(p, o); err != nil {
				return nil, err
			}
		}
		availabilityAxis(p, lo)
		f.Panels = append(f.Panels, p)
	}
	return f, nil
}

// availabilityAxis fits a percentage axis whose data sit near 100 % down to lo, with a
// little room under the lowest value.
func availabilityAxis(p *plot.Plot, lo float64) {
	span := max(100-lo, 1)
	p.Y.Min, p.Y.Max = max(lo-span*0.15, 0), 100+span*0.1
}

// outcomes are the verdict's outcomes of one objective kind.
func (r *Run) outcomes(kind string) []slo.Outcome {
	var out []slo.Outcome
	for _, o := range r.Verdict.Objectives {
		if o.Kind == kind {
			out = append(out, o)
		}
	}
	return out
}
