// Package knobs makes a stub behave like a dependency under stress: added latency
// from a distribution, a concurrency capacity with a queue behind it, injected
// errors, and down or hanging modes. The registry server gives each registry its own
// knob and the identity provider has one, set by flag or config at start and over the
// admin API at run time (see Board.AdminHandler), so that a dependency can be slow,
// saturated or failing from the inside as well as across the network. Scenarios
// turn knobs with knob faults (`knob:` and `set:`), which the fault engine applies
// over this admin API at the window's start and undoes at its end.
package knobs

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/thongsuot/thongsuot/stubs/jsonapi"
)

// Settings is what can be turned. The zero value is a healthy, instant dependency.
type Settings struct {
	// LatencyMedian and LatencyP99 shape a log-normal service time. P99 ≤ median
	// (or zero) means a fixed latency of LatencyMedian.
	LatencyMedian Duration `json:"latency_median"`
	LatencyP99    Duration `json:"latency_p99"`
	// Capacity is how many requests are served at once (0 = unlimited); the rest
	// queue, and the service time is spent holding a slot, so overload shows up as
	// queueing delay as it does in a real server.
	Capacity int `json:"capacity"`
	// QueueLimit caps the waiting requests (0 = unbounded); beyond it → 503.
	QueueLimit int `json:"queue_limit"`
	// ErrorRate is the fraction of requests answered 500 after their service time.
	ErrorRate float64 `json:"error_rate"`
	// Down answers every request 503 at once.
	Down bool `json:"down"`
	// Hang holds every request until the client gives up (a dependency that accepts
	// connections but never answers — the worst kind).
	Hang bool `json:"hang"`
	// Maintenance answers every request 503 at once with a maintenance notice and a
	// Retry-After, as VNeID did on the morning of 30 June 2025 (calibration F24).
	Maintenance bool `json:"maintenance"`
}

// MaintenanceRetryAfter is what a knob in maintenance asks clients to wait, in seconds.
const MaintenanceRetryAfter = "300"

// Validate rejects settings that cannot be applied.
func (s Settings) Validate() error {
	switch {
	case s.LatencyMedian < 0 || s.LatencyP99 < 0:
		return fmt.Errorf("latency must not be negative")
	case s.Capacity < 0 || s.QueueLimit < 0:
		return fmt.Errorf("capacity and queue_limit must not be negative")
	case s.ErrorRate < 0 || s.ErrorRate > 1 || math.IsNaN(s.ErrorRate):
		return fmt.Errorf("error_rate must be within [0, 1]")
	}
	return nil
}

// Stats is what a knob has seen.
type Stats struct {
	InService int64 `json:"in_service"`
	Queued    int64 `json:"queued"`
	Served    int64 `json:"served"`
	Injected  int64 `json:"injected_errors"`
	Rejected  int64 `json:"rejected"` // down or queue full
}

// Knob applies Settings to the requests of one dependency.
type Knob struct {
	name     string
	settings atomic.Pointer[Settings]

	mu        sync.Mutex
	inService int
	waiters   []chan struct{}

	served, injected, rejected atomic.Int64
}

// New returns a knob with the given settings.
func New(name string, s Settings) *Knob {
	k := &Knob{name: name}
	k.settings.Store(&s)
	return k
}

// Name is the dependency the knob belongs to.
func (k *Knob) Name() string { return k.name }

// Settings returns the current settings.
func (k *Knob) Settings() Settings { return *k.settings.Load() }

// Set replaces the settings; requests already waiting see the new capacity at once.
func (k *Knob) Set(s Settings) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("knob %s: %w", k.name, err)
	}
	k.settings.Store(&s)
	k.mu.Lock()
	k.admitWaitersLocked()
	k.mu.Unlock()
	return nil
}

// Stats returns counters and the current queue.
func (k *Knob) Stats() Stats {
	k.mu.Lock()
	defer k.mu.Unlock()
	return Stats{InService: int64(k.inService), Queued: int64(len(k.waiters)),
		Served: k.served.Load(), Injected: k.injected.Load(), Rejected: k.rejected.Load()}
}

