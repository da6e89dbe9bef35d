package load

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Options tune the generator.
type Options struct {
	Seed       int64
	Timeout    time.Duration // per request
	MaxWorkers uint64        // per class; beyond it arrivals wait (and are sent late)
	// Start is the wall time of offset 0, when the plan's schedule begins (default: now).
	Start time.Time
	// Sessions counts the journeys in progress (session.go); nil counts nothing.
	Sessions *SessionGauge
}

// Sink receives what became of every request that fell due: sent, with its response,
// or dropped (never sent: the run ended before a worker was free). It is called from
// many goroutines at once.
type Sink interface {
	Sent(class int, res *vegeta.Result, due time.Time)
	Dropped(class int, due time.Time)
}

// Attack sends the plan until every flow ends or ctx is cancelled, and returns when
// every response is in. Single request classes go through vegeta's attacker, one per
// class; journeys and a replayed log through thongsuot's dispatcher on the same kind of
// pacer. All share one HTTP client.
func Attack(ctx context.Context, plan *Plan, ep Endpoints, setup *Setup, opts Options, sink Sink) error {
	for _, f := range plan.Flows {
		if f.Journey == nil && f.Replay == nil && requests[f.Class] == nil && trickles[f.Class] == nil {
			return fmt.Errorf("no request for class %q", f.Class)
		}
	}
	if setup == nil {
		setup = &Setup{}
	}
	sink = wireSink{sink} // bytes on the wire, headers included (bytes.go)
	client := ep.Reach.Client(opts.Timeout)
	if opts.Start.IsZero() {
		opts.Start = time.Now()
	}
	x := &executor{
		env: &env{ep: ep, setup: setup, seed: uint64(opts.Seed), pop: plan.Population},
		pop: plan.Population, client: client, opts: opts, sink: sink, classes: plan.Classes,
		wall: plan.Clock.WallDuration(), clock: plan.Clock, recent: &recentUnits{},
	}
	if x.pop == nil {
		x.pop = NewPopulation(nil)
	}
	var wg sync.WaitGroup
	var attackers []*vegeta.Attacker
	// Journeys stop on their own context: a stopped run lets in-flight steps finish.
	journeyCtx, stopJourneys := context.WithCancel(context.Background())
	defer stopJourneys()
	x.began = opts.Start
	for _, f := range plan.Flows {
		switch {
		case f.Journey != nil:
			wg.Add(1)
			go func() {
				defer wg.Done()
				runJourneys(journeyCtx, f, x)
			}()
		case f.Replay != nil:
			wg.Add(1)
			go func() {
				defer wg.Done()
				f.Replay.run(journeyCtx, f, x)
			}()
		case trickles[f.Class] != nil:
			wg.Add(1)
			go func() {
				defer wg.Done()
				runTrickles(journeyCtx, f, x)
			}()
		default:
			atk := vegeta.NewAttacker(
				vegeta.Client(client),
				vegeta.MaxWorkers(opts.MaxWorkers),
				vegeta.MaxBody(0), // bodies are not kept: metrics need codes and latencies only
			)
			attackers = append(attackers, atk)
			// vegeta paces from its own start; paced puts it on the run's schedule (start.go).
			results := atk.Attack(x.targeter(f), x.paced(f), plan.Clock.WallDuration()+endGrace, f.Name)
			wg.Add(1)
			go func() {
				defer wg.Done()
				var sent uint64
				for res := range results {
					due, _ := f.Arrivals.Intended(res.Seq)
					sink.Sent(f.Classes[0], res, x.began.Add(due))
					sent++
				}
				// vegeta sends arrivals in order and stops at the end of the run: those
				// it did not reach were dropped — unless the run was stopped.
				if ctx.Err() == nil {
					x.dropFrom(f, sent)
				}
			}()
		}
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		stopJourneys()
		for _, a := range attackers {
			a.Stop()
		}
		<-done
		return ctx.Err()
	}
}

// targeter is the vegeta targeter of a single-class flow.
func (x *executor) targeter(f *Flow) vegeta.Targeter {
	e := *x.env
	e.tier = f.Tier
	build := requests[f.Class]
	return numbered(func(tgt *vegeta.Target, k uint64) error {
		n := f.arrival(k)
		defer e.tagUnit(tgt, n)
		return build(tgt, n, &e)
	})
}

// dropFrom records the flow's arrivals from n on as dropped: due, and never sent.
func (x *executor) dropFrom(f *Flow, n uint64) {
	for ; ; n++ {
		due, ok := f.Arrivals.Intended(n)
		if !ok {
			return
		}
		x.sink.Dropped(f.arrivalClass(n), x.began.Add(due))
	}
}

// numbered is a vegeta targeter that numbers the arrivals it fills in. vegeta calls the
// targeter once per arrival, in order, so that each arrival's choices depend on the
// seed and its number alone.
func numbered(fill func(tgt *vegeta.Target, n uint64) error) vegeta.Targeter {
	var n atomic.Uint64
	return func(tgt *vegeta.Target) error { return fill(tgt, n.Add(1)-1) }
}

// NewClient is the HTTP client of the load for plain HTTP on this machine (Reach.Client).
func NewClient(timeout time.Duration) *http.Client { return Reach{}.Client(timeout) }

// SinkFuncs makes a Sink of two functions; either may be nil.
type SinkFuncs struct {
	OnSent    func(class int, res *vegeta.Result, due time.Time)
	OnDropped func(class int, due time.Time)
}

func (s SinkFuncs) Sent(class int, res *vegeta.Result, due time.Time) {
	if s.OnSent != nil {
		s.OnSent(class, res, due)
	}
}

func (s SinkFuncs) Dropped(class int, due time.Time) {
	if s.OnDropped != nil {
		s.OnDropped(class, due)
	}
}
