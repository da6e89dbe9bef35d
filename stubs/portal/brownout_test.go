package portal

import (
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type outcome struct {
	code       int
	took       time.Duration
	retryAfter string
}

// surge fires n submissions at a fixed rate (an open model: arrivals do not wait
// for answers) and reads the catalogue alongside; it returns both outcomes.
func surge(t *testing.T, w *world, n int, every time.Duration) (subs, reads []outcome) {
	// Several citizens, so that the per-caller limit (CallerInFlight) plays no part.
	tokens := make([]string, 8)
	for i := range tokens {
		tokens[i], _ = w.citizen(i)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	tick := time.NewTicker(every)
	defer tick.Stop()
	for i := range n {
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			code, _, hdr := w.doRaw(http.MethodPost, "/api/v1/dossiers", tokens[i%len(tokens)], birthCert)
			o := outcome{code, time.Since(start), hdr.Get("Retry-After")}
			mu.Lock()
			subs = append(subs, o)
			mu.Unlock()
		}()
		if i%3 == 0 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				start := time.Now()
				code, _ := w.do(http.MethodGet, "/api/v1/procedures?q=khai+sinh", "", nil)
				mu.Lock()
				reads = append(reads, outcome{code: code, took: time.Since(start)})
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	return subs, reads
}

func slowest(os []outcome) time.Duration {
	sort.Slice(os, func(i, j int) bool { return os[i].took < os[j].took })
	return os[len(os)-1].took
}

// TestBrownoutShedsWhileNaiveQueues: the population registry serves 2 requests
// at a time at 40 ms each (50/s) while submissions arrive at 250/s. The resilient
// portal answers every request quickly — the excess with 503 + Retry-After — and
// keeps serving reads; the naive portal queues every submission behind the
// registry, so its latency grows with the length of the surge.
func TestBrownoutShedsWhileNaiveQueues(t *testing.T) {
	const n, every = 80, 4 * time.Millisecond
	brownout := func(w *world) {
		w.knob("population", "capacity=2")
		w.knob("population", "latency=40ms")
	}

	resilient := newWorld(t, func(c *Config) { c.RegistryConcurrent = 4; c.RegistryTimeout = 150 * time.Millisecond })
	brownout(resilient)
	subs, reads := surge(t, resilient, n, every)
	shed := 0
	for _, o := range subs {
		require.Contains(t, []int{http.StatusCreated, http.StatusServiceUnavailable, http.StatusGatewayTimeout}, o.code)
		if o.code != http.StatusCreated {
			shed++
			assert.NotEmpty(t, o.retryAfter, "every refusal says when to retry")
		}
	}
	for _, o := range reads {
		assert.Equal(t, http.StatusOK, o.code)
	}
	resilientWorst := slowest(subs)
	t.Logf("resilient: %d/%d shed, slowest submit %v, slowest read %v", shed, n, resilientWorst, slowest(reads))
	assert.Greater(t, shed, n/3, "the excess is shed")
	// Bounds are loose for a busy 2-core CI machine; the contrast below is the point.
	assert.Less(t, resilientWorst, time.Second, "latency stays bounded by the timeout")
	assert.Less(t, slowest(reads), 500*time.Millisecond, "reads keep being served")

	naive := newWorld(t, func(c *Config) { c.Naive = true })
	brownout(naive)
	subs, _ = surge(t, naive, n, every)
	for _, o := range subs {
		assert.Equal(t, http.StatusCreated, o.code, "naive never sheds: it waits")
	}
	naiveWorst := slowest(subs)
	t.Logf("naive: slowest submit %v", naiveWorst)
	// 80 arrivals need 80 × 20 ms of registry time = 1.6 s; the last one waits most of it.
	assert.Greater(t, naiveWorst, time.Second)
	assert.Greater(t, naiveWorst, 3*resilientWorst)
}
