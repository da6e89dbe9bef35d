package reports

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/scenarios"
)

// LatencyFile is the latency plot: per class, p50/p95/p99 per window over scenario
// time, each latency objective as a line, and fault windows shaded.
const LatencyFile = "latency.png"

// minLatencyMs is the floor of the log-scale latency axis.
const minLatencyMs = 0.1

var percentiles = []struct {
	q     float64
	name  string
	width vg.Length
}{{50, "p50", vg.Points(1.2)}, {95, "p95", vg.Points(1.8)}, {99, "p99", vg.Points(1)}}

// maxLatencyPanels caps the latency figure: when a panel per class would pass it, the
// classes no latency objective judges are drawn together, a panel per journey (the
// classes "<entry>.<step>" of one mix entry), and the quietest journeys share one.
const maxLatencyPanels = 8

// Latency panel heights: a class with its percentiles, and a group of classes' p95.
const (
	latencyPanelHeight = 7 * vg.Centimeter
	latencyGroupHeight = 5.5 * vg.Centimeter
)

// latencyPanelSpec is one panel of the latency figure.
type latencyPanelSpec struct {
	name    string   // a class; "" for all classes together; for a group, what it holds
	classes []string // a group's classes: the p95 of each is drawn
}

func (s latencyPanelSpec) group() bool { return s.classes != nil }

// latencyFigure has a panel per class (and one for all classes when an objective
// judges them together), stacked, sharing the time axis; with many classes, a panel per
// class an objective judges and the rest grouped by journey.
func (r *Run) latencyFigure() (*figure, error) {
	f := &figure{Name: "latency", Title: "Latency per request class",
		Caption: "p50, p95 and p99 of each window (log scale); dashed lines are the latency objectives, red rings the windows that broke one."}
	specs := r.latencyPanels()
	for _, spec := range specs {
		if spec.group() {
			f.Caption = fmt.Sprintf("A panel per class a latency objective judges: p50, p95 and p99 of each window (log scale), the objective dashed, red rings the windows that broke it. Then the p95 of every other class, a panel per journey (%d classes in all). A class with requests in few windows is drawn as dots.", len(r.Journal.Run.Classes))
			break
		}
	}
	for _, spec := range specs {
		p, err := r.latencyPanel(spec)
		if err != nil {
			return nil, err
		}
		f.Panels = append(f.Panels, p)
		h := latencyPanelHeight
		if spec.group() {
			h = latencyGroupHeight
		}
		f.Heights = append(f.Heights, h)
	}
	return f, nil
}

// latencyPanels are the figure's panels: a panel per class of the run, and one for all
// classes when an objective judges them together; past maxLatencyPanels, a panel per
// class an objective judges, then the other classes grouped by journey.
func (r *Run) latencyPanels() []latencyPanelSpec {
	classes := r.Journal.Run.Classes
	judged := map[string]bool{}
	var order []string // judged classes, as the objectives name them
	for _, o := range r.Scenario.SLOs.Objectives {
		if o.Kind == scenarios.KindLatency && !judged[o.Class] {
			judged[o.Class] = true
			order = append(order, o.Class)
		}
	}
	var rest []string
	for _, c := range classes {
		if !judged[c] {
			rest = append(rest, c)
		}
	}
	var out []latencyPanelSpec
	if len(order)+len(rest) <= maxLatencyPanels {
		for _, c := range classes {
			out = append(out, latencyPanelSpec{name: c})
		}
		for _, c := range order { // judged classes the journal does not hold, and "" (all)
			if !slices.Contains(classes, c) {
				out = append(out, latencyPanelSpec{name: c})
			}
		}
		return out
	}
	for _, c := range order {
		out = append(out, latencyPanelSpec{name: c})
	}
	return append(out, r.latencyGroups(rest, max(maxLatencyPanels-len(order), 1))...)
}

// latencyGroups groups classes by journey ("<entry>.<step>" by entry), merging the
// groups with the fewest requests until there are at most n.
func (r *Run) latencyGroups(classes []string, n int) []latencyPanelSpec {
	sent := map[string]int64{}
	for _, w := range r.Journal.Windows {
		sent[w.Class] += w.Sent
	}
	type group struct {
		entries []string
		classes []string
		sent    int64
	}
	var groups []*group
	at := map[string]*group{}
	for _, c := range classes {
		entry, _, _ := strings.Cut(c, ".")
		g := at[entry]
		if g == nil {
			g = &group{entries: []string{entry}}
			at[entry] = g
			groups = append(groups, g)
		}
		g.classes = append(g.classes, c)
		g.sent += sent[c]
	}
	for len(groups) > n {
		// merge the two quietest groups into the earlier of them
		a, b := -1, -1
		for i, g := range groups {
			switch {
			case a < 0 || g.sent < groups[a].sent:
				a, b = i, a
			case b < 0 || g.sent < groups[b].sent:
				b = i
			}
		}
		a, b = min(a, b), max(a, b)
		groups[a].entries = append(groups[a].entries, groups[b].entries...)
		groups[a].classes = append(groups[a].classes, groups[b].classes...)
		groups[a].sent += groups[b].sent
		groups = slices.Delete(groups, b, b+1)
	}
	out := make([]latencyPanelSpec, len(groups))
	for i, g := range groups {
		name := strings.Join(g.entries, ", ")
		if len(g.classes) > 1 {
			name += fmt.Sprintf(": %d classes", len(g.classes))
		}
		out[i] = latencyPanelSpec{name: name, classes: g.classes}
	}
	return out
}

