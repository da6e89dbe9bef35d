package load

import (
	"time"

	"gonum.org/v1/gonum/interp"

	"github.com/thongsuot/thongsuot/scenarios"
)

// Shape is the relative rate over scenario time: a diurnal curve × a weekday factor ×
// events. Diurnal and weekly parts average 1, so a shape only redistributes traffic
// over the day and the week; events add or remove it.
type Shape struct {
	zone    *time.Location
	diurnal func(hour float64) float64 // hour of the day in [0, 24); nil = flat
	weekly  [7]float64                 // by time.Weekday, averaging 1
	events  []scenarios.Event
}

// NewShape builds a shape in zone (where hours and weekdays are counted).
func NewShape(zone *time.Location, d scenarios.Diurnal, w *scenarios.Weekly, events []scenarios.Event) Shape {
	s := Shape{zone: zone, events: events}
	if len(d) == 24 {
		s.diurnal = diurnalCurve(d)
	}
	f, sum := w.Factors(), 0.0
	for _, v := range f {
		sum += v
	}
	for i := range f {
		s.weekly[i] = f[i] * 7 / sum
	}
	return s
}

// At is the shape's multiplier at scenario time t.
func (s Shape) At(t time.Time) float64 {
	r := 1.0
	if s.diurnal != nil || s.weekly != [7]float64{1, 1, 1, 1, 1, 1, 1} {
		local := t.In(s.zone)
		r = s.weekly[local.Weekday()]
		if s.diurnal != nil {
			h, m, sec := local.Clock()
			r *= s.diurnal(float64(h) + float64(m)/60 + (float64(sec)+float64(local.Nanosecond())/1e9)/3600)
		}
	}
	for _, e := range s.events {
		r *= factor(e, t)
	}
	return r
}

// diurnalCurve interpolates the 24 hourly values, each placed at the middle of its
// hour, with a monotone cubic (Fritsch–Butland: smooth, never overshoots below zero),
// periodic over the day, and scales the result to average 1.
func diurnalCurve(points scenarios.Diurnal) func(float64) float64 {
	const pad = 3 // points repeated on each side so the seam at midnight is smooth
	xs := make([]float64, 0, 24+2*pad)
	ys := make([]float64, 0, 24+2*pad)
	for i := -pad; i < 24+pad; i++ {
		xs = append(xs, float64(i)+0.5)
		ys = append(ys, points[(i+24)%24])
	}
	var fb interp.FritschButland
	if err := fb.Fit(xs, ys); err != nil {
		// Fit fails only on malformed x, which is built above: flat is the safe answer.
		return nil
	}
	const samples = 24 * 60
	mean := 0.0
	for i := 0; i < samples; i++ {
		mean += fb.Predict((float64(i) + 0.5) * 24 / samples)
	}
	mean /= samples
	if mean <= 0 {
		return nil
	}
	return func(h float64) float64 { return max(fb.Predict(h), 0) / mean }
}
