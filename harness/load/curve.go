package load

import (
	"time"

	"github.com/thongsuot/thongsuot/scenarios"
)

// Curve is the arrival rate over scenario time at scale 1: the baseline times every
// event's multiplier at that moment.
type Curve struct {
	baseline float64
	events   []scenarios.Event
}

// NewCurve builds the curve a scenario's load section describes.
func NewCurve(l scenarios.Load) Curve {
	return Curve{baseline: float64(l.Baseline), events: l.Events}
}

// At is the rate, in requests per second, at scenario time t.
func (c Curve) At(t time.Time) float64 {
	r := c.baseline
	for _, e := range c.events {
		r *= factor(e, t)
	}
	return r
}

func factor(e scenarios.Event, t time.Time) float64 {
	switch {
	case e.Step != nil:
		s := e.Step
		if t.Before(s.At.Time) || (s.Until != nil && !t.Before(s.Until.Time)) {
			return 1
		}
		return s.Factor
	case e.Ramp != nil:
		r := e.Ramp
		switch {
		case !t.After(r.From.Time):
			return r.FromFactor
		case !t.Before(r.To.Time):
			return r.ToFactor
		}
		frac := float64(t.Sub(r.From.Time)) / float64(r.To.Sub(r.From.Time))
		return r.FromFactor + frac*(r.ToFactor-r.FromFactor)
	}
	return 1
}
