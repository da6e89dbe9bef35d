// Package toxics holds thongsuot's custom toxiproxy toxics. Importing it registers them
// with toxiproxy (toxics.Register), so a toxiproxy server running in this binary — the
// embedded runtime's, or `thongsuot` serving toxiproxy in a container — offers them
// beside toxiproxy's own:
//
//   - shared_bandwidth: one token bucket for all connections of a proxy (a commune's
//     uplink is shared; toxiproxy's bandwidth toxic limits each connection separately);
//   - bandwidth_ramp and latency_ramp: bandwidth or latency moving linearly over a window;
//   - loss: packet loss as TCP shows it to applications, a retransmission delay;
//   - meter: counts the bytes a link carries each way (the link byte counters).
//
// Ramps compute their value from the time since the toxic was added instead of being
// updated on a tick: toxiproxy's update interrupts every connection's toxic, and the
// latency and bandwidth toxics then release the chunk they hold at once, so frequent
// updates would cut every delay short.
//
// Settings are guarded by a lock: toxiproxy decodes an update into the live toxic while
// connections use it.
package toxics

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/Shopify/toxiproxy/v2/stream"
	"github.com/Shopify/toxiproxy/v2/toxics"
)

// The type names the custom toxics are registered under.
const (
	SharedBandwidth = "shared_bandwidth"
	BandwidthRamp   = "bandwidth_ramp"
	LatencyRamp     = "latency_ramp"
	Loss            = "loss"
)

func init() {
	toxics.Register(SharedBandwidth, new(SharedBandwidthToxic))
	toxics.Register(BandwidthRamp, new(BandwidthRampToxic))
	toxics.Register(LatencyRamp, new(LatencyRampToxic))
	toxics.Register(Loss, new(LossToxic))
	toxics.Register(Meter, new(MeterToxic))
}

// ramp is a value moving linearly from from to to over a span that starts when the
// toxic is added; over 0 holds from.
type ramp struct {
	from, to float64
	start    time.Time
	over     time.Duration
}

func (r ramp) at(now time.Time) float64 {
	if r.over <= 0 {
		return r.from
	}
	f := float64(now.Sub(r.start)) / float64(r.over)
	f = min(max(f, 0), 1)
	return r.from + f*(r.to-r.from)
}

// settings holds a toxic's JSON attributes behind a lock, with the time they were
// first set (the start of any ramp).
type settings[T any] struct {
	mu    sync.RWMutex
	v     T
	added time.Time
}

func (s *settings[T]) get() (T, time.Time) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.v, s.added
}

func (s *settings[T]) unmarshal(data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.v
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	s.v = v
	if s.added.IsZero() {
		s.added = time.Now()
	}
	return nil
}

func (s *settings[T]) marshal() ([]byte, error) {
	v, _ := s.get()
	return json.Marshal(v)
}

// pipe passes every chunk to handle until the toxic is interrupted or the stream ends;
// handle reports false when it saw the interrupt itself.
func pipe(stub *toxics.ToxicStub, handle func(c *stream.StreamChunk) bool) {
	for {
		select {
		case <-stub.Interrupt:
			return
		case c := <-stub.Input:
			if c == nil {
				stub.Close()
				return
			}
			if !handle(c) {
				return
			}
		}
	}
}

// hold waits d before passing c on; if the toxic is interrupted meanwhile it passes c
// on at once (never dropping data, as toxiproxy's own toxics do) and reports false.
func hold(stub *toxics.ToxicStub, c *stream.StreamChunk, d time.Duration) bool {
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-stub.Interrupt:
			stub.Output <- c
			return false
		}
	}
	stub.Output <- c
	return true
}
