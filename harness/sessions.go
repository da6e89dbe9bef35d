package harness

import (
	"context"
	"fmt"
	"time"

	"github.com/thongsuot/thongsuot/harness/clock"
	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/load"
)

// sessionSeries reads the sessions in progress at every window boundary while the load
// runs, and writes them with Little's law over the run to the journal when it ends.
type sessionSeries struct {
	gauge *load.SessionGauge
	start time.Time
	width time.Duration
	clock clock.Clock
	plan  *load.Plan

	done    chan struct{}
	windows []journal.SessionWindow
	last    load.SessionCount
}

func newSessionSeries(start time.Time, width time.Duration, plan *load.Plan) *sessionSeries {
	return &sessionSeries{gauge: load.NewSessionGauge(start), start: start, width: width, clock: plan.Clock, plan: plan,
		done: make(chan struct{})}
}

// run takes a reading at the end of each window until ctx ends, then one at once: the
// last, partial window.
func (s *sessionSeries) run(ctx context.Context) {
	defer close(s.done)
	for i := 1; ; i++ {
		at := s.start.Add(time.Duration(i) * s.width)
		if !clock.Sleep(ctx, time.Until(at)) {
			s.take(time.Now())
			return
		}
		s.take(at)
	}
}

func (s *sessionSeries) take(now time.Time) {
	c := s.gauge.Take(now)
	from := time.Duration(len(s.windows)) * s.width
	span := now.Sub(s.start) - from
	w := journal.SessionWindow{Index: len(s.windows), Start: from, Scenario: s.clock.ToScenario(from),
		Peak: c.Peak, Started: c.Started - s.last.Started}
	if span > 0 {
		w.Mean = (c.Area - s.last.Area) / span.Seconds()
	}
	if span > 0 || c.Started > s.last.Started {
		s.windows = append(s.windows, w)
	}
	s.last = c
}

// record is the run's sessions once the load has stopped at stopped (wait for run to
// return first); nil when the plan has no journey.
func (s *sessionSeries) record(stopped time.Time) *journal.Sessions {
	<-s.done
	if s.last.Started == 0 {
		return nil
	}
	wall := stopped.Sub(s.start).Seconds()
	out := &journal.Sessions{Windows: s.windows, Started: s.last.Started, Ended: s.last.Ended}
	for _, w := range s.windows {
		out.Peak = max(out.Peak, w.Peak)
	}
	if wall > 0 {
		out.MeanInFlight = s.last.Area / wall
		out.ArrivalRate = float64(s.last.Started) / wall
	}
	if s.last.Ended > 0 {
		out.MeanSeconds = s.last.Length / float64(s.last.Ended)
	}
	out.LittlesLaw = out.ArrivalRate * out.MeanSeconds
	if out.LittlesLaw > 0 {
		out.Ratio = out.MeanInFlight / out.LittlesLaw
	}
	rate, length := s.plan.SessionRate()
	if s.clock.Compress > 0 {
		out.Planned = rate * length.Seconds() / s.clock.Compress
	}
	out.PlannedPeak = load.PeakSessions(s.plan.SessionSeries(sessionSamples)).Sessions
	return out
}

// sessionSamples is how many points of the plan's session curve its peak is taken from.
const sessionSamples = 2000

// writeSessions records the sessions, when the run had any.
func writeSessions(dir string, s *journal.Sessions) error {
	if s == nil {
		return nil
	}
	if err := journal.WriteSessions(dir, s); err != nil {
		return fmt.Errorf("recording the sessions: %w", err)
	}
	return nil
}
