package load

import (
	"time"
)

// A session is one journey walked by one user: from its arrival to its last step's
// answer, think times included. In the world a scenario models, a session lasts its
// thinks in scenario time (a citizen's pauses while reading and filling in forms);
// the answers add well under a second each, which the model leaves out. A run plays
// the same session compressed: its thinks on the wall clock, plus the answers' latency.

// sessionLength is how long one walk of the journey lasts in scenario time when every
// step after the first follows a think of that length: the expected number of thinks
// (steps taken by a share of the walks count by their share) × think.
func (j *Journey) sessionLength(think time.Duration) time.Duration {
	steps := 0.0
	for _, st := range j.Steps {
		steps += st.Share * float64(st.Repeat)
	}
	return time.Duration(max(steps-1, 0) * float64(think))
}

// Sessions is how many of the plan's journeys are in progress at scenario time t, at
// the plan's scale, in the world the scenario models: each journey flow's arrivals over
// the last session length (Little's law with a fixed length, exact for a smooth curve).
// A run at compress c has about Sessions/c journeys in flight, plus the answers' latency.
func (p *Plan) Sessions(t time.Time) float64 {
	n := 0.0
	for _, f := range p.Flows {
		if f.Session > 0 {
			from := t.Add(-f.Session)
			if from.Before(p.Clock.Start) {
				from = p.Clock.Start
			}
			n += p.Scale * f.Curve.Integrate(from, t)
		}
	}
	return n
}

// SessionPoint is the modelled number of sessions in progress at one moment.
type SessionPoint struct {
	Scenario time.Time
	Sessions float64
}

// SessionSeries is Sessions at the start of n equal spans of the scenario.
func (p *Plan) SessionSeries(n int) []SessionPoint {
	span := p.Clock.End.Sub(p.Clock.Start)
	pts := make([]SessionPoint, n)
	for k := range pts {
		// In floating point: span × k overflows a Duration for a four-month scenario.
		t := p.Clock.Start.Add(time.Duration(float64(span) * float64(k) / float64(n)))
		pts[k] = SessionPoint{Scenario: t, Sessions: p.Sessions(t)}
	}
	return pts
}

// PeakSessions is the highest point of a session series.
func PeakSessions(series []SessionPoint) SessionPoint {
	return highest(series, func(p SessionPoint) float64 { return p.Sessions })
}

// SessionRate is the journeys that start per second of scenario time, on average over
// the scenario at the plan's scale, and their mean session length: Little's law says
// their product is the mean number of sessions in progress.
func (p *Plan) SessionRate() (perSecond float64, mean time.Duration) {
	span := p.Clock.End.Sub(p.Clock.Start)
	arrivals, length := 0.0, 0.0
	for _, f := range p.Flows {
		if f.Session > 0 {
			n := p.Scale * f.Curve.Integrate(p.Clock.Start, p.Clock.End)
			arrivals += n
			length += n * f.Session.Seconds()
		}
	}
	if arrivals == 0 {
		return 0, 0
	}
	return arrivals / span.Seconds(), time.Duration(length / arrivals * float64(time.Second))
}
