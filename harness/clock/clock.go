// Package clock maps scenario time (the calendar a scenario describes, e.g. 27 June →
// 21 July 2025) onto wall time (the minutes a run takes). Only the traffic curve is
// compressed; timeouts, retries and fault durations stay on the wall clock, so every
// conversion between the two goes through a Clock.
package clock

import (
	"context"
	"time"
)

// Clock is a linear map from scenario time to wall-clock offsets from the run start.
type Clock struct {
	Start    time.Time // scenario time at wall offset 0
	End      time.Time // scenario time at which the run ends
	Compress float64   // scenario seconds per wall second (≥ 1 fast-forwards)
}

// WallDuration is how long the whole scenario takes on the wall clock.
func (c Clock) WallDuration() time.Duration { return c.WallSpan(c.End.Sub(c.Start)) }

// ToWall is the wall offset from the run start at which scenario time s happens.
func (c Clock) ToWall(s time.Time) time.Duration { return c.WallSpan(s.Sub(c.Start)) }

// ToScenario is the scenario time at wall offset w from the run start.
func (c Clock) ToScenario(w time.Duration) time.Time { return c.Start.Add(c.ScenarioSpan(w)) }

// WallSpan converts a length of scenario time to wall time.
func (c Clock) WallSpan(d time.Duration) time.Duration {
	return time.Duration(float64(d) / c.Compress)
}

// ScenarioSpan converts a length of wall time to scenario time.
func (c Clock) ScenarioSpan(d time.Duration) time.Duration {
	return time.Duration(float64(d) * c.Compress)
}

// Sleep waits d of wall time and reports whether it passed before ctx ended: the one way
// the load and the fault schedule wait for what is due.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
