package load

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/harness/clock"
	"github.com/thongsuot/thongsuot/scenarios"
)

// Plan is what a run will send: one pacer per class of the mix, each following the
// scenario's curve scaled by the class's share of the weights.
type Plan struct {
	Clock   clock.Clock
	Classes []string
	Pacers  []*Pacer
}

// NewPlan lays the scenario's curve over its clock, once per class.
func NewPlan(s *scenarios.Scenario) *Plan {
	c := clock.Clock{Start: s.Clock.Start.Time, End: s.Clock.End.Time, Compress: s.Clock.Compress}
	curve := NewCurve(s.Load)
	total := 0.0
	for _, m := range s.Mix {
		total += m.Weight
	}
	p := &Plan{Clock: c}
	for _, m := range s.Mix {
		share := s.Load.Scale * m.Weight / total
		rate := func(wall time.Duration) float64 { return share * curve.At(c.ToScenario(wall)) }
		p.Classes = append(p.Classes, m.Class)
		p.Pacers = append(p.Pacers, NewPacer(rate, c.WallDuration()))
	}
	return p
}

// Intended is how many arrivals of class i the curve asks for in the wall span [from, to).
func (p *Plan) Intended(i int, from, to time.Duration) float64 {
	return p.Pacers[i].Hits(to) - p.Pacers[i].Hits(from)
}

// Total is how many requests the whole run asks for.
func (p *Plan) Total() float64 {
	t := 0.0
	for _, pc := range p.Pacers {
		t += pc.Total()
	}
	return t
}

// Options tune the generator.
type Options struct {
	Seed       int64
	Timeout    time.Duration // per request
	MaxWorkers uint64        // per class; beyond it arrivals wait and count as late
	LateAfter  time.Duration // how far behind its intended time a send is late
}

// Sink receives every response. It is called from one goroutine per class.
type Sink func(class int, res *vegeta.Result, late bool)

// Attack sends the plan: one vegeta attack per class, all from one HTTP client, until
// every pacer ends or ctx is cancelled. It returns when every response is in.
func Attack(ctx context.Context, plan *Plan, ep Endpoints, setup *Setup, opts Options, sink Sink) error {
	for _, c := range plan.Classes {
		if requests[c] == nil {
			return fmt.Errorf("no request for class %q", c)
		}
	}
	client := NewClient(opts.Timeout)
	e := &env{ep: ep, setup: setup, seed: uint64(opts.Seed)}
	var wg sync.WaitGroup
	attackers := make([]*vegeta.Attacker, len(plan.Classes))
	for i, class := range plan.Classes {
		atk := vegeta.NewAttacker(
			vegeta.Client(client),
			vegeta.MaxWorkers(opts.MaxWorkers),
			vegeta.MaxBody(0), // bodies are not kept: metrics need codes and latencies only
		)
		attackers[i] = atk
		pacer, build := plan.Pacers[i], requests[class]
		var arrivals sync.Mutex
		n := uint64(0)
		// vegeta calls the targeter once per arrival; the counter numbers arrivals so
		// that each one's choices depend on the seed alone.
		targeter := func(tgt *vegeta.Target) error {
			arrivals.Lock()
			k := n
			n++
			arrivals.Unlock()
			return build(tgt, k, e)
		}
		began := time.Now()
		results := atk.Attack(targeter, pacer, plan.Clock.WallDuration(), class)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for res := range results {
				due, _ := pacer.Intended(res.Seq)
				sink(i, res, res.Timestamp.Sub(began.Add(due)) > opts.LateAfter)
			}
		}()
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
		for _, a := range attackers {
			a.Stop()
		}
		<-done
		return ctx.Err()
	}
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
