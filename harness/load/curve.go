package load

import (
	"fmt"
	"time"

	"github.com/thongsuot/thongsuot/scenarios"
)

// Curve is one mix entry's arrival rate over scenario time at scale 1: its base rate
// times its shape (diurnal × weekly × its shape's events) times load.events, times its
// channel's share of the dossiers when it has a channel.
type Curve struct {
	Base   float64 // average arrivals per second before the shape
	Shape  Shape   // the entry's diurnal, weekly and shape events
	Global Shape   // load.events (flat otherwise)
	// Channel is the entry's channel's share of all dossiers at scenario time t; nil
	// for an entry without a channel.
	Channel func(t time.Time) float64
}

// At is the rate, in arrivals per second, at scenario time t.
func (c Curve) At(t time.Time) float64 {
	r := c.Base * c.Shape.At(t) * c.Global.At(t)
	if c.Channel != nil {
		r *= c.Channel(t)
	}
	return r
}

// channelShare is the share of all dossiers that the journey's channel carries at
// scenario time t (nil for a journey that files none, or without load.channels):
// the online share where no area has a ratio of its own, times the population's mean
// ratio (online), or the rest (counter).
func channelShare(s *scenarios.Scenario, journey string, ch *scenarios.Channels, pop *Population) func(time.Time) float64 {
	j, _ := s.Journey(journey)
	switch channel := j.Channel; {
	case channel == "" || ch == nil:
		return nil
	case channel == scenarios.ChannelOnline:
		return func(t time.Time) float64 { return ch.OnlineAt(t) * pop.OnlineRatio }
	}
	return func(t time.Time) float64 { return 1 - ch.OnlineAt(t)*pop.OnlineRatio }
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
	var pop *Population
	if l.Channels != nil {
		pop = NewPopulation(l.Population)
	}
	curves := make([]Curve, len(s.Mix))
	for i, m := range s.Mix {
		if m.Closed() {
			curves[i] = closedCurve(s, m, zone)
			continue
		}
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
		curves[i] = Curve{Base: base, Shape: NewShape(zone, diurnal, weekly, events), Global: global,
			Channel: channelShare(s, m.Journey, l.Channels, pop)}
	}
	return curves, nil
}

// Integrate is the number of arrivals the curve asks for over scenario time [from, to)
// at scale 1.
func (c Curve) Integrate(from, to time.Time) float64 { return integrate(c.At, from, to) }

// integrate is ∫ rate over scenario time [from, to), rate per second (Simpson's rule on
// one-minute steps; events with sharper edges than that are rare and cost at most a
// minute's traffic each).
func integrate(rate func(time.Time) float64, from, to time.Time) float64 {
	const step = time.Minute
	if !to.After(from) {
		return 0
	}
	n := max(int(to.Sub(from)/step), 2) // a span under two minutes still takes Simpson's two steps
	if n%2 == 1 {
		n++
	}
	h := to.Sub(from) / time.Duration(n)
	sum := rate(from) + rate(to)
	for i := 1; i < n; i++ {
		w := 2.0
		if i%2 == 1 {
			w = 4
		}
		sum += w * rate(from.Add(time.Duration(i)*h))
	}
	return sum * h.Seconds() / 3
}
