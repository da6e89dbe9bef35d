package load

import (
	"context"
	"fmt"
	"net"
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
	MaxWorkers uint64        // per class; beyond it arrivals wait and count as late
	LateAfter  time.Duration // how far behind its intended time a send is late
}

// Sink receives every response. It is called from one goroutine per class.
type Sink func(class int, res *vegeta.Result, late bool)

// Attack sends the plan until every flow ends or ctx is cancelled, and returns when
// every response is in. Single request classes go through vegeta's attacker, one per
// class; journeys and a replayed log through thongsuot's dispatcher on the same kind of
// pacer. All share one HTTP client.
func Attack(ctx context.Context, plan *Plan, ep Endpoints, setup *Setup, opts Options, sink Sink) error {
	for _, f := range plan.Flows {
		if f.Journey == nil && f.Replay == nil && requests[f.Class] == nil {
			return fmt.Errorf("no request for class %q", f.Class)
		}
	}
	if setup == nil {
		setup = &Setup{}
	}
	client := NewClient(opts.Timeout)
	x := &executor{
		env: &env{ep: ep, setup: setup, seed: uint64(opts.Seed), pop: plan.Population},
		pop: plan.Population, client: client, opts: opts, sink: sink, classes: plan.Classes,
		wall: plan.Clock.WallDuration(), recent: &recentUnits{},
	}
	if x.pop == nil {
		x.pop = NewPopulation(nil)
	}
	var wg sync.WaitGroup
	var attackers []*vegeta.Attacker
	// Journeys stop on their own context: a stopped run lets in-flight steps finish.
	journeyCtx, stopJourneys := context.WithCancel(context.Background())
	defer stopJourneys()
	x.began = time.Now()
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
		default:
			atk := vegeta.NewAttacker(
				vegeta.Client(client),
				vegeta.MaxWorkers(opts.MaxWorkers),
				vegeta.MaxBody(0), // bodies are not kept: metrics need codes and latencies only
			)
			attackers = append(attackers, atk)
			targeter, classOf := x.targeter(f)
			began := time.Now()
			results := atk.Attack(targeter, f.Arrivals, plan.Clock.WallDuration(), f.Name)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for res := range results {
					due, _ := f.Arrivals.Intended(res.Seq)
					sink(classOf(res.Seq), res, res.Timestamp.Sub(began.Add(due)) > opts.LateAfter)
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

// targeter is the vegeta targeter of a single-class flow, and the class index of each
// arrival.
func (x *executor) targeter(f *Flow) (vegeta.Targeter, func(seq uint64) int) {
	e := *x.env
	e.tier = f.Tier
	build := requests[f.Class]
	return numbered(func(tgt *vegeta.Target, k uint64) error { return build(tgt, k, &e) }),
		func(uint64) int { return f.Classes[0] }
}

// numbered is a vegeta targeter that numbers the arrivals it fills in. vegeta calls the
// targeter once per arrival, in order, so that each arrival's choices depend on the
// seed and its number alone.
func numbered(fill func(tgt *vegeta.Target, n uint64) error) vegeta.Targeter {
	var n atomic.Uint64
	return func(tgt *vegeta.Target) error { return fill(tgt, n.Add(1)-1) }
}

// NewClient is the HTTP client of the load: keep-alive, a connection pool big enough
// for the in-flight bound, and the request timeout.
func NewClient(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			DialContext:         dialer.DialContext,
			MaxIdleConnsPerHost: 10_000,
			IdleConnTimeout:     90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
