// Package reports renders a run directory: summary.json, junit.xml, the plots (PNG and
// SVG), report.html, and the comparison of two runs. It reads only the directory (the
// resolved scenario and the journal), so any past run, even one that was killed,
// renders again the same way.
package reports

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"gonum.org/v1/plot/plotter"

	"github.com/thongsuot/thongsuot/harness/clock"
	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/scenarios"
)

// Run is a run directory read back: everything a report draws on.
type Run struct {
	Dir      string
	Scenario *scenarios.Scenario
	Clock    clock.Clock
	Zone     *time.Location
	Journal  *journal.Record
	Verdict  slo.Verdict
	// ScenarioText is scenario.yaml as written at the start of the run.
	ScenarioText string

	byIndex [][]*metrics.Window // the journal's windows by index
	merged  []*metrics.Window   // all classes of each index merged, made when first asked for
}

// Read loads a run directory and judges it. The directory is untrusted: scenario.yaml is
// read as any scenario file is (bounded, validated), the journal as journal.Read reads it.
func Read(dir string) (*Run, error) {
	path := filepath.Join(dir, scenarios.ResolvedFile)
	data, err := scenarios.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is not a run directory: no %s", dir, scenarios.ResolvedFile)
	}
	var located scenarios.Errors
	if err != nil && !errors.As(err, &located) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err != nil {
		return nil, err
	}
	s, err := scenarios.Parse(data, path)
	if err != nil {
		return nil, err
	}
	rec, err := journal.Read(dir)
	if err != nil {
		return nil, err
	}
	zone, err := time.LoadLocation(s.Clock.Zone)
	if err != nil {
		zone = time.UTC
	}
	r := &Run{
		Dir: dir, Scenario: s, Journal: rec, Zone: zone, ScenarioText: string(data),
		Clock:   s.Clock.Map(),
		Verdict: slo.Evaluate(s.SLOs, rec),
	}
	r.byIndex = rec.ByIndex()
	return r, nil
}

// Render writes every report of the run directory into it and returns the summary.
func Render(dir string) (*Summary, error) {
	r, err := Read(dir)
	if err != nil {
		return nil, err
	}
	sum := NewSummary(r)
	figs, err := r.figures()
	if err != nil {
		return nil, err
	}
	images := make([]rendered, 0, len(figs))
	for _, f := range figs {
		png, err := f.write(dir)
		if err != nil {
			return nil, fmt.Errorf("writing %s: %w", f.Name, err)
		}
		images = append(images, rendered{figure: f, png: png})
		sum.Files = append(sum.Files, f.Name+"."+formatPNG, f.Name+"."+formatSVG)
	}
	if err := writeHTML(r, sum, images, filepath.Join(dir, HTMLFile)); err != nil {
		return nil, fmt.Errorf("writing %s: %w", HTMLFile, err)
	}
	if err := WriteJUnit(r, filepath.Join(dir, JUnitFile)); err != nil {
		return nil, fmt.Errorf("writing %s: %w", JUnitFile, err)
	}
	if err := sum.Write(filepath.Join(dir, SummaryFile)); err != nil {
		return nil, fmt.Errorf("writing %s: %w", SummaryFile, err)
	}
	return sum, nil
}

// windowCount is how many window indexes the journal holds.
func (r *Run) windowCount() int { return len(r.byIndex) }

// window is what an objective or a panel sees of window i: one class, or all classes
// merged when class is empty. It is nil when the journal has no such window.
func (r *Run) window(i int, class string) *metrics.Window {
	if i >= len(r.byIndex) || len(r.byIndex[i]) == 0 {
		return nil
	}
	if class != "" {
		return slo.Select(r.byIndex[i], class)
	}
	// Merging histograms is the costly part of drawing: do it once per window.
	if r.merged == nil {
		r.merged = make([]*metrics.Window, len(r.byIndex))
	}
	if r.merged[i] == nil {
		r.merged[i] = slo.Select(r.byIndex[i], "")
	}
	return r.merged[i]
}

// xStart and xEnd are where window w begins and ends on the time axis; xMid is its middle.
func (r *Run) xStart(w *metrics.Window) float64 { return r.xAtWall(w.Start) }
func (r *Run) xEnd(w *metrics.Window) float64   { return r.xAtWall(w.Start + r.Journal.Run.Window) }
func (r *Run) xMid(w *metrics.Window) float64 {
	return r.xAtWall(w.Start + r.Journal.Run.Window/2)
}

// steps lays out one value per recorded window as a step line: each value holds from
// its window's start to its end.
func (r *Run) steps(class string, value func(w *metrics.Window) float64) plotter.XYs {
	var pts plotter.XYs
	var last *metrics.Window
	for i := range r.windowCount() {
		w := r.window(i, class)
		if w == nil {
			continue
		}
		pts = append(pts, plotter.XY{X: r.xStart(w), Y: value(w)})
		last = w
	}
	if last != nil {
		pts = append(pts, plotter.XY{X: r.xEnd(last), Y: pts[len(pts)-1].Y})
	}
	return pts
}

// points places one value per window at the window's middle, leaving out windows for
// which value says there is nothing to show.
func (r *Run) points(class string, value func(w *metrics.Window) (float64, bool)) plotter.XYs {
	var pts plotter.XYs
	for i := range r.windowCount() {
		if w := r.window(i, class); w != nil {
			if v, ok := value(w); ok {
				pts = append(pts, plotter.XY{X: r.xMid(w), Y: v})
			}
		}
	}
	return pts
}

// perSecond turns a count over one window into a rate per second of wall time.
func (r *Run) perSecond(n float64) float64 {
	if r.Journal.Run.Window <= 0 {
		return 0
	}
	return n / r.Journal.Run.Window.Seconds()
}

// recordedWall is how far, in wall time, the journal goes: the whole run when it
// finished, else the end of the last window written.
func (r *Run) recordedWall() time.Duration {
	if r.Journal.Run.Complete() {
		return r.Clock.WallDuration()
	}
	if n := len(r.byIndex); n > 0 {
		return time.Duration(n) * r.Journal.Run.Window
	}
	return 0
}
