package reports

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/thongsuot/thongsuot/harness/fault"
	"github.com/thongsuot/thongsuot/harness/load"
)

// planOf lays out a built-in scenario's plan figure.
func planOf(t *testing.T, name string) (*figure, figureLayout, *load.Plan) {
	t.Helper()
	s := builtinScenario(t, name)
	plan, err := load.NewPlan(s)
	require.NoError(t, err)
	f, err := planFigure(s, plan, load.ScenarioMarkers(s))
	require.NoError(t, err)
	return f, f.layout(), plan
}

// labelBoxes are the event labels of a plan as drawn: each label's box, and its event
// line from the top of the data up to its box.
func labelBoxes(f *figure, lay figureLayout) ([]placedLabel, []vg.Rectangle) {
	events := f.Bands[0].(*eventLabels)
	box := lay.Panels[0]
	labels := events.place(f.Panels[0], draw.Canvas{Rectangle: box.Data})
	boxes := make([]vg.Rectangle, len(labels))
	for i, l := range labels {
		boxes[i] = events.box(draw.Canvas{Rectangle: box.Band}, l)
	}
	return labels, boxes
}

// assertLabelsApart checks that no two label boxes overlap, that each lies in the band
// and holds its text, and that no event's line runs through another event's label.
func assertLabelsApart(t *testing.T, e *eventLabels, labels []placedLabel, boxes []vg.Rectangle, band vg.Rectangle, lineFrom vg.Length) {
	t.Helper()
	for i, a := range boxes {
		assert.True(t, within(a, band), "label %q inside the band", labels[i].Text)
		assert.GreaterOrEqual(t, float64(a.Size().X), float64(e.style.Rectangle(labels[i].Text).Size().X), "label %q holds its text", labels[i].Text)
		for j, b := range boxes[i+1:] {
			assert.False(t, overlaps(a, b), "labels %q and %q overlap", labels[i].Text, labels[i+1+j].Text)
		}
		for j, b := range boxes {
			if j == i {
				continue
			}
			x := labels[i].Anchor
			if b.Min.X < x && x < b.Max.X && b.Min.Y < a.Min.Y && b.Max.Y > lineFrom {
				t.Errorf("the line of %q runs through the label %q", labels[i].Text, labels[j].Text)
			}
		}
	}
}

// july1-surge's ten events, three of them at the very start, have labels that do not
// overlap, each beside its own line, above the data.
func TestPlanEventLabelsDoNotOverlap(t *testing.T) {
	tests := []struct {
		scenario string
		labels   int
	}{
		{"july1-surge", 10},
		{"registry-brownout", 1},
		{"link-flap", 0},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			f, lay, _ := planOf(t, tt.scenario)
			labels, boxes := labelBoxes(f, lay)
			require.Len(t, labels, tt.labels)
			box := lay.Panels[0]
			if tt.labels == 0 {
				assert.Zero(t, box.Band.Size().Y, "no events: no band")
				return
			}
			assert.False(t, overlaps(box.Band, box.Data), "the labels are above the data")
			assert.False(t, overlaps(box.Band, box.Title), "and under the title")
			assertLabelsApart(t, f.Bands[0].(*eventLabels), labels, boxes, box.Band, box.Data.Max.Y)
		})
	}
}

// A crowd of events — a dozen within the first hour, three at the very end — still
// gets labels that keep apart and inside the panel.
func TestEventLabelLayoutOfACrowd(t *testing.T) {
	p := plot.New()
	p.X.Min, p.X.Max = 0, 100
	e := &eventLabels{style: p.Title.TextStyle}
	e.style.Font.Size = vg.Points(eventFontSize)
	for i := range 12 {
		e.xs = append(e.xs, float64(i)*0.3)
		e.texts = append(e.texts, "an early event with a long label")
	}
	for _, x := range []float64{97, 99, 100} {
		e.xs = append(e.xs, x)
		e.texts = append(e.texts, "a late one")
	}
	data := draw.Canvas{Rectangle: vg.Rectangle{Min: vg.Point{X: 50, Y: 20}, Max: vg.Point{X: 650, Y: 300}}}
	labels := e.place(p, data)
	require.Len(t, labels, 15)
	h := e.height(p, data)
	band := draw.Canvas{Rectangle: vg.Rectangle{Min: vg.Point{X: 50, Y: 300}, Max: vg.Point{X: 650, Y: 300 + h}}}
	boxes := make([]vg.Rectangle, len(labels))
	for i, l := range labels {
		boxes[i] = e.box(band, l)
	}
	assertLabelsApart(t, e, labels, boxes, band.Rectangle, data.Max.Y)
}

// plan.png shades every window fault.Windows gives: a flap has one per cycle.
func TestPlanShadesEveryFaultWindow(t *testing.T) {
	tests := []struct {
		scenario string
		windows  int
	}{
		{"link-flap", 8}, // two flaps of four cycles
		{"july1-surge", 5},
		{"registry-brownout", 1}, // three faults, overlapping: shaded as one span
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			s := builtinScenario(t, tt.scenario)
			plan, err := load.NewPlan(s)
			require.NoError(t, err)
			r := &Run{Scenario: s, Clock: plan.Clock, Zone: time.UTC}
			shade := r.plannedFaults(plan)
			require.Len(t, shade.spans, tt.windows)
			var want [][2]float64
			for _, f := range s.Faults {
				for _, w := range fault.Windows(f, s.Clock.Map()) {
					want = append(want, [2]float64{r.xAtWall(w.Start), r.xAtWall(w.End)})
				}
			}
			assert.Equal(t, unionSpans(want), shade.spans)

			// And the image shows them: down the middle of each window the top panel is
			// shaded; half-way between two windows it is white.
			path := filepath.Join(t.TempDir(), PlanFile)
			require.NoError(t, WritePlan(path, s, plan, load.ScenarioMarkers(s)))
			img := decodePNG(t, path)
			f, err := planFigure(s, plan, load.ScenarioMarkers(s))
			require.NoError(t, err)
			lay := f.layout()
			data, top := lay.Panels[0].Data, f.Panels[0]
			assert.InDelta(t, px(lay.Height), img.Bounds().Dy(), 1, "the image is as laid out")
			column := func(x float64) float64 { // the share of a column of the data that is not white
				cx := px(data.Min.X + vg.Length((x-top.X.Min)/(top.X.Max-top.X.Min))*data.Size().X)
				inked, n := 0, 0
				for y := px(lay.Height-data.Max.Y) + 2; y < px(lay.Height-data.Min.Y)-2; y++ {
					r, g, b, _ := img.At(cx, y).RGBA()
					if r>>8 < 245 || g>>8 < 245 || b>>8 < 245 {
						inked++
					}
					n++
				}
				return float64(inked) / float64(n)
			}
			for i, sp := range shade.spans {
				assert.Greater(t, column((sp[0]+sp[1])/2), 0.8, "window %d is shaded", i)
				if i > 0 {
					assert.Less(t, column((shade.spans[i-1][1]+sp[0])/2), 0.2, "between windows %d and %d is white", i-1, i)
				}
			}
		})
	}
}

// px is a length in pixels of the figures' PNGs.
func px(l vg.Length) int { return int(float64(l) / 72 * figureDPI) }

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	return img
}