// Wrap applies the knob in front of next.
func (k *Knob) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := k.Settings()
		if s.Down {
			k.rejected.Add(1)
			jsonapi.Error(w, http.StatusServiceUnavailable, k.name+" is down")
			return
		}
		if s.Maintenance {
			k.rejected.Add(1)
			w.Header().Set("Retry-After", MaintenanceRetryAfter)
			jsonapi.Error(w, http.StatusServiceUnavailable, k.name+" is under maintenance; try again later")
			return
		}
		if s.Hang {
			<-r.Context().Done()
			return
		}
		if !k.acquire(r.Context(), s) {
			k.rejected.Add(1)
			if r.Context().Err() == nil {
				w.Header().Set("Retry-After", "1")
				jsonapi.Error(w, http.StatusServiceUnavailable, k.name+" queue is full")
			}
			return
		}
		defer k.release()
		if !sleep(r.Context(), s.sample()) {
			return
		}
		k.served.Add(1)
		if s.ErrorRate > 0 && rand.Float64() < s.ErrorRate {
			k.injected.Add(1)
			jsonapi.Error(w, http.StatusInternalServerError, k.name+": injected error")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (k *Knob) acquire(ctx context.Context, s Settings) bool {
	k.mu.Lock()
	if s.Capacity == 0 || k.inService < s.Capacity {
		k.inService++
		k.mu.Unlock()
		return true
	}
	if s.QueueLimit > 0 && len(k.waiters) >= s.QueueLimit {
		k.mu.Unlock()
		return false
	}
	ch := make(chan struct{})
	k.waiters = append(k.waiters, ch)
	k.mu.Unlock()
	select {
	case <-ch:
		return true
	case <-ctx.Done():
		k.mu.Lock()
		defer k.mu.Unlock()
		for i, w := range k.waiters {
			if w == ch {
				k.waiters = append(k.waiters[:i], k.waiters[i+1:]...)
				return false
			}
		}
		// Admitted while giving up: hand the slot back.
		k.inService--
		k.admitWaitersLocked()
		return false
	}
}

func (k *Knob) release() {
	k.mu.Lock()
	k.inService--
	k.admitWaitersLocked()
	k.mu.Unlock()
}

func (k *Knob) admitWaitersLocked() {
	capacity := k.Settings().Capacity
	for len(k.waiters) > 0 && (capacity == 0 || k.inService < capacity) {
		close(k.waiters[0])
		k.waiters = k.waiters[1:]
		k.inService++
	}
}

// sample draws one service time.
func (s Settings) sample() time.Duration {
	m, p := float64(s.LatencyMedian), float64(s.LatencyP99)
	if m <= 0 {
		return 0
	}
	if p <= m {
		return time.Duration(m)
	}
	sigma := math.Log(p/m) / 2.3263 // z of the 99th percentile
	return time.Duration(m * math.Exp(sigma*rand.NormFloat64()))
}

func sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-time.After(d): // collected once unreferenced (Go 1.23), so no Stop is needed
		return true
	case <-ctx.Done():
		return false
	}
}

// Duration is a time.Duration that reads and writes JSON as "250ms"; a bare number
// is taken as milliseconds.
type Duration time.Duration

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads "250ms" or 250.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var ms float64
		if err := json.Unmarshal(b, &ms); err != nil {
			return fmt.Errorf("duration must be a string like \"250ms\" or milliseconds")
		}
		*d = Duration(ms * float64(time.Millisecond))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %w", s, err)
	}
	*d = Duration(v)
	return nil
}

// set assigns one field by its JSON name, for flags like population.capacity=64.
func (s *Settings) set(field, value string) error {
	var err error
	switch field {
	case "latency_median", "latency":
		var v time.Duration
		v, err = time.ParseDuration(value)
		s.LatencyMedian = Duration(v)
	case "latency_p99", "p99":
		var v time.Duration
		v, err = time.ParseDuration(value)
		s.LatencyP99 = Duration(v)
	case "capacity":
		s.Capacity, err = strconv.Atoi(value)
	case "queue_limit":
		s.QueueLimit, err = strconv.Atoi(value)
	case "error_rate":
		s.ErrorRate, err = strconv.ParseFloat(value, 64)
	case "down":
		s.Down, err = strconv.ParseBool(value)
	case "hang":
		s.Hang, err = strconv.ParseBool(value)
	default:
		return fmt.Errorf("unknown knob %q", field)
	}
	if err != nil {
		return fmt.Errorf("knob %s=%q: %w", field, value, err)
	}
	return nil
}
