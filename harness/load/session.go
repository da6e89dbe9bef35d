package load

import (
	"sync"
	"time"

	"github.com/thongsuot/thongsuot/scenarios"
)

// A session is one journey walked by one user: from its arrival to its last step's
// answer, think times included. In the world a scenario models, a session lasts its
// thinks in scenario time (a citizen's pauses while reading and filling in forms);
// the answers add well under a second each, which the model leaves out. A run plays
// the same session compressed: its thinks on the wall clock, plus the answers' latency.

// sessionLength is how long one walk of the journey lasts in scenario time when the
// entry's think is think (wall time) and the run plays at compress: its expected
// thinks (thinking), each compress× longer in the world than on the wall.
func sessionLength(j scenarios.Journey, think time.Duration, compress float64) time.Duration {
	return time.Duration(float64(thinking(j.Steps, think)) * compress)
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

// SessionGauge counts the journeys a run has in progress: a session begins when its
// journey's arrival is dispatched and ends after its last step's answer, so it lasts
// its thinks (compressed onto the wall clock) plus its answers. It keeps the integral of
// the count over time, so the mean number in progress over any span is exact, and the
// lengths of the sessions that ended: Little's law (L = λW) then checks one against the
// other. Safe for concurrent use; a nil gauge counts nothing.
type SessionGauge struct {
	mu       sync.Mutex
	last     time.Time
	inFlight int64
	peak     int64   // highest since the last Take
	area     float64 // ∫ in-flight dt, session-seconds
	started  int64
	ended    int64
	length   float64 // seconds, summed over the sessions that ended
}

// NewSessionGauge starts a gauge at start (the run's offset 0).
func NewSessionGauge(start time.Time) *SessionGauge { return &SessionGauge{last: start} }

// advance adds the area up to now; the caller holds mu.
func (g *SessionGauge) advance(now time.Time) {
	if d := now.Sub(g.last).Seconds(); d > 0 {
		g.area += float64(g.inFlight) * d
		g.last = now
	}
}

// Begin counts a session in progress from now; the function it returns ends it.
func (g *SessionGauge) Begin() (end func()) {
	if g == nil {
		return func() {}
	}
	began := time.Now()
	g.mu.Lock()
	g.advance(began)
	g.inFlight++
	g.started++
	g.peak = max(g.peak, g.inFlight)
	g.mu.Unlock()
	return func() {
		now := time.Now()
		g.mu.Lock()
		g.advance(now)
		g.inFlight--
		g.ended++
		g.length += now.Sub(began).Seconds()
		g.mu.Unlock()
	}
}

// SessionCount is a gauge's reading.
type SessionCount struct {
	InFlight int64   // sessions in progress now
	Peak     int64   // the most in progress at once since the previous Take
	Area     float64 // session-seconds in progress since the start
	Started  int64   // sessions begun since the start
	Ended    int64   // sessions ended since the start
	Length   float64 // seconds, summed over the sessions that ended
}

// Take reads the gauge at now and starts a new peak.
func (g *SessionGauge) Take(now time.Time) SessionCount {
	if g == nil {
		return SessionCount{}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.advance(now)
	c := SessionCount{InFlight: g.inFlight, Peak: g.peak, Area: g.area, Started: g.started, Ended: g.ended, Length: g.length}
	g.peak = g.inFlight
	return c
}

// InFlight is how many sessions are in progress now.
func (g *SessionGauge) InFlight() int64 {
	if g == nil {
		return 0
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.inFlight
}
