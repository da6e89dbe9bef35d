package load

import (
	"fmt"
	"time"

	"github.com/thongsuot/thongsuot/scenarios"
)

// Curve is one mix entry's arrival rate over scenario time at scale 1: its base rate
// times its shape (diurnal × weekly × its shape's events) times load.events.
type Curve struct {
	Base   float64 // average arrivals per second before the shape
	Shape  Shape   // the entry's diurnal, weekly and shape events
	Global Shape   // load.events (flat otherwise)
}

// At is the rate, in arrivals per second, at scenario time t.
func (c Curve) At(t time.Time) float64 {
	return c.Base * c.Shape.At(t) * c.Global.At(t)
}

// NewCurves builds every mix entry's curve, in mix order.
func NewCurves(s *scenarios.Scenario) ([]Curve, error) {
	zone, err := time.LoadLocation(s.Clock.Zone)
	if err != nil {
		return nil, fmt.Errorf("clock.zone: %w", err)
	}
	l := s.Load
	total := 0.0
	for _, m := range s.Mix {
		if m.Rate == 0 {
			total += m.Weight
		}
	}
	global := NewShape(zone, nil, nil, l.Events)
	curves := make([]Curve, len(s.Mix))
	for i, m := range s.Mix {
		base := float64(m.Rate)
		if m.Rate == 0 && total > 0 {
			base = float64(l.Baseline) * m.Weight / total
		}
		diurnal, weekly, events := l.Diurnal, l.Weekly, []scenarios.Event(nil)
		if sh, ok := l.Shapes[m.Shape]; ok {
			events = sh.Events
			if len(sh.Diurnal) > 0 {
				diurnal = sh.Diurnal
			}
			if sh.Weekly != nil {
				weekly = sh.Weekly
			}
		}
		curves[i] = Curve{Base: base, Shape: NewShape(zone, diurnal, weekly, events), Global: global}
	}
	return curves, nil
}
