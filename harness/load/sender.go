package load

import (
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// sender sends a single-request flow: vegeta's attacker loop (a pacer goroutine hands
// each arrival to a pool of workers that grows up to MaxWorkers when every worker is
// busy) with vegeta's Targeter, Pacer and Result, but none of what vegeta's attacker
// costs per request here: no results channel and collector goroutine (a worker hands
// its result to the sink itself), no body buffer per answer (each worker reads into
// one of its own), no X-Vegeta-Seq header, no URL parsing for a URL already seen, and
// one Result per worker, reused. Profiling the generator at its maximum rate showed
// those at about a fifth of its CPU; most of the rest was net/http's transport, which
// each worker replaces with connections of its own (workerclient.go).
type sender struct {
	x     *executor
	f     *Flow
	class int
	build func(tgt *vegeta.Target, n uint64, e *env) error
	e     env
	urls  urlCache
	busy  atomic.Int64 // workers in a request
}

// initialWorkers is how many workers a flow starts with (vegeta's DefaultWorkers).
const initialWorkers = 10

// spawnAfter is how long an arrival waits for an idle worker to come back before the
// pool grows by one.
const spawnAfter = time.Millisecond

// run paces the flow's arrivals until its curve ends, the run's end plus endGrace, or
// stop, and returns once every response is in, with how many arrivals were sent.
func (s *sender) run(stop <-chan struct{}) (sent uint64) {
	maxWorkers := s.x.opts.MaxWorkers
	if maxWorkers == 0 {
		maxWorkers = vegeta.DefaultMaxWorkers
	}
	ticks := make(chan uint64)
	var wg sync.WaitGroup
	workers := uint64(0)
	spawn := func() {
		workers++
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.work(ticks)
		}()
	}
	for range min(initialWorkers, maxWorkers) {
		spawn()
	}
	defer func() {
		close(ticks)
		wg.Wait()
	}()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	deadline := s.x.wall + endGrace
	for n := uint64(0); ; {
		elapsed := time.Since(s.x.began)
		if elapsed > deadline {
			return n
		}
		wait, done := s.f.Arrivals.Pace(elapsed, n)
		if done {
			return n
		}
		if wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-stop:
				timer.Stop()
				return n
			}
		}
		if workers < maxWorkers {
			select {
			case ticks <- n:
				n++
				continue
			case <-stop:
				return n
			default:
				// No worker was waiting. When every worker is in a request one more is
				// needed now. Otherwise an idle worker has not been scheduled back yet
				// (a busy machine): wait for it a little before growing the pool, which
				// would only add connections and goroutines to a CPU already short.
				if uint64(s.busy.Load()) < workers {
					timer.Reset(spawnAfter)
					select {
					case ticks <- n:
						timer.Stop()
						n++
						continue
					case <-timer.C:
					case <-stop:
						timer.Stop()
						return n
					}
				}
				spawn()
			}
		}
		select {
		case ticks <- n:
			n++
		case <-stop:
			return n
		}
	}
}

// work sends the arrivals it is handed on its own connections, and hands each result
// to the sink.
func (s *sender) work(ticks <-chan uint64) {
	var (
		res vegeta.Result
		tgt vegeta.Target
		c   = newWorkerClient(s.x.env.ep.Reach, s.x.opts.Timeout)
	)
	defer c.close()
	for n := range ticks {
		s.busy.Add(1)
		tgt = vegeta.Target{}
		s.hit(c, &tgt, &res, n)
		due, _ := s.f.Arrivals.Intended(n)
		s.x.sink.Sent(s.class, &res, s.x.began.Add(due))
		s.busy.Add(-1)
	}
}

// hit sends arrival n through c and describes it in res as vegeta's attacker does (a
// code below 200 or from 400 on carries the status as its error; a transport error has
// code 0). In-flight requests finish when the run is stopped: the timeout bounds them.
func (s *sender) hit(c *workerClient, tgt *vegeta.Target, res *vegeta.Result, n uint64) {
	*res = vegeta.Result{Attack: s.f.Name, Seq: n, Timestamp: time.Now()}
	a := s.f.arrival(n) // the whole run's arrival this is: a shard's are spread (shard.go)
	if err := s.build(tgt, a, &s.e); err != nil {
		res.Error, res.Latency = err.Error(), time.Since(res.Timestamp)
		return
	}
	s.e.tagUnit(tgt, a) // the unit, for the bytes per province (tier.go)
	res.Method, res.URL = tgt.Method, tgt.URL
	u, err := s.urls.parse(tgt.URL)
	if err != nil {
		res.Error, res.Latency = err.Error(), time.Since(res.Timestamp)
		return
	}
	c.do(u, tgt, res)
}

// urlOp is how Client.Do names a method in its errors: "Get", "Post".
func urlOp(method string) string {
	if method == "" {
		return "Get"
	}
	return method[:1] + strings.ToLower(method[1:])
}

// urlCache parses each distinct URL once: a class's URLs repeat (ten search terms, a
// few proxies, one path per dossier). The requests share the parsed URL, which neither
// the client nor the transport changes.
type urlCache struct {
	m sync.Map // string → *url.URL
	n atomic.Int64
}

// maxCachedURLs bounds the cache; URLs beyond it are parsed each time.
const maxCachedURLs = 1 << 14

func (c *urlCache) parse(raw string) (*url.URL, error) {
	if u, ok := c.m.Load(raw); ok {
		return u.(*url.URL), nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if c.n.Load() < maxCachedURLs {
		if _, loaded := c.m.LoadOrStore(raw, u); !loaded {
			c.n.Add(1)
		}
	}
	return u, nil
}
