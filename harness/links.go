package harness

import (
	"context"
	"errors"
	"net/url"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/harness/clock"
	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/harness/runtime"
	"github.com/thongsuot/thongsuot/scenarios"
	"github.com/thongsuot/thongsuot/units"
)

// linkSampler reads what every link carried at the end of each window (the links'
// meters) and journals the difference: bytes by when they crossed the link.
type linkSampler struct {
	read   func() map[string]runtime.LinkBytes
	log    *journal.LinkLog
	start  time.Time
	width  time.Duration
	last   int // windows in the run
	clock  clock.Clock
	mu     sync.Mutex
	before map[string]runtime.LinkBytes
	index  int // the window the next sample closes
	closed bool
}

// startLinks opens the run's link log when the runtime can read its links; nil otherwise.
func startLinks(dir string, stack *runtime.Stack, start time.Time, width time.Duration, windows int, c clock.Clock) (*linkSampler, error) {
	if stack.LinkBytes == nil {
		return nil, nil
	}
	log, err := journal.OpenLinks(dir)
	if err != nil {
		return nil, err
	}
	return &linkSampler{read: stack.LinkBytes, log: log, start: start, width: width, last: windows, clock: c,
		before: stack.LinkBytes()}, nil
}

// run samples at every window's end until ctx ends.
func (s *linkSampler) run(ctx context.Context) {
	if s == nil {
		return
	}
	for {
		s.mu.Lock()
		next := s.start.Add(time.Duration(s.index+1) * s.width)
		s.mu.Unlock()
		t := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
			if err := s.sample(); err != nil {
				return // the journal keeps the error; the windows' flush reports it
			}
		}
	}
}

// sample journals what each link carried since the last sample, in the window that is
// closing (the last window takes whatever comes after the run's end).
func (s *linkSampler) sample() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	now := s.read()
	idx := min(s.index, s.last-1)
	if now == nil { // the meters could not be read (a container's API): the next window takes these bytes
		s.index++
		return nil
	}
	from := time.Duration(idx) * s.width
	ws := make([]metrics.LinkWindow, 0, len(now))
	for _, link := range sortedLinks(now) {
		b, a := now[link], s.before[link]
		ws = append(ws, metrics.LinkWindow{Index: idx, Link: link, Start: from, Scenario: s.clock.ToScenario(from),
			Up: b.Up - a.Up, Down: b.Down - a.Down})
	}
	s.before = now
	s.index++
	return s.log.Append(ws)
}

// close takes the last sample and closes the log.
func (s *linkSampler) close() error {
	if s == nil {
		return nil
	}
	err := s.sample()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return errors.Join(err, s.log.Close())
}

func sortedLinks(m map[string]runtime.LinkBytes) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ { // a handful of links: insertion sort keeps it plain
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// tierOf names the link tier a request went over, by the proxy address its URL names.
func tierOf(tiers ...map[string]string) func(res *vegeta.Result) string {
	hosts := map[string]string{}
	for _, m := range tiers {
		for tier, base := range m {
			if u, err := url.Parse(base); err == nil {
				hosts[u.Host] = tier
			}
		}
	}
	return func(res *vegeta.Result) string {
		u, err := url.Parse(res.URL)
		if err != nil {
			return ""
		}
		return hosts[u.Host]
	}
}

// LinkTiers are the scenario's tiers as a run's links carry them (runtime.Options.Tiers).
func LinkTiers(s *scenarios.Scenario) map[string]scenarios.Tier {
	return linkTiers(s, load.NewPopulation(s.Load.Population))
}

// linkTiers are the scenario's tiers as their links carry them: a tier that does not
// say how many units' uplinks its link stands for stands for all of its units, at the
// run's pace — the tier's units × compress × scale, as the run moves each unit's
// traffic that many times faster than the world does.
func linkTiers(s *scenarios.Scenario, pop *load.Population) map[string]scenarios.Tier {
	counts := pop.TierCounts()
	out := make(map[string]scenarios.Tier, len(s.Tiers))
	for name, t := range s.Tiers {
		if t.Units == nil {
			n := max(float64(counts[name]), 1) * s.Clock.Compress * s.Load.Scale
			t.Units = &n
		}
		out[name] = t
	}
	return out
}

// provinceOf is the province code of the unit whose user sent res.
func provinceOf(res *vegeta.Result) string {
	if u, ok := units.Lookup(load.UnitOf(res)); ok {
		return u.ProvinceCode
	}
	return ""
}

// linkCapacity is each tier link's shared cap, bits per second each way.
func linkCapacity(tiers map[string]scenarios.Tier) map[string]float64 {
	out := map[string]float64{}
	for name, t := range tiers {
		if b := t.LinkBandwidth(); b > 0 {
			out[scenarios.TierLink(name)] = float64(b)
			out[scenarios.TierIdentityLink(name)] = float64(b)
		}
	}
	return out
}
