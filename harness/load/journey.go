package load

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/thongsuot/thongsuot/harness/clock"
	"github.com/thongsuot/thongsuot/scenarios"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Journey is a journey as a flow walks it: its steps as the plan counts them, and its
// compiled YAML steps (the scenario's own journey or a built-in one, scripted.go).
// Steps are each their own request class ("<entry>.<step>"); the user waits a think
// time (wall clock: the step's own, else the entry's) before every step but the first.
type Journey struct {
	scenarios.Journey
	index  map[string]int // step name → position in Steps
	script *script
}

// newJourney compiles the journey of that name: the scenario's own, else a built-in one.
func newJourney(s *scenarios.Scenario, name string) (*Journey, error) {
	def, ok := s.Journey(name)
	if _, _, yaml := s.JourneySpecOf(name); !ok || !yaml {
		return nil, fmt.Errorf("no journey %q in this build", name)
	}
	prog, err := s.Program(name)
	if err != nil {
		return nil, err
	}
	sc, err := newScript(prog)
	if err != nil {
		return nil, fmt.Errorf("journey %s: %w", name, err)
	}
	j := &Journey{Journey: def, index: map[string]int{}, script: sc}
	for i, st := range def.Steps {
		j.index[st.Name] = i
	}
	return j, nil
}

// offsets are the expected wall offsets, from the journey's arrival, of each occurrence
// of step k: a think time before every occurrence after the first, weighted by its
// share (a step's own think, else the entry's).
func (j *Journey) offsets(k int, think time.Duration) []time.Duration {
	before := thinking(j.Steps[:k], think)
	own := stepThink(j.Steps[k], think)
	out := make([]time.Duration, j.Steps[k].Repeat)
	for r := range out {
		out[r] = before + time.Duration(r)*own
		if k > 0 {
			out[r] += own
		}
	}
	return out
}

// thinking is the expected wall time a walk of these steps (a journey's first ones)
// spends thinking: a think before every step after the first, each step's own or the
// entry's, a step that a share of the walks take counted by its share.
func thinking(steps []scenarios.JourneyStep, think time.Duration) time.Duration {
	total := 0.0
	for i, st := range steps {
		reps := float64(st.Repeat)
		if i == 0 {
			reps-- // no think before the arrival
		}
		total += st.Share * reps * float64(stepThink(st, think))
	}
	return time.Duration(total)
}

// stepThink is the think before a step: its own, else the entry's.
func stepThink(st scenarios.JourneyStep, think time.Duration) time.Duration {
	if st.Think > 0 {
		return st.Think
	}
	return think
}

// runJourneys paces one journey flow's arrivals and walks each arrival's steps.
func runJourneys(ctx context.Context, f *Flow, x *executor) {
	dispatch(ctx, f, x, func(n uint64, due time.Time) {
		defer x.opts.Sessions.Begin()()
		w := &walk{ctx: ctx, x: x, f: f, n: n, ready: due, first: true}
		w.pickUnit(f.Tier)
		f.Journey.script.walk(w)
	})
}

// dispatch paces a flow's arrivals (open model: an arrival that finds every worker
// busy waits for one and is counted late, never skipped) and runs each in its own
// goroutine with its number and the time it was due.
func dispatch(ctx context.Context, f *Flow, x *executor, arrive func(n uint64, due time.Time)) {
	maxWorkers := x.opts.MaxWorkers
	if maxWorkers == 0 {
		maxWorkers = vegeta.DefaultMaxWorkers
	}
	workers := make(chan struct{}, min(maxWorkers, 1<<20))
	var wg sync.WaitGroup
	defer wg.Wait()
	began := x.began
	// Every arrival is due before the end of the run (the pacer stops there). One that
	// still waits for a worker endGrace after the end is dropped, and the plan's
	// intended count shows it; one merely behind at the end is sent, and late.
	end := time.NewTimer(x.wall + endGrace)
	defer end.Stop()
	for n := uint64(0); ; n++ {
		wait, stop := f.Arrivals.Pace(time.Since(began), n)
		if stop {
			return
		}
		if time.Since(began) > x.wall+endGrace {
			x.dropFrom(f, n)
			return
		}
		if wait > 0 && !clock.Sleep(ctx, wait) {
			return
		}
		select {
		case workers <- struct{}{}:
		case <-ctx.Done():
			return
		case <-end.C:
			x.dropFrom(f, n)
			return
		}
		due, _ := f.Arrivals.Intended(n)
		wg.Add(1)
		go func(n uint64) {
			defer func() { <-workers; wg.Done() }()
			arrive(f.arrival(n), began.Add(due))
		}(n)
	}
}

// endGrace is how long after the end of the run an arrival due before it may still start.
const endGrace = 100 * time.Millisecond

// walk is one journey in progress: who walks it, from which unit, and when its next
// step is due.
type walk struct {
	ctx   context.Context
	x     *executor
	f     *Flow
	n     uint64    // arrival number within the flow
	ready time.Time // when the next step is due: the arrival, then last answer + think
	first bool
	unit  int    // index in Population.Units
	base  string // the portal's base URL over the unit's tier
}

