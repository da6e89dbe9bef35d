package portal

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/thongsuot/thongsuot/stubs/jsonapi"
)

// admission bounds the work in progress for one class of request (reads or
// writes). A request waits at most maxWait for a slot and at most maxQueue
// requests wait; beyond either it is shed at once with 503 + Retry-After. Shedding
// early keeps the latency of admitted requests near their service time instead of
// letting a queue grow until every request times out (the collapse an open-model
// surge produces).
//
// A slot is taken last: after the token is verified and the body is in
// (routes.go), so neither an unauthenticated caller nor a slow body holds one.
type admission struct {
	class    string
	slots    chan struct{}
	maxWait  time.Duration
	maxQueue int64
	waiting  atomic.Int64
	metrics  *metrics
	queued   prometheus.Gauge
}

func newAdmission(class string, inFlight, maxQueue int, maxWait time.Duration, m *metrics) *admission {
	m.shed.WithLabelValues(class) // the series exists from the start, at 0
	return &admission{class: class, slots: make(chan struct{}, inFlight), maxWait: maxWait, maxQueue: int64(maxQueue), metrics: m,
		queued: m.waiting.WithLabelValues(class)}
}

func (a *admission) acquire(ctx context.Context) bool {
	select {
	case a.slots <- struct{}{}:
		return true
	default:
	}
	if a.waiting.Add(1) > a.maxQueue {
		a.waiting.Add(-1)
		return false
	}
	a.queued.Inc()
	defer func() {
		a.waiting.Add(-1)
		a.queued.Dec()
	}()
	t := time.NewTimer(a.maxWait)
	defer t.Stop()
	select {
	case a.slots <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

func (a *admission) release() { <-a.slots }

// admit runs next in a slot or sheds the request. A nil admission (the naive
// portal) admits everything.
func (a *admission) admit(next http.HandlerFunc) http.HandlerFunc {
	if a == nil {
		return next
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if !a.acquire(r.Context()) {
			a.metrics.shed.WithLabelValues(a.class).Inc()
			w.Header().Set("Retry-After", "1")
			jsonapi.Error(w, http.StatusServiceUnavailable, "portal is busy, retry shortly")
			return
		}
		a.metrics.inFlight.WithLabelValues(a.class).Inc()
		defer func() {
			a.metrics.inFlight.WithLabelValues(a.class).Dec()
			a.release()
		}()
		next(w, r)
	}
}
