package portal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/sony/gobreaker/v2"
)

// dependency is one registry as the portal sees it: its own timeout, its own
// circuit breaker and its own bulkhead (a cap on concurrent calls), so a slow
// registry uses up only its own share of the portal and fails fast once it is
// known to be down. In naive mode all three are absent.
type dependency struct {
	name     string
	base     string
	client   *http.Client
	timeout  time.Duration
	breaker  *gobreaker.CircuitBreaker[reply]
	bulkhead chan struct{}
	cooldown time.Duration // breaker open period, also the Retry-After we suggest
	token    string        // Bearer credential the registries require of the portal
	metrics  *metrics
}

type reply struct {
	status int
	body   []byte
}

// depError is a dependency failure with the status the portal should answer.
type depError struct {
	dep        string
	status     int // 503 or 504
	retryAfter time.Duration
	err        error
}

func (e *depError) Error() string { return e.dep + ": " + e.err.Error() }
func (e *depError) Unwrap() error { return e.err }

// errUpstream5xx marks a registry answer of 5xx, a failure for the breaker.
var errUpstream5xx = errors.New("registry answered with a server error")

type dependencyConfig struct {
	timeout    time.Duration
	concurrent int
	cooldown   time.Duration
	naive      bool
	token      string
}

func newDependency(name, base string, client *http.Client, cfg dependencyConfig, m *metrics) *dependency {
	d := &dependency{name: name, base: base, client: client, metrics: m, cooldown: cfg.cooldown, token: cfg.token}
	if cfg.naive {
		return d
	}
	d.timeout = cfg.timeout
	d.bulkhead = make(chan struct{}, cfg.concurrent)
	d.breaker = gobreaker.NewCircuitBreaker[reply](gobreaker.Settings{
		Name:        name,
		MaxRequests: 3,
		Interval:    10 * time.Second,
		Timeout:     cfg.cooldown,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			// Trip on a run of failures, or on a high failure ratio once there is enough traffic.
			return c.ConsecutiveFailures >= 5 || (c.Requests >= 20 && c.TotalFailures*2 >= c.Requests)
		},
		IsExcluded: func(err error) bool { return errors.Is(err, context.Canceled) },
		OnStateChange: func(name string, _, to gobreaker.State) {
			m.breakerState.WithLabelValues(name).Set(float64(to))
		},
	})
	m.breakerState.WithLabelValues(name).Set(0)
	return d
}

// call sends one request. A 2xx–4xx reply is returned as is (a 404 is an answer,
// not a failure); anything else becomes a *depError.
func (d *dependency) call(ctx context.Context, method, path string, body []byte, header http.Header) (reply, error) {
	start := time.Now()
	rep, err := d.guarded(ctx, method, path, body, header)
	outcome := "ok"
	if err != nil {
		outcome = "error"
		var de *depError
		if errors.As(err, &de) && de.status == http.StatusGatewayTimeout {
			outcome = "timeout"
		}
	}
	d.metrics.depCalls.WithLabelValues(d.name, outcome).Inc()
	d.metrics.depLatency.WithLabelValues(d.name).Observe(time.Since(start).Seconds())
	return rep, err
}

func (d *dependency) guarded(ctx context.Context, method, path string, body []byte, header http.Header) (reply, error) {
	if d.bulkhead != nil {
		select {
		case d.bulkhead <- struct{}{}:
			defer func() { <-d.bulkhead }()
		default:
			return reply{}, &depError{d.name, http.StatusServiceUnavailable, time.Second, errors.New("too many calls in flight (bulkhead full)")}
		}
	}
	if d.breaker == nil {
		rep, err := d.do(ctx, method, path, body, header)
		if errors.Is(err, errUpstream5xx) {
			return rep, &depError{d.name, http.StatusServiceUnavailable, time.Second, err}
		}
		return rep, err
	}
	rep, err := d.breaker.Execute(func() (reply, error) { return d.do(ctx, method, path, body, header) })
	switch {
	case errors.Is(err, gobreaker.ErrOpenState), errors.Is(err, gobreaker.ErrTooManyRequests):
		return reply{}, &depError{d.name, http.StatusServiceUnavailable, d.cooldown, fmt.Errorf("circuit open: %w", err)}
	case errors.Is(err, errUpstream5xx):
		return rep, &depError{d.name, http.StatusServiceUnavailable, time.Second, err}
	}
	return rep, err
}

func (d *dependency) do(ctx context.Context, method, path string, body []byte, header http.Header) (reply, error) {
	if d.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.timeout)
		defer cancel()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, d.base+path, rd)
	if err != nil {
		return reply{}, fmt.Errorf("%s request: %w", d.name, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if d.token != "" {
		req.Header.Set("Authorization", "Bearer "+d.token)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return reply{}, d.transportError(ctx, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return reply{}, d.transportError(ctx, err)
	}
	rep := reply{status: resp.StatusCode, body: b}
	if resp.StatusCode >= 500 {
		return rep, fmt.Errorf("%w: %d", errUpstream5xx, resp.StatusCode)
	}
	return rep, nil
}

func (d *dependency) transportError(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("%s: caller went away: %w", d.name, context.Canceled)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &depError{d.name, http.StatusGatewayTimeout, time.Second, fmt.Errorf("no answer within %v: %w", d.timeout, err)}
	}
	return &depError{d.name, http.StatusServiceUnavailable, time.Second, fmt.Errorf("unreachable: %w", err)}
}

// retryAfterSeconds renders a Retry-After value (at least 1 s).
func retryAfterSeconds(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	if s < 1 {
		s = 1
	}
	return strconv.Itoa(s)
}
