package load

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// The sender describes each request as vegeta's attacker would: code, error text for a
// refusal, bytes both ways, method and URL, the answer's headers; and a transport
// error as code 0 with its text.
func TestSenderDescribesEachRequestAsVegetaDoes(t *testing.T) {
	var bodies, units sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies.Store(r.Header.Get("Idempotency-Key"), string(b))
		units.Store(r.Header.Get("Idempotency-Key"), r.Header.Values(unitKey))
		switch r.URL.Path {
		case "/created":
			w.Header().Set("Location", "/api/v1/dossiers/d1")
			w.WriteHeader(http.StatusCreated)
		case "/refused":
			w.WriteHeader(http.StatusTooManyRequests)
		}
		w.Write([]byte("answer"))
	}))
	defer srv.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	tests := []struct {
		name  string
		tgt   vegeta.Target
		check func(t *testing.T, res *vegeta.Result)
	}{
		{"created, with a body and headers", vegeta.Target{Method: http.MethodPost, URL: srv.URL + "/created",
			Body: []byte(`{"a":1}`), Header: http.Header{"Idempotency-Key": {"k1"}, unitKey: {"79"}}},
			func(t *testing.T, res *vegeta.Result) {
				assert.Equal(t, uint16(http.StatusCreated), res.Code)
				assert.Empty(t, res.Error)
				assert.Greater(t, res.BytesOut, uint64(7), "the body, the request line and headers (bytes on the wire)")
				assert.Greater(t, res.BytesIn, uint64(6), "the answer's body, status line and headers")
				assert.Equal(t, "/api/v1/dossiers/d1", res.Headers.Get("Location"))
				assert.Equal(t, http.MethodPost, res.Method)
				got, _ := bodies.Load("k1")
				assert.Equal(t, `{"a":1}`, got, "the body reached the server")
				assert.Equal(t, "79", UnitOf(res), "the unit is left on the answer")
				sent, _ := units.Load("k1")
				assert.Empty(t, sent, "and never went on the wire")
			}},
		{"refused: an answer with its status as the error", vegeta.Target{Method: http.MethodGet, URL: srv.URL + "/refused"},
			func(t *testing.T, res *vegeta.Result) {
				assert.Equal(t, uint16(http.StatusTooManyRequests), res.Code)
				assert.Equal(t, "429 Too Many Requests", res.Error)
				assert.Empty(t, UnitOf(res))
			}},
		{"transport error: code 0", vegeta.Target{Method: http.MethodGet, URL: closed.URL + "/x"},
			func(t *testing.T, res *vegeta.Result) {
				assert.Equal(t, uint16(0), res.Code)
				assert.Contains(t, res.Error, `Get "`+closed.URL+`/x": dial tcp`, "as Client.Do says it")
				assert.Contains(t, res.Error, "connect")
			}},
		{"unsupported scheme: code 0", vegeta.Target{Method: http.MethodGet, URL: "ftp://127.0.0.1/x"},
			func(t *testing.T, res *vegeta.Result) {
				assert.Equal(t, uint16(0), res.Code)
				assert.Contains(t, res.Error, `unsupported protocol scheme "ftp"`)
			}},
		{"bad URL: code 0, no panic", vegeta.Target{Method: http.MethodGet, URL: "http://[::1"},
			func(t *testing.T, res *vegeta.Result) {
				assert.Equal(t, uint16(0), res.Code)
				assert.NotEmpty(t, res.Error)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testSender(func(tgt *vegeta.Target, _ uint64, _ *env) error { *tgt = tt.tgt; return nil }, nil)
			var res vegeta.Result
			var tgt vegeta.Target
			s.hit(newWorkerClient(Reach{}, 5*time.Second), &tgt, &res, 3)
			assert.Equal(t, uint64(3), res.Seq)
			assert.Equal(t, tt.tgt.URL, res.URL)
			assert.Positive(t, res.Latency)
			tt.check(t, &res)
		})
	}
}

// A stopped run stops pacing at once, even while the pacer waits for a far arrival,
// and what was handed out is what was sent.
func TestSenderStopsWhileWaiting(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	var sent atomic.Int64
	s := testSender(func(tgt *vegeta.Target, _ uint64, _ *env) error {
		tgt.Method, tgt.URL = http.MethodGet, srv.URL
		return nil
	}, SinkFuncs{OnSent: func(int, *vegeta.Result, time.Time) { sent.Add(1) }})
	// One arrival now, the next an hour away.
	s.f.Arrivals = NewPacer(func(wall time.Duration) float64 {
		if wall < 100*time.Millisecond {
			return 10
		}
		return 1e-4
	}, 2*time.Hour)
	s.x.wall = 2 * time.Hour
	stop := make(chan struct{})
	done := make(chan uint64)
	go func() { done <- s.run(stop) }()
	time.Sleep(300 * time.Millisecond)
	close(stop)
	select {
	case n := <-done:
		assert.Equal(t, uint64(1), n)
		assert.Equal(t, int64(1), sent.Load())
	case <-time.After(5 * time.Second):
		t.Fatal("the sender did not stop")
	}
}

