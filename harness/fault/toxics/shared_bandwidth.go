package toxics

import (
	"sync"
	"time"

	"github.com/Shopify/toxiproxy/v2/stream"
	"github.com/Shopify/toxiproxy/v2/toxics"
	"golang.org/x/time/rate"
)

// bandwidthAttrs are the attributes of both bandwidth toxics, in toxiproxy's unit.
type bandwidthAttrs struct {
	Rate   int64 `json:"rate"`              // KB/s (1000 bytes)
	RampTo int64 `json:"ramp_to,omitempty"` // KB/s at the end of the ramp (0: no ramp)
	RampMs int64 `json:"ramp_ms,omitempty"` // ramp length, ms from when the toxic is added
}

func (a bandwidthAttrs) ramp(added time.Time) ramp {
	r := ramp{from: float64(a.Rate), to: float64(a.Rate), start: added}
	if a.RampTo > 0 && a.RampMs > 0 {
		r.to, r.over = float64(a.RampTo), time.Duration(a.RampMs)*time.Millisecond
	}
	return r
}

// SharedBandwidthToxic passes data at a limited rate summed over every connection of the
// proxy in its direction: one token bucket for all of them. toxiproxy creates one toxic
// value per proxy and stream and hands it to every connection, so the bucket lives on
// the toxic.
type SharedBandwidthToxic struct {
	s      settings[bandwidthAttrs]
	once   sync.Once
	bucket *rate.Limiter
}

func (t *SharedBandwidthToxic) ramp() ramp { a, added := t.s.get(); return a.ramp(added) }

func (t *SharedBandwidthToxic) UnmarshalJSON(data []byte) error { return t.s.unmarshal(data) }
func (t *SharedBandwidthToxic) MarshalJSON() ([]byte, error)    { return t.s.marshal() }

func (t *SharedBandwidthToxic) Pipe(stub *toxics.ToxicStub) {
	t.once.Do(func() { t.bucket = newBucket(t.ramp()) })
	pipeLimited(stub, t.bucket, t.ramp)
}

// BandwidthRampToxic is toxiproxy's bandwidth toxic (each connection limited on its own)
// with a rate that can ramp.
type BandwidthRampToxic struct {
	s settings[bandwidthAttrs]
}

func (t *BandwidthRampToxic) ramp() ramp { a, added := t.s.get(); return a.ramp(added) }

func (t *BandwidthRampToxic) UnmarshalJSON(data []byte) error { return t.s.unmarshal(data) }
func (t *BandwidthRampToxic) MarshalJSON() ([]byte, error)    { return t.s.marshal() }

// NewState gives each connection its own bucket.
func (t *BandwidthRampToxic) NewState() any { return newBucket(t.ramp()) }

func (t *BandwidthRampToxic) Pipe(stub *toxics.ToxicStub) {
	pipeLimited(stub, stub.State.(*rate.Limiter), t.ramp)
}

// burstWindow is how much data a bucket may pass at once, as time at its rate: small, so
// that the rate holds over short measurements; never below one packet.
const (
	burstWindow = 20 * time.Millisecond
	minBurst    = 1500
)

// newBucket is a token bucket at the ramp's current rate, full.
func newBucket(r ramp) *rate.Limiter {
	bytesPerSec := r.at(time.Now()) * 1000
	return rate.NewLimiter(rate.Limit(bytesPerSec), burst(bytesPerSec))
}

func burst(bytesPerSec float64) int { return max(int(bytesPerSec*burstWindow.Seconds()), minBurst) }

// pipeLimited passes chunks through bucket, in pieces no larger than its burst, with
// the bucket's rate following the ramp (in KB/s).
func pipeLimited(stub *toxics.ToxicStub, bucket *rate.Limiter, current func() ramp) {
	pipe(stub, func(c *stream.StreamChunk) bool {
		for data := c.Data; len(data) > 0; {
			now := time.Now()
			bytesPerSec := current().at(now) * 1000
			if bucket.Limit() != rate.Limit(bytesPerSec) {
				bucket.SetLimitAt(now, rate.Limit(bytesPerSec))
				bucket.SetBurstAt(now, burst(bytesPerSec))
			}
			n := min(len(data), bucket.Burst())
			r := bucket.ReserveN(now, n)
			if !r.OK() { // the burst shrank under a concurrent ramp step: try again
				continue
			}
			piece := &stream.StreamChunk{Data: data[:n], Timestamp: c.Timestamp}
			data = data[n:]
			if !hold(stub, piece, r.DelayFrom(now)) {
				if len(data) > 0 {
					stub.Output <- &stream.StreamChunk{Data: data, Timestamp: c.Timestamp}
				}
				return false
			}
		}
		return true
	})
}