func (w *walk) pickUnit(tier string) {
	if w.f.Channel != "" {
		online := w.f.online(w.x.clock.ToScenario(w.ready.Sub(w.x.began)))
		w.unit = w.x.pop.PickChannel(w.pick(0), tier, w.f.Channel, online)
	} else {
		w.unit = w.x.pop.Pick(w.pick(0), tier)
	}
	w.base = w.x.env.ep.Portal
	if w.unit >= 0 {
		if u, ok := w.x.env.ep.unitPortal(w.x.pop, w.unit); ok {
			w.base = u
		}
	}
}

func (w *walk) unitCode() string {
	if w.unit < 0 {
		return unitFor(w.pick(1))
	}
	return w.x.pop.Units[w.unit].Code
}

// pick is a deterministic random number for this journey's draw k.
func (w *walk) pick(k uint64) uint64 {
	return w.x.env.pick(w.n, uint64(w.f.Classes[0])<<8|k)
}

// hit is one step's request.
type hit struct {
	method, url string
	header      http.Header
	body        []byte
	trickle     bool // the body goes out a byte at a time (trickleReader)
	// timeout bounds this request below the client's (0: the client's alone).
	timeout time.Duration
	// jar, when set, sends the walk's cookies and keeps those the answer sets.
	jar http.CookieJar
}

// wait waits think after the last answer (nothing before the first step); false when
// the step is not to be sent: it would fall due after the run's end, or the run stopped.
func (w *walk) wait(think time.Duration) bool {
	if !w.first {
		w.ready = w.ready.Add(think)
	}
	// The run's end bounds every journey: steps due after it are not sent, as the plan
	// does not count them either.
	if w.ready.Sub(w.x.began) >= w.x.wall {
		return false
	}
	if d := time.Until(w.ready); d > 0 && !clock.Sleep(w.ctx, d) {
		return false
	}
	if w.ctx.Err() != nil {
		return false
	}
	w.first = false
	return true
}

// sent records step k's request, sent when it fell due, and starts the next think.
func (w *walk) sent(k int, res *vegeta.Result) {
	w.x.sink.Sent(w.f.Classes[k], res, w.ready)
	w.ready = res.Timestamp.Add(res.Latency)
}

// executor is what every flow of an attack shares.
type executor struct {
	env     *env
	pop     *Population
	client  *http.Client
	opts    Options
	sink    Sink
	classes []string
	began   time.Time
	wall    time.Duration
	clock   clock.Clock
	recent  *recentUnits
	// attacker is burst's one client, signed in when first needed.
	attacker attacker
}

// maxAnswer bounds how much of an answer a journey reads: enough for any JSON it needs.
const maxAnswer = 1 << 20

// send makes one request and describes it as vegeta does, so that results encoders and
// the metrics sink treat journey steps like any other request.
func (x *executor) send(c hit, class string, seq uint64) (*vegeta.Result, []byte) {
	res := &vegeta.Result{Attack: class, Seq: seq, Method: c.method, URL: c.url, Timestamp: time.Now()}
	// In-flight requests finish when the run is stopped: a cancelled request would be
	// recorded as a failure of the system under test. The client's timeout bounds them.
	var out io.Reader = bytes.NewReader(c.body)
	if c.trickle {
		out = &trickleReader{data: c.body}
	}
	ctx := context.Background()
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, c.method, c.url, out)
	if err != nil {
		res.Error = err.Error()
		return res, nil
	}
	req.ContentLength = int64(len(c.body))
	if c.body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if c.jar != nil {
		for _, ck := range c.jar.Cookies(req.URL) {
			req.AddCookie(ck)
		}
	}
	res.BytesOut = uint64(len(c.body))
	resp, err := x.client.Do(req)
	if err != nil {
		res.Latency = time.Since(res.Timestamp)
		res.Error = err.Error()
		return res, nil
	}
	defer resp.Body.Close()
	if c.jar != nil {
		c.jar.SetCookies(req.URL, resp.Cookies())
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	res.Latency = time.Since(res.Timestamp)
	res.Code = uint16(resp.StatusCode)
	res.Headers = resp.Header // Location and Idempotency-Key: what reconciliation reads
	res.BytesIn = uint64(len(body))
	if err != nil {
		res.Error = err.Error()
		res.Code = 0
		return res, nil
	}
	if res.Code < 200 || res.Code >= 400 {
		res.Error = resp.Status
	}
	return res, body
}

// recentUnits remembers the units that recently received dossiers, so that officials
// work where there is work: a unit's queue is where its dossiers land.
type recentUnits struct {
	mu    sync.Mutex
	codes []string
	next  int
}

const recentCap = 512

func (r *recentUnits) add(code string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.codes) < recentCap {
		r.codes = append(r.codes, code)
		return
	}
	r.codes[r.next] = code
	r.next = (r.next + 1) % recentCap
}

func (r *recentUnits) pick(x uint64) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.codes) == 0 {
		return "", false
	}
	return r.codes[x%uint64(len(r.codes))], true
}
