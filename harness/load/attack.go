package load

import (
	"context"
	"fmt"
	"net/http"
	"sync"
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
// many goroutines at once. res is the sender's to reuse once Sent returns: keep what it
// needs, never the pointer.
type Sink interface {
	Sent(class int, res *vegeta.Result, due time.Time)
	Dropped(class int, due time.Time)
}

// Attack sends the plan until every flow ends or ctx is cancelled, and returns when
// every response is in. Single request classes go through a sender (sender.go: vegeta's
// attacker loop without its per-request costs), one per class; journeys and a replayed
// log through thongsuot's dispatcher on the same kind of pacer. All share one HTTP
// client.
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
	stopSenders := make(chan struct{})
	// Journeys stop on their own context: a stopped run lets in-flight steps finish.
	journeyCtx, stopJourneys := context.WithCancel(context.Background())
	defer stopJourneys()
	x.began = opts.Start
	for _, f := range plan.Flows {
		switch {
		case f.Users > 0:
			wg.Add(1)
			go func() {
				defer wg.Done()
				runUsers(journeyCtx, f, x)
			}()
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
			snd := &sender{x: x, f: f, class: f.Classes[0], build: requests[f.Class], e: *x.env}
			snd.e.tier = f.Tier
			wg.Add(1)
			go func() {
				defer wg.Done()
				sent := snd.run(stopSenders)
				// Arrivals go out in order until the end of the run: those not reached
				// were dropped — unless the run was stopped.
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
		close(stopSenders)
		<-done
		return ctx.Err()
	}
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
