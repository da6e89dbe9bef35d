package scenarios

import (
	"fmt"
	"math"
	"time"
)

// The closed model. An open entry (rate or weight) says how many journeys start per
// second whatever the system does: a slow portal meets the same arrivals, and its
// backlog grows. A closed entry (concurrent_users) says how many users are online:
// each walks its journey, waits a think, and walks it again, so a slow portal slows
// its own load. That is how a capacity such as F2's "120,000 concurrent users" is
// stated, and how a site behind a fixed pool of clients (a commune office's counter
// terminals) behaves. A closed entry neither drops nor queues arrivals: its symptom of
// a slow system is fewer journeys than planned, and the plan's figures for it are the
// most its users can ask (every answer instant).

// MaxRunUsers bounds a closed entry's users in one run (one goroutine each).
const MaxRunUsers = 50_000

// minClosedThink is the shortest wall think a closed entry may have: a user waits it
// before its next journey, so the loop never spins on instant failures.
const minClosedThink = time.Millisecond

// Closed reports whether the entry follows the closed model.
func (c Class) Closed() bool { return c.ConcurrentUsers > 0 }

// RunUsers is how many of a closed entry's users a run plays: concurrent_users at the
// scenario's scale, over its compress. A compressed run plays each user's thinks
// compress× faster, so it needs compress× fewer users to ask as much per wall second as
// the scaled world asks per second, as an open entry's rate does.
func (s *Scenario) RunUsers(c Class) int {
	if s.Clock.Compress <= 0 {
		return 0
	}
	return int(math.Round(float64(c.ConcurrentUsers) * s.Load.Scale / s.Clock.Compress))
}

// validateClosed checks a closed entry (mix[i]).
func (s *Scenario) validateClosed(i int, m Class) []problem {
	if !m.Closed() {
		return nil
	}
	p := fmt.Sprintf("mix[%d]", i)
	var ps []problem
	add := func(field, format string, args ...any) { ps = append(ps, problemf(p+field, format, args...)) }
	switch {
	case m.Journey == "":
		add(".concurrent_users", "only a journey has users who walk it again: name a journey, or give this class a rate or weight")
	case m.Rate > 0 || m.Weight > 0:
		add(".concurrent_users", "give concurrent_users (a closed model: users who walk the journey again and again) or rate/weight (an open model: journeys that start on a curve), not both")
	case m.Shape != "":
		add(".shape", "a closed entry's users are online the whole run: a shape would scale arrivals it does not have; use an open entry (rate or weight) for a shaped curve")
	}
	if s.Clock.Compress >= MinCompress && m.Journey != "" && m.Think.OnWall(s.Clock.Map()) < minClosedThink {
		add(".think", "a closed entry's users wait a think before every step after the first and before their next journey: give one of at least 1ms of wall time, e.g. \"40s scenario\"")
	}
	if s.Load.Scale > 0 && s.Clock.Compress >= MinCompress {
		exact := float64(m.ConcurrentUsers) * s.Load.Scale / s.Clock.Compress
		switch n := s.RunUsers(m); {
		case n < 1:
			add(".concurrent_users", "%d users at scale %s and compress %s are %.2g users in the run: raise load.scale or concurrent_users, or lower clock.compress",
				m.ConcurrentUsers, formatNumber(s.Load.Scale), formatNumber(s.Clock.Compress), exact)
		case n > MaxRunUsers:
			add(".concurrent_users", "%d users at scale %s and compress %s are %d users in the run; one run plays at most %d: lower load.scale or raise clock.compress (or shard the run)",
				m.ConcurrentUsers, formatNumber(s.Load.Scale), formatNumber(s.Clock.Compress), n, MaxRunUsers)
		}
	}
	return ps
}