func (r *Run) latencyPanel(spec latencyPanelSpec) (*plot.Plot, error) {
	window := shortDuration(r.Scenario.SLOs.Window.Duration)
	title := fmt.Sprintf("%s — latency of %s per %s window", r.Scenario.Name, orAll(spec.name), window)
	if spec.group() {
		title = fmt.Sprintf("%s — p95 of %s per %s window", r.Scenario.Name, spec.name, window)
	}
	p := r.panel(title, "latency (ms, log scale)")
	// A log scale keeps millisecond reads and a seconds-long SLO or fault readable on one panel.
	p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	p.Y.Min, p.Y.Max = math.Inf(1), 1
	latency := func(q float64) func(w *metrics.Window) (float64, bool) {
		return func(w *metrics.Window) (float64, bool) { return max(ms(w.Percentile(q)), minLatencyMs), w.Sent > 0 }
	}
	if spec.group() {
		for i, c := range spec.classes {
			pts := r.points(c, latency(95))
			for _, pt := range pts {
				p.Y.Min, p.Y.Max = min(p.Y.Min, pt.Y), max(p.Y.Max, pt.Y)
			}
			if err := r.addSparseLine(p, pts, series{name: c, color: categoricalColor(i), width: vg.Points(1.2), dashed: i >= len(categorical)}); err != nil {
				return nil, err
			}
		}
		latencyAxis(p)
		return p, nil
	}
	class := spec.name
	for _, pc := range percentiles {
		pts := r.points(class, latency(pc.q))
		for _, pt := range pts {
			p.Y.Min, p.Y.Max = min(p.Y.Min, pt.Y), max(p.Y.Max, pt.Y)
		}
		if err := r.addSparseLine(p, pts, series{name: pc.name, color: percentileColors[pc.q], width: pc.width}); err != nil {
			return nil, err
		}
	}
	for i, o := range r.Scenario.SLOs.Objectives {
		if o.Kind != scenarios.KindLatency || o.Class != class {
			continue
		}
		limit := ms(o.Max.Duration)
		if err := addLimit(p, limit, fmt.Sprintf("SLO %s: p%s ≤ %s", o.Name, strconv.FormatFloat(o.Percentile, 'g', -1, 64), o.Max.Duration)); err != nil {
			return nil, err
		}
		p.Y.Min, p.Y.Max = min(p.Y.Min, limit), max(p.Y.Max, limit)
		if i < len(r.Verdict.Objectives) {
			if err := r.addBreaches(p, r.Verdict.Objectives[i]); err != nil {
				return nil, err
			}
		}
	}
	latencyAxis(p)
	return p, nil
}

// latencyAxis leaves a little room, on the log scale, above the highest value and
// below the lowest (a third of it, and not under minLatencyMs).
func latencyAxis(p *plot.Plot) {
	if math.IsInf(p.Y.Min, 1) {
		p.Y.Min = minLatencyMs
	}
	p.Y.Min = max(min(p.Y.Min/3, p.Y.Max/10), minLatencyMs)
	p.Y.Max *= 1.5
}

// addSparseLine draws a class's values as a line, or as dots when it has values in
// fewer than a third of the windows (a line would join values hours apart, and hide
// that most windows had no request of the class).
func (r *Run) addSparseLine(p *plot.Plot, pts plotter.XYs, s series) error {
	if len(pts) == 0 || 3*len(pts) >= r.windowCount() {
		return addLine(p, pts, s)
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: s.color, Radius: vg.Points(1.8), Shape: draw.CircleGlyph{}}
	p.Add(sc)
	p.Legend.Add(s.name, sc)
	return nil
}

// addBreaches rings the windows where an objective failed, at the failing value.
func (r *Run) addBreaches(p *plot.Plot, o slo.Outcome) error {
	if len(o.Failed) == 0 {
		return nil
	}
	var pts plotter.XYs
	for _, f := range o.Failed {
		if w := r.window(f.Index, o.Class); w != nil {
			pts = append(pts, plotter.XY{X: r.xMid(w), Y: max(f.Value, p.Y.Min)})
		}
	}
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	s.GlyphStyle = draw.GlyphStyle{Color: breachColor, Radius: vg.Points(4.5), Shape: ringGlyph{width: vg.Points(1.5)}}
	p.Add(s)
	windows := "windows"
	if len(o.Failed) == 1 {
		windows = "window"
	}
	p.Legend.Add(fmt.Sprintf("%s broken (%d %s)", o.Name, len(o.Failed), windows), s)
	return nil
}

// ringGlyph is a ring with a line width of its own: thicker than draw.RingGlyph's, so
// that a broken window stands out on the lines it sits on.
type ringGlyph struct{ width vg.Length }

func (g ringGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: g.width})
	var p vg.Path
	p.Move(vg.Point{X: pt.X + sty.Radius, Y: pt.Y})
	p.Arc(pt, sty.Radius, 0, 2*math.Pi)
	p.Close()
	c.Stroke(p)
}
