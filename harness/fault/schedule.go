package fault

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/thongsuot/thongsuot/harness/clock"
	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/scenarios"
)

// Schedule applies faults on time. Each fault runs in its own goroutine so that
// overlapping faults on different links do not wait for each other.
type Schedule struct {
	Faults  []scenarios.Fault
	Clock   clock.Clock
	Proxies map[string]Proxy // by link name
	Roles   Roles            // for process faults; nil when the runtime cannot act on processes
	Knobs   Knobs            // for knob faults; nil when the runtime cannot turn knobs
	Journal *journal.Journal

	mu     sync.Mutex
	active map[[2]string]journal.FaultWindow // applied and not yet removed
}

// Active are the faults in force now, in the order they were applied: what a progress
// line shows.
func (s *Schedule) Active() []journal.FaultWindow {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]journal.FaultWindow, 0, len(s.active))
	for _, f := range s.active {
		out = append(out, f)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Start < out[b].Start })
	return out
}

// record journals a fault window as applied (End 0) or as it ended, and keeps the set
// of faults in force.
func (s *Schedule) record(f journal.FaultWindow) error {
	s.mu.Lock()
	if s.active == nil {
		s.active = map[[2]string]journal.FaultWindow{}
	}
	key := f.Key()
	if f.End == 0 && f.Error == "" {
		s.active[key] = f
	} else {
		delete(s.active, key)
	}
	s.mu.Unlock()
	return s.Journal.AppendFault(f)
}

// Run applies every fault at its time and removes it at its end, or when ctx ends
// (a fault never outlives its run). start is the wall time of offset 0. It returns
// when every fault is done, with every failure to apply or remove.
func (s *Schedule) Run(ctx context.Context, start time.Time) error {
	links := map[string]*link{}
	knobs := map[string]*knob{}
	type job struct {
		f       scenarios.Fault
		eff     effect
		windows []Window
	}
	var jobs []job
	for i, f := range s.Faults {
		if f.IsKnob() {
			if s.Knobs == nil {
				return fmt.Errorf("fault %q: this runtime cannot turn knob %s", f.Name, f.Knob)
			}
			if knobs[f.Knob] == nil {
				knobs[f.Knob] = &knob{target: f.Knob, knobs: s.Knobs}
			}
			jobs = append(jobs, job{f, knobEffect(i, f, knobs[f.Knob]), Windows(f, s.Clock)})
			continue
		}
		if f.Role != "" {
			if s.Roles == nil {
				return fmt.Errorf("fault %q: this runtime cannot %s a process", f.Name, f.Action)
			}
			jobs = append(jobs, job{f, process(f, s.Roles), Windows(f, s.Clock)})
			continue
		}
		key, p, err := s.proxyOf(i, f)
		if err != nil {
			return err
		}
		if links[key] == nil {
			links[key] = &link{Proxy: p}
		}
		windows := Windows(f, s.Clock)
		eff, err := newEffect(fmt.Sprintf("f%d-%s", i, f.Toxic), f, links[key], windows[0].End-windows[0].Start)
		if err != nil {
			return fmt.Errorf("fault %q: %w", f.Name, err)
		}
		unitsParam(f, eff.params)
		jobs = append(jobs, job{f, eff, windows})
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, j := range jobs {
		wg.Go(func() {
			for cycle, w := range j.windows {
				err := s.run(ctx, start, j.f, j.eff, w, cycle+1, len(j.windows))
				if err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("fault %q: %w", j.f.Name, err))
					mu.Unlock()
				}
				if ctx.Err() != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// run applies one window of a fault and journals it when applied and when removed.
func (s *Schedule) run(ctx context.Context, start time.Time, f scenarios.Fault, eff effect, w Window, cycle, cycles int) error {
	if !clock.Sleep(ctx, time.Until(start.Add(w.Start))) {
		return nil // the run ended before the fault was due
	}
	rec := journal.FaultWindow{Name: f.Name, Link: f.Link, Toxic: f.Toxic, Role: f.JournalRole(), Action: f.JournalAction(), Params: eff.params,
		Kind: journal.FaultWindowKind, Scenario: s.Clock.ToScenario(w.Start)}
	switch {
	case f.Flap != nil:
		rec.Kind, rec.Cycle, rec.Cycles = journal.FaultFlapKind, cycle, cycles
	case f.Ramp != nil:
		rec.Kind = journal.FaultRampKind
	}
	// The fault starts when it is asked for: applying it can take a while (a container
	// kill), and requests fail from the moment it begins to bite.
	rec.Start = time.Since(start)
	err := eff.apply()
	if err != nil {
		rec.Error = err.Error()
		return errors.Join(err, s.record(rec))
	}
	// Journal it now as well as at the end, so a run killed mid-fault still shows it.
	if err := s.record(rec); err != nil {
		return errors.Join(err, eff.remove())
	}
	clock.Sleep(ctx, time.Until(start.Add(w.End)))
	err = eff.remove()
	rec.End = time.Since(start)
	rec.ScenarioEnd = s.Clock.ToScenario(rec.End)
	if err != nil {
		rec.Error = "removing: " + err.Error()
	}
	return errors.Join(err, s.record(rec))
}
