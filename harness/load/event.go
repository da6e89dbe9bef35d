package load

import (
	"math"
	"slices"
	"sort"
	"time"

	"github.com/thongsuot/thongsuot/scenarios"
)

// factor is an event's multiplier at scenario time t: 1 outside the event.
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
		case t.Before(r.From.Time):
			return 1 // a ramp is an event: nothing before it starts
		case !t.Before(r.To.Time):
			return r.ToFactor
		}
		frac := float64(t.Sub(r.From.Time)) / float64(r.To.Sub(r.From.Time))
		return r.FromFactor + frac*(r.ToFactor-r.FromFactor)
	case e.Spike != nil:
		s := e.Spike
		since := t.Sub(s.At.Time)
		switch {
		case since >= 0:
			return 1 + (s.Peak-1)*math.Exp2(-float64(since)/float64(s.HalfLife.Duration))
		case s.Rise.Duration > 0 && -since < s.Rise.Duration:
			return 1 + (s.Peak-1)*(1-float64(-since)/float64(s.Rise.Duration))
		}
		return 1
	}
	return 1
}

// Marker is an event as plan.png and `thongsuot plan` show it: when, what, and a label.
type Marker struct {
	At, Until time.Time // Until is zero for an instant (a spike's peak, an open step)
	Kind      string    // step, ramp or spike
	Label     string
	Entry     string // the shape or mix entry it belongs to; "" for load.events
}

// Markers lists events in the order given.
func Markers(events []scenarios.Event, entry string) []Marker {
	var ms []Marker
	for _, e := range events {
		switch {
		case e.Step != nil:
			m := Marker{At: e.Step.At.Time, Kind: "step", Label: e.Step.Label, Entry: entry}
			if e.Step.Until != nil {
				m.Until = e.Step.Until.Time
			}
			ms = append(ms, m)
		case e.Ramp != nil:
			ms = append(ms, Marker{At: e.Ramp.From.Time, Until: e.Ramp.To.Time, Kind: "ramp", Label: e.Ramp.Label, Entry: entry})
		case e.Spike != nil:
			ms = append(ms, Marker{At: e.Spike.At.Time, Kind: "spike", Label: e.Spike.Label, Entry: entry})
		}
	}
	return ms
}

// ScenarioMarkers are every event of a scenario that starts before its end —
// load.events, then each shape's in name order — sorted by time. An event that several
// shapes share (a YAML anchor: the dossier build-up of both channels) is one marker
// naming them all.
func ScenarioMarkers(s *scenarios.Scenario) []Marker {
	ms := Markers(s.Load.Events, "")
	names := make([]string, 0, len(s.Load.Shapes))
	for name := range s.Load.Shapes {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, m := range Markers(s.Load.Shapes[name].Events, name) {
			if i := slices.IndexFunc(ms, m.same); i >= 0 && ms[i].Entry != "" {
				ms[i].Entry += ", " + name
				continue
			}
			ms = append(ms, m)
		}
	}
	ms = slices.DeleteFunc(ms, func(m Marker) bool { return !m.At.Before(s.Clock.End.Time) })
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].At.Before(ms[j].At) })
	return ms
}

// same says whether o marks the same event as m, maybe of another shape.
func (m Marker) same(o Marker) bool {
	return m.At.Equal(o.At) && m.Until.Equal(o.Until) && m.Kind == o.Kind && m.Label == o.Label
}
