package load

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/thongsuot/thongsuot/harness/clock"
	"github.com/thongsuot/thongsuot/scenarios"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Journey is a built-in journey as a flow walks it: its steps, as the scenario schema
// defines them (scenarios.Journeys), and the walk that sends them. Steps are each their
// own request class ("<entry>.<step>"); the user waits the entry's think time (wall
// clock) before every step but the first; a step that fails ends the journey when later
// steps need its answer.
type Journey struct {
	scenarios.Journey
	walk  func(w *walk)
	index map[string]int // step name → position in Steps
}

// walks are the built-in journeys' walks by journey name; a test holds their names to
// scenarios.Journeys.
var walks = map[string]func(w *walk){}

// newJourney pairs a journey of the schema with its walk.
func newJourney(name string) (*Journey, error) {
	def, ok := scenarios.FindJourney(name)
	walk, walks := walks[name]
	if !ok || !walks {
		return nil, fmt.Errorf("no journey %q in this build", name)
	}
	j := &Journey{Journey: def, walk: walk, index: map[string]int{}}
	for i, st := range def.Steps {
		j.index[st.Name] = i
	}
	return j, nil
}

// offsets are the expected wall offsets, from the journey's arrival, of each occurrence
// of step k: a think time for every occurrence before it, weighted by its share.
func (j *Journey) offsets(k int, think time.Duration) []time.Duration {
	before := 0.0
	for _, st := range j.Steps[:k] {
		before += st.Share * float64(st.Repeat)
	}
	out := make([]time.Duration, j.Steps[k].Repeat)
	for r := range out {
		out[r] = time.Duration((before + float64(r)) * float64(think))
	}
	return out
}

// runJourneys paces one journey flow's arrivals and walks each arrival's steps.
func runJourneys(ctx context.Context, f *Flow, x *executor) {
	dispatch(ctx, f, x, func(n uint64, due time.Time) {
		w := &walk{ctx: ctx, x: x, f: f, n: n, ready: due, first: true}
		w.pickUnit(f.Tier)
		f.Journey.walk(w)
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
			arrive(n, began.Add(due))
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
	token string
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
		if u, ok := w.x.env.ep.Tiers[w.x.pop.Tiers[w.unit]]; ok {
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
}

// do sends the named step's request once its think time has passed and returns the
// answer's body when it is a 2xx. ok is false when the step failed or was not sent (the
// run is ending or was stopped).
func (w *walk) do(step string, c hit) (body []byte, ok bool) {
	k, known := w.f.Journey.index[step]
	if !known {
		return nil, false // a walk naming a step its journey lacks: TestJourneysWalkTheirSteps catches it
	}
	if !w.first {
		w.ready = w.ready.Add(w.f.Think)
	}
	// The run's end bounds every journey: steps due after it are not sent, as the plan
	// does not count them either.
	if w.ready.Sub(w.x.began) >= w.x.wall {
		return nil, false
	}
	if d := time.Until(w.ready); d > 0 && !clock.Sleep(w.ctx, d) {
		return nil, false
	}
	if w.ctx.Err() != nil {
		return nil, false
	}
	w.first = false
	class := w.f.Classes[k]
	c.header = w.unitHeader(c.header) // the unit, for the bytes per province (tier.go)
	res, body := w.x.send(c, w.x.classes[class], w.n)
	w.x.sink.Sent(class, res, w.ready)
	w.ready = res.Timestamp.Add(res.Latency)
	return body, res.Code >= 200 && res.Code < 300
}

// doJSON is do, decoding a 2xx answer into out.
func (w *walk) doJSON(step string, c hit, out any) bool {
	body, ok := w.do(step, c)
	if !ok {
		return false
	}
	return out == nil || json.Unmarshal(body, out) == nil
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
	req, err := http.NewRequestWithContext(context.Background(), c.method, c.url, out)
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
	res.BytesOut = uint64(len(c.body))
	resp, err := x.client.Do(req)
	if err != nil {
		res.Latency = time.Since(res.Timestamp)
		res.Error = err.Error()
		return res, nil
	}
	defer resp.Body.Close()
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
