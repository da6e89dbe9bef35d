package fault

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/thongsuot/thongsuot/harness/clock"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/scenarios"
)

// Window is when a fault is active, in wall offsets from the run start.
type Window struct{ Start, End time.Duration }

// WindowOf places a fault on the wall clock: At through the clock, For as written
// (wall time, or scenario time through the clock).
func WindowOf(f scenarios.Fault, c clock.Clock) Window {
	start := c.ToWall(f.At.Time)
	d := f.For.D
	if f.For.Scenario {
		d = c.WallSpan(d)
	}
	return Window{Start: start, End: start + d}
}

// Schedule applies faults on time. Each fault runs in its own goroutine so that
// overlapping faults on different links do not wait for each other.
type Schedule struct {
	Faults  []scenarios.Fault
	Clock   clock.Clock
	Proxies map[string]Proxy // by link name
	Journal *metrics.Journal
}

// Run applies every fault at its time and removes it at its end, or when ctx ends
// (a fault never outlives its run). start is the wall time of offset 0. It returns
// when every fault is done, with every failure to apply or remove.
func (s *Schedule) Run(ctx context.Context, start time.Time) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for i, f := range s.Faults {
		p, ok := s.Proxies[f.Link]
		if !ok {
			return fmt.Errorf("fault %q: the runtime has no link %q", f.Name, f.Link)
		}
		inj, err := inject(fmt.Sprintf("f%d-%s", i, f.Toxic), f, p)
		if err != nil {
			return fmt.Errorf("fault %q: %w", f.Name, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.run(ctx, start, f, inj); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("fault %q on %s: %w", f.Name, f.Link, err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (s *Schedule) run(ctx context.Context, start time.Time, f scenarios.Fault, inj injection) error {
	w := WindowOf(f, s.Clock)
	if !sleepUntil(ctx, start.Add(w.Start)) {
		return nil // the run ended before the fault was due
	}
	rec := metrics.FaultWindow{Name: f.Name, Link: f.Link, Toxic: f.Toxic, Params: inj.params,
		Start: time.Since(start), Scenario: f.At.Time}
	if err := inj.apply(); err != nil {
		rec.Error = err.Error()
		return errors.Join(err, s.Journal.AppendFault(rec))
	}
	// Journal it now as well as at the end, so a run killed mid-fault still shows it.
	if err := s.Journal.AppendFault(rec); err != nil {
		return errors.Join(err, inj.remove())
	}
	sleepUntil(ctx, start.Add(w.End))
	err := inj.remove()
	rec.End = time.Since(start)
	if err != nil {
		rec.Error = "removing: " + err.Error()
	}
	return errors.Join(err, s.Journal.AppendFault(rec))
}

// sleepUntil waits for t and reports whether it came before ctx ended.
func sleepUntil(ctx context.Context, t time.Time) bool {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
