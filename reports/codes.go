package reports

import (
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"

	"github.com/thongsuot/thongsuot/harness/metrics"
)

// codesFigure stacks the responses of every window by status code, so a wave of 503s
// or timeouts shows as a band taking over from the 2xx.
func (r *Run) codesFigure() (*figure, error) {
	p := r.panel(r.Scenario.Name+" — responses by status code, all classes", "responses per second (wall)")
	codes := r.codes()
	// Draw the cumulative areas from the top layer down, each filling to the axis, so
	// each band shows between its neighbours.
	layers := make([]plotter.XYs, len(codes))
	for k := range codes {
		layers[k] = r.steps("", func(w *metrics.Window) float64 {
			n := int64(0)
			for _, c := range codes[:k+1] {
				n += w.Codes[c]
			}
			return r.perSecond(float64(n))
		})
	}
	colors := codeColorsFor(codes)
	for k := len(codes) - 1; k >= 0; k-- {
		c := colors[codes[k]]
		if err := addLine(p, layers[k], series{name: codeName(codes[k]), color: c, width: 0.5, step: true, fill: c}); err != nil {
			return nil, err
		}
	}
	hatch := r.faultShade()
	hatch.style = shadeFaultHatch // again, over the opaque bands: the hatching alone, which leaves their colours as they are
	p.Add(hatch)
	top := 0.0
	if len(layers) > 0 {
		top = maxY(layers[len(layers)-1])
	}
	headroom(p, top)
	return &figure{Name: "codes", Title: "Status codes",
		Caption: "Responses per window stacked by HTTP status: answers (2xx) in greens, 4xx in oranges, 5xx in reds, \"transport\" (connection errors and timeouts, no status) in black; fault windows hatched grey. 4xx are answers; 5xx and transport count against availability.",
		Panels:  []*plot.Plot{p}}, nil
}

// codes are the status codes the run saw, in the order they stack: 2xx at the bottom,
// transport errors on top.
func (r *Run) codes() []string {
	seen := map[string]bool{}
	for _, w := range r.Journal.Windows {
		for c, n := range w.Codes {
			if n > 0 {
				seen[c] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	sort.Slice(out, func(a, b int) bool { return codeRank(out[a]) < codeRank(out[b]) })
	return out
}

// codeRank orders codes numerically, with 0 (no response) last.
func codeRank(c string) int {
	n, err := strconv.Atoi(c)
	if err != nil {
		return 1 << 20
	}
	if n == 0 {
		return 1 << 19
	}
	return n
}

func codeName(c string) string {
	if c == "0" {
		return "transport error / timeout"
	}
	return c
}

func maxY(pts plotter.XYs) float64 {
	m := 0.0
	for _, p := range pts {
		m = max(m, p.Y)
	}
	return m
}
