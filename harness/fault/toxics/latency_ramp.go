package toxics

import (
	"math/rand/v2"
	"time"

	"github.com/Shopify/toxiproxy/v2/stream"
	"github.com/Shopify/toxiproxy/v2/toxics"
)

type latencyAttrs struct {
	Latency int64 `json:"latency"`           // ms
	Jitter  int64 `json:"jitter,omitempty"`  // ms, ±
	RampTo  int64 `json:"ramp_to,omitempty"` // ms at the end of the ramp
	RampMs  int64 `json:"ramp_ms,omitempty"` // ramp length, ms from when the toxic is added
}

// LatencyRampToxic is toxiproxy's latency toxic with a latency that moves linearly from
// latency to ramp_to over ramp_ms.
type LatencyRampToxic struct {
	s settings[latencyAttrs]
}

func (t *LatencyRampToxic) UnmarshalJSON(data []byte) error { return t.s.unmarshal(data) }
func (t *LatencyRampToxic) MarshalJSON() ([]byte, error)    { return t.s.marshal() }

// GetBufferSize lets chunks queue behind a delayed one, as toxiproxy's latency toxic does.
func (t *LatencyRampToxic) GetBufferSize() int { return 1024 }

func (t *LatencyRampToxic) delay(now time.Time) time.Duration {
	a, added := t.s.get()
	r := ramp{from: float64(a.Latency), to: float64(a.RampTo), start: added, over: time.Duration(a.RampMs) * time.Millisecond}
	ms := r.at(now)
	if a.Jitter > 0 {
		ms += float64(rand.Int64N(2*a.Jitter) - a.Jitter)
	}
	return time.Duration(ms * float64(time.Millisecond))
}

func (t *LatencyRampToxic) Pipe(stub *toxics.ToxicStub) {
	pipe(stub, func(c *stream.StreamChunk) bool {
		// As toxiproxy's latency toxic: the delay counts from when the chunk was read.
		sleep := t.delay(time.Now()) - time.Since(c.Timestamp)
		c.Timestamp = c.Timestamp.Add(max(sleep, 0))
		return hold(stub, c, sleep)
	})
}