// The URL cache parses a URL once and stops growing at its bound.
func TestURLCacheIsBounded(t *testing.T) {
	var c urlCache
	a, err := c.parse("http://127.0.0.1/a?q=1")
	require.NoError(t, err)
	b, err := c.parse("http://127.0.0.1/a?q=1")
	require.NoError(t, err)
	assert.Same(t, a, b)
	c.n.Store(maxCachedURLs)
	x, _ := c.parse("http://127.0.0.1/b")
	y, _ := c.parse("http://127.0.0.1/b")
	assert.NotSame(t, x, y, "beyond the bound URLs are parsed each time")
	_, err = c.parse("http://[::1")
	assert.Error(t, err)
}

func testSender(build request, sink Sink) *sender {
	if sink == nil {
		sink = SinkFuncs{}
	}
	x := &executor{env: &env{}, client: NewClient(5 * time.Second), opts: Options{MaxWorkers: 4},
		sink: sink, began: time.Now(), wall: time.Second}
	return &sender{x: x, f: &Flow{Name: "t", Classes: []int{0}}, build: build}
}

// BenchmarkSenderHit is one catalogue request through the sender against a trivial
// loopback handler, with its allocations: what the generator pays per request beyond
// net/http's own.
func BenchmarkSenderHit(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) }))
	defer srv.Close()
	s := testSender(requests["catalogue"], nil)
	s.e = env{ep: Endpoints{Portal: srv.URL}, setup: &Setup{}}
	var res vegeta.Result
	var tgt vegeta.Target
	c := newWorkerClient(Reach{}, 5*time.Second)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		tgt = vegeta.Target{}
		s.hit(c, &tgt, &res, uint64(i))
		if res.Code != http.StatusOK {
			b.Fatal(res.Error)
		}
	}
}

// BenchmarkSenderVsVegetaAttacker sends the same catalogue requests, one at a time, to
// the same loopback handler through the sender and through vegeta's attacker (with the
// client and options the generator used before): time and allocations per request,
// server included, so the difference is what the sender saves.
func BenchmarkSenderVsVegetaAttacker(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) }))
	defer srv.Close()
	e := env{ep: Endpoints{Portal: srv.URL}, setup: &Setup{}}
	b.Run("sender", func(b *testing.B) {
		s := testSender(requests["catalogue"], SinkFuncs{OnSent: func(int, *vegeta.Result, time.Time) {}})
		s.e = e
		s.x.opts.MaxWorkers = 1
		s.f.Arrivals = unpacedFor(uint64(b.N))
		s.x.wall = time.Hour
		b.ReportAllocs()
		b.ResetTimer()
		s.run(make(chan struct{}))
	})
	b.Run("vegeta-attacker", func(b *testing.B) {
		atk := vegeta.NewAttacker(vegeta.Client(NewClient(5*time.Second)), vegeta.Workers(1), vegeta.MaxWorkers(1), vegeta.MaxBody(0))
		var n atomic.Uint64
		build := requests["catalogue"]
		tr := func(tgt *vegeta.Target) error { return build(tgt, n.Add(1)-1, &e) }
		b.ReportAllocs()
		b.ResetTimer()
		for res := range atk.Attack(tr, unpacedFor(uint64(b.N)), 0, "catalogue") {
			_ = res
		}
	})
}

// unpacedFor is n arrivals all due at once.
type unpacedFor uint64

func (u unpacedFor) Pace(_ time.Duration, hits uint64) (time.Duration, bool) {
	return 0, hits >= uint64(u)
}
func (u unpacedFor) Rate(time.Duration) float64              { return 0 }
func (u unpacedFor) Intended(k uint64) (time.Duration, bool) { return 0, k < uint64(u) }
func (u unpacedFor) Hits(time.Duration) float64              { return float64(u) }
func (u unpacedFor) Count(time.Duration, time.Duration) int  { return 0 }
func (u unpacedFor) Total() float64                          { return float64(u) }

// The client's timeout bounds a request the server is slow to answer: code 0, and the
// error says so as Client.Do would.
func TestSenderTimesOutWithTheClient(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	s := testSender(func(tgt *vegeta.Target, _ uint64, _ *env) error {
		tgt.Method, tgt.URL = http.MethodGet, srv.URL+"/slow"
		return nil
	}, nil)
	s.x.opts.Timeout = 100 * time.Millisecond
	var res vegeta.Result
	var tgt vegeta.Target
	s.hit(newWorkerClient(Reach{}, s.x.opts.Timeout), &tgt, &res, 0)
	assert.Equal(t, uint16(0), res.Code)
	assert.Contains(t, res.Error, `Get "`+srv.URL+`/slow"`)
	assert.Contains(t, res.Error, "deadline exceeded")
	assert.Less(t, res.Latency, 5*time.Second)
}
