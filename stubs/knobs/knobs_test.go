package knobs

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/stubs/credential"
)

var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })

func serve(h http.Handler, ctxTimeout time.Duration) int {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	if ctxTimeout > 0 {
		ctx, cancel := contextWithTimeout(r, ctxTimeout)
		defer cancel()
		r = r.WithContext(ctx)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code
}

func TestModes(t *testing.T) {
	tests := []struct {
		name string
		s    Settings
		code int
	}{
		{"healthy", Settings{}, 200},
		{"down", Settings{Down: true}, 503},
		{"maintenance", Settings{Maintenance: true}, 503},
		{"always erroring", Settings{ErrorRate: 1}, 500},
		{"fixed latency", Settings{LatencyMedian: Duration(2 * time.Millisecond)}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := New("x", tt.s)
			assert.Equal(t, tt.code, serve(k.Wrap(ok), 0))
		})
	}
	start := time.Now()
	serve(New("x", Settings{Hang: true}).Wrap(ok), 20*time.Millisecond)
	assert.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond, "hang holds until the client gives up")
}

func TestCapacityQueuesAndQueueLimitRejects(t *testing.T) {
	k := New("x", Settings{LatencyMedian: Duration(30 * time.Millisecond), Capacity: 2, QueueLimit: 2})
	h := k.Wrap(ok)
	var wg sync.WaitGroup
	codes := make(chan int, 6)
	start := time.Now()
	for range 6 {
		wg.Add(1)
		go func() { defer wg.Done(); codes <- serve(h, 0) }()
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	assert.Equal(t, map[int]int{200: 4, 503: 2}, count, "2 served, 2 queued, 2 over the queue limit")
	assert.GreaterOrEqual(t, time.Since(start), 60*time.Millisecond, "the queued ones waited a service time")
	assert.Equal(t, Stats{Served: 4, Rejected: 2}, k.Stats())
}

func TestRaisingCapacityAdmitsWaiters(t *testing.T) {
	k := New("x", Settings{Capacity: 1, LatencyMedian: Duration(200 * time.Millisecond)})
	h := k.Wrap(ok)
	done := make(chan time.Duration, 3)
	start := time.Now()
	for range 3 {
		go func() { serve(h, 0); done <- time.Since(start) }()
	}
	require.Eventually(t, func() bool { return k.Stats().Queued == 2 }, time.Second, time.Millisecond)
	require.NoError(t, k.Set(Settings{Capacity: 3, LatencyMedian: Duration(200 * time.Millisecond)}))
	for range 3 {
		assert.Less(t, <-done, 550*time.Millisecond, "waiters were admitted when capacity rose, not one by one (that takes 600 ms)")
	}
}

func TestLatencyDistribution(t *testing.T) {
	s := Settings{LatencyMedian: Duration(10 * time.Millisecond), LatencyP99: Duration(100 * time.Millisecond)}
	var below, above int
	for range 10000 {
		d := s.sample()
		if d < 10*time.Millisecond {
			below++
		}
		if d > 100*time.Millisecond {
			above++
		}
	}
	assert.InDelta(t, 5000, below, 300, "median")
	assert.InDelta(t, 100, above, 50, "99th percentile")
}

func TestBoardAssignLoadAndAdmin(t *testing.T) {
	b := NewBoard("population", "tax")
	require.NoError(t, b.Assign("population.latency=50ms"))
	require.NoError(t, b.Assign("*.error_rate=0.5"))
	assert.Equal(t, Duration(50*time.Millisecond), b.Knob("population").Settings().LatencyMedian)
	assert.Equal(t, 0.5, b.Knob("tax").Settings().ErrorRate)
	for _, bad := range []string{"population", "nope.down=true", "population.colour=red", "population.capacity=-1", "population.latency=fast"} {
		assert.Error(t, b.Assign(bad), bad)
	}
	require.NoError(t, b.Load(strings.NewReader(`{"tax":{"down":true,"latency_median":"5ms","latency_p99":20}}`)))
	assert.True(t, b.Knob("tax").Settings().Down)
	assert.Equal(t, Duration(20*time.Millisecond), b.Knob("tax").Settings().LatencyP99)
	assert.Error(t, b.Load(strings.NewReader(`{"nope":{}}`)))

	admin := b.AdminHandler("/admin/v1/knobs", credential.NewGuard("s3cret"))
	call := func(method, path, body string) (int, map[string]any) {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer s3cret")
		admin.ServeHTTP(w, r)
		var out map[string]any
		_ = json.Unmarshal(w.Body.Bytes(), &out)
		return w.Code, out
	}
	code, all := call(http.MethodGet, "/admin/v1/knobs", "")
	require.Equal(t, 200, code)
	assert.Len(t, all, 2)
	code, one := call(http.MethodPatch, "/admin/v1/knobs/tax", `{"down":false}`)
	require.Equal(t, 200, code)
	assert.Equal(t, false, one["down"])
	assert.Equal(t, "5ms", one["latency_median"], "PATCH keeps the other fields")
	code, one = call(http.MethodPut, "/admin/v1/knobs/tax", `{"capacity":8}`)
	require.Equal(t, 200, code)
	assert.Equal(t, "0s", one["latency_median"], "PUT replaces")
	code, _ = call(http.MethodPut, "/admin/v1/knobs/tax", `{"capacity":"many"}`)
	assert.Equal(t, 400, code)
	code, _ = call(http.MethodPost, "/admin/v1/knobs/reset", "")
	assert.Equal(t, 204, code)
	assert.Equal(t, Settings{}, b.Knob("population").Settings())
}

// TestAdminNeedsTheCredential: every route of the knob admin API answers 401
// without the guard's secret (or with another), and serves with it; a nil guard
// serves no one, an open one everyone.
func TestAdminNeedsTheCredential(t *testing.T) {
	routes := []struct {
		method, path, body string
		code               int
	}{
		{http.MethodGet, "/admin/v1/knobs", "", http.StatusOK},
		{http.MethodGet, "/admin/v1/knobs/tax", "", http.StatusOK},
		{http.MethodPut, "/admin/v1/knobs/tax", `{"capacity":8}`, http.StatusOK},
		{http.MethodPatch, "/admin/v1/knobs/tax", `{"down":true}`, http.StatusOK},
		{http.MethodPost, "/admin/v1/knobs/reset", "", http.StatusNoContent},
	}
	guards := []struct {
		name   string
		guard  *credential.Guard
		header string
		ok     bool
	}{
		{"no credential", credential.NewGuard("s3cret"), "", false},
		{"wrong secret", credential.NewGuard("s3cret"), "Bearer s3cre", false},
		{"not a bearer", credential.NewGuard("s3cret"), "Basic s3cret", false},
		{"the secret", credential.NewGuard("s3cret"), "Bearer s3cret", true},
		{"nil guard", nil, "Bearer ", false},
		{"open guard", credential.Open(), "", true},
	}
	for _, g := range guards {
		for _, rt := range routes {
			t.Run(g.name+" "+rt.method+" "+rt.path, func(t *testing.T) {
				b := NewBoard("tax")
				w := httptest.NewRecorder()
				r := httptest.NewRequest(rt.method, rt.path, strings.NewReader(rt.body))
				if g.header != "" {
					r.Header.Set("Authorization", g.header)
				}
				b.AdminHandler("/admin/v1/knobs", g.guard).ServeHTTP(w, r)
				if g.ok {
					assert.Equal(t, rt.code, w.Code, w.Body.String())
				} else {
					assert.Equal(t, http.StatusUnauthorized, w.Code, w.Body.String())
					assert.Equal(t, Settings{}, b.Knob("tax").Settings(), "a refused request changes nothing")
				}
			})
		}
	}
}

func contextWithTimeout(r *http.Request, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), d)
}

// Maintenance is a notice, not a failure to answer: 503 with a Retry-After and a body
// that says so.
func TestMaintenanceSaysSoAndAsksToRetry(t *testing.T) {
	rec := httptest.NewRecorder()
	New("identity", Settings{Maintenance: true}).Wrap(ok).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Equal(t, MaintenanceRetryAfter, rec.Header().Get("Retry-After"))
	assert.Contains(t, rec.Body.String(), "maintenance")
}
