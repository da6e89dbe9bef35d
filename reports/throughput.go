package reports

import (
	"fmt"
	"strings"

	"gonum.org/v1/plot"

	"github.com/thongsuot/thongsuot/harness/metrics"
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
		{series{name: "intended (the curve)", color: intendedColor, dashed: true}, func(w *metrics.Window) float64 { return w.Planned }},
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

	groups := r.classGroups()
	title := " — achieved throughput per class"
	if len(groups) < len(r.Journal.Run.Classes) {
		title = " — achieved throughput per mix entry (a journey's steps together)"
	}
	perClass := r.panel(r.Scenario.Name+title, "requests per second (wall)")
	top = 0
	for _, g := range groups {
		pts := r.steps(g.classes[0], func(w *metrics.Window) float64 {
			n := 0.0
			for _, c := range g.classes {
				if cw := r.window(w.Index, c); cw != nil {
					n += float64(cw.Sent)
				}
			}
			return r.perSecond(n)
		})
		top = max(top, maxY(pts))
		if err := addLine(perClass, pts, series{name: g.name, color: r.classColor(g.classes[0]), step: true}); err != nil {
			return nil, err
		}
	}
	headroom(perClass, top)
	return &figure{Name: "throughput", Title: "Throughput: intended, achieved, errors",
		Caption: fmt.Sprintf("Per %s window, in requests per second of wall time. Achieved below intended means the generator fell behind (see late and dropped sends); errors are part of achieved.",
			shortDuration(r.Scenario.SLOs.Window.Duration)),
		Panels: []*plot.Plot{total, perClass}}, nil
}

// maxClassLines is how many classes a per-class panel draws one by one; beyond it a
// journey's steps are drawn as one line, so the legend stays readable.
const maxClassLines = 10

type classGroup struct {
	name    string
	classes []string
}

// classGroups are the lines of a per-class panel: one per class, or, when there are
// too many, one per mix entry (a journey's step classes are "<entry>.<step>").
func (r *Run) classGroups() []classGroup {
	classes := r.Journal.Run.Classes
	var out []classGroup
	if len(classes) <= maxClassLines {
		for _, c := range classes {
			out = append(out, classGroup{name: c, classes: []string{c}})
		}
		return out
	}
	at := map[string]int{}
	for _, c := range classes {
		entry, _, _ := strings.Cut(c, ".")
		i, ok := at[entry]
		if !ok {
			i = len(out)
			at[entry] = i
			out = append(out, classGroup{name: entry})
		}
		out[i].classes = append(out[i].classes, c)
	}
	for i := range out {
		if n := len(out[i].classes); n > 1 {
			out[i].name = fmt.Sprintf("%s (%d steps)", out[i].name, n)
		}
	}
	return out
}
