package load

import (
	"context"
	"sync"
	"time"

	"github.com/thongsuot/thongsuot/harness/clock"
	"github.com/thongsuot/thongsuot/scenarios"
)

// A closed flow (scenarios/closed.go) plays a fixed number of users. Each walks the
// journey, reads the last page for the entry's think, and walks it again until the run
// ends, so its session is a walk and that think, and its users are always in one; user g first starts g/users of a cycle into the run, so the users arrive as
// evenly as a steady state has them. Nothing is dropped: a user whose next step would
// fall due after the end stops. A step is due a think after the answer before it, so
// "late" is the harness's own lag, as for an open flow.

// closedCurve is a closed entry's curve: the journeys per second its users ask when
// every answer is instant (the users in the run, as the world counts them, over one
// cycle: a walk's thinks and the think before the next walk). A slow system makes the
// run ask less: the plan is the most the users can ask.
func closedCurve(s *scenarios.Scenario, m scenarios.Class, zone *time.Location) Curve {
	flat := NewShape(zone, nil, nil, nil)
	j, _ := s.Journey(m.Journey)
	c := s.Clock.Map()
	cycle := closedCycle(j, m.Think.OnWall(c), c.Compress)
	if cycle <= 0 || s.Load.Scale <= 0 {
		return Curve{Shape: flat, Global: flat}
	}
	// The users the run plays (rounded), in the world's count: what the run can ask.
	world := float64(s.RunUsers(m)) * c.Compress / s.Load.Scale
	return Curve{Base: world / cycle.Seconds(), Shape: flat, Global: flat}
}

// closedCycle is one user's cycle in scenario time: a walk's expected thinks and the
// think before the next walk.
func closedCycle(j scenarios.Journey, think time.Duration, compress float64) time.Duration {
	return time.Duration(float64(thinking(j.Steps, think)+think) * compress)
}

// runUsers plays a closed flow: its users (this shard's of them), each walking its
// journey over and over until the run ends or ctx is cancelled.
func runUsers(ctx context.Context, f *Flow, x *executor) {
	cycle := time.Duration(float64(f.Session) / x.clock.Compress) // a closed flow's session is its cycle
	var wg sync.WaitGroup
	for _, g := range f.ownUsers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			phase := time.Duration(float64(cycle) * float64(g) / float64(f.Users))
			x.user(ctx, f, uint64(g), x.began.Add(phase))
		}()
	}
	wg.Wait()
}

// ownUsers are the closed flow's users this generator plays: every Count-th of the
// whole run's, from its Index.
func (f *Flow) ownUsers() []int {
	sh := f.shard()
	var out []int
	for g := sh.Index; g < f.Users; g += sh.Count {
		out = append(out, g)
	}
	return out
}

// user is closed user g: it walks from start, and again a think after each walk. Its
// k-th walk is the flow's journey k·users + g, whatever the shards: the choices a walk
// makes are drawn from that number, so a sharded run walks the single run's journeys.
func (x *executor) user(ctx context.Context, f *Flow, g uint64, start time.Time) {
	ready := start
	for k := uint64(0); ready.Sub(x.began) < x.wall && ctx.Err() == nil; k++ {
		if !clock.Sleep(ctx, time.Until(ready)) {
			return
		}
		w := &walk{ctx: ctx, x: x, f: f, n: k*uint64(f.Users) + g, ready: ready, first: true}
		end := x.opts.Sessions.Begin()
		w.pickUnit(f.Tier)
		f.Journey.script.walk(w)
		// The user reads the last page for a think, and its session ends as the next
		// begins: a closed user is always in a session. The think always moves the next
		// walk on, even past a walk that sent nothing.
		ready = w.ready.Add(f.Think)
		clock.Sleep(ctx, min(time.Until(ready), time.Until(x.began.Add(x.wall))))
		end()
	}
}
