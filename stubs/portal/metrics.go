package portal

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the portal's Prometheus series. Each server has its own registry so
// several portals can run in one process (tests, the embedded runtime).
type metrics struct {
	reg          *prometheus.Registry
	requests     *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	shed         *prometheus.CounterVec
	inFlight     *prometheus.GaugeVec
	waiting      *prometheus.GaugeVec
	authFailures prometheus.Counter
	bodyTimeouts prometheus.Counter
	quotaRefused *prometheus.CounterVec
	depCalls     *prometheus.CounterVec
	depLatency   *prometheus.HistogramVec
	breakerState *prometheus.GaugeVec
	commitBatch  prometheus.Histogram
	commitTime   prometheus.Histogram
	dossiers     *prometheus.CounterVec
	outboxSteps  *prometheus.CounterVec
}

func newMetrics() *metrics {
	reg := prometheus.NewRegistry()
	buckets := []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
	m := &metrics{
		reg:          reg,
		requests:     prometheus.NewCounterVec(prometheus.CounterOpts{Name: "portal_http_requests_total", Help: "HTTP requests by route and status code."}, []string{"route", "code"}),
		latency:      prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "portal_http_request_duration_seconds", Help: "HTTP request latency by route.", Buckets: buckets}, []string{"route"}),
		shed:         prometheus.NewCounterVec(prometheus.CounterOpts{Name: "portal_shed_total", Help: "Requests shed by admission control (503 + Retry-After)."}, []string{"class"}),
		inFlight:     prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "portal_in_flight", Help: "Admitted requests in progress by class."}, []string{"class"}),
		waiting:      prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "portal_admission_waiting", Help: "Requests waiting for an admission slot by class."}, []string{"class"}),
		authFailures: prometheus.NewCounter(prometheus.CounterOpts{Name: "portal_auth_failures_total", Help: "Requests refused with 401."}),
		bodyTimeouts: prometheus.NewCounter(prometheus.CounterOpts{Name: "portal_body_timeouts_total", Help: "Request bodies not received within their deadline (408, connection closed)."}),
		quotaRefused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "portal_quota_refusals_total", Help: "Requests refused by a quota (413 or 429) by quota."}, []string{"quota"}),
		depCalls:     prometheus.NewCounterVec(prometheus.CounterOpts{Name: "portal_dependency_calls_total", Help: "Calls to registries by outcome (ok, error, timeout)."}, []string{"dependency", "outcome"}),
		depLatency:   prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "portal_dependency_duration_seconds", Help: "Registry call latency.", Buckets: buckets}, []string{"dependency"}),
		breakerState: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "portal_breaker_state", Help: "Circuit breaker state per registry: 0 closed, 1 half-open, 2 open."}, []string{"dependency"}),
		commitBatch:  prometheus.NewHistogram(prometheus.HistogramOpts{Name: "portal_store_commit_batch_size", Help: "Writes per group commit.", Buckets: prometheus.ExponentialBuckets(1, 2, 10)}),
		commitTime:   prometheus.NewHistogram(prometheus.HistogramOpts{Name: "portal_store_commit_duration_seconds", Help: "Group commit duration including fsync.", Buckets: buckets}),
		dossiers:     prometheus.NewCounterVec(prometheus.CounterOpts{Name: "portal_dossiers_created_total", Help: "Dossiers durably created by kind."}, []string{"kind"}),
		outboxSteps:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: "portal_outbox_attempts_total", Help: "Outbox step attempts by registry and outcome."}, []string{"registry", "outcome"}),
	}
	reg.MustRegister(m.requests, m.latency, m.shed, m.inFlight, m.waiting, m.authFailures, m.bodyTimeouts, m.quotaRefused, m.depCalls, m.depLatency,
		m.breakerState, m.commitBatch, m.commitTime, m.dossiers, m.outboxSteps,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, q := range []string{quotaCallerInFlight, quotaDossierAttachments, quotaDossierAttachmentBytes, quotaCitizenAttachmentBytes} {
		m.quotaRefused.WithLabelValues(q) // every quota's series exists from the start, at 0
	}
	return m
}

// watch adds the gauges read at scrape time: queue depths.
func (m *metrics) watch(s *Server) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "portal_outbox_pending", Help: "Bundle steps waiting for their registry."}, func() float64 {
		var n int
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := s.store.r.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE state = 'pending'`).Scan(&n); err != nil {
			return -1
		}
		return float64(n)
	}))
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "portal_store_queue", Help: "Writes waiting for the group-commit writer."}, func() float64 {
		return float64(len(s.store.ops))
	}))
}

func (m *metrics) handler() http.Handler { return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}) }

// instrument records every request by its route pattern (not its path, which
// would make one series per dossier).
func (m *metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, strconv.Itoa(sw.code)).Inc()
		m.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
