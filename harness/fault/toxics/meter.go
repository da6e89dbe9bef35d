package toxics

import (
	"sync"
	"sync/atomic"

	"github.com/Shopify/toxiproxy/v2/stream"
	"github.com/Shopify/toxiproxy/v2/toxics"
)

// Meter is the type name of the meter toxic.
const Meter = "meter"

// MeterToxic counts the bytes that enter its stream and passes them on untouched. The
// runtime puts one first on each direction of every link, so a link's counts are what
// its clients sent into it, whatever toxics delay it after. The counts live in this
// process under the toxic's key (Meters): readable where the toxiproxy server runs,
// and over its API (Meters) from elsewhere.
type MeterToxic struct {
	Key string `json:"key"`
}

func (t *MeterToxic) Pipe(stub *toxics.ToxicStub) {
	n := meterFor(t.Key)
	pipe(stub, func(c *stream.StreamChunk) bool {
		n.Add(int64(len(c.Data)))
		stub.Output <- c
		return true
	})
}

var meters sync.Map // key → *atomic.Int64

func meterFor(key string) *atomic.Int64 {
	v, _ := meters.LoadOrStore(key, new(atomic.Int64))
	return v.(*atomic.Int64)
}

// Meters are the counts of every meter toxic in this process, by key: what the
// toxiproxy server's process serves to a harness in another process (MetersPath).
func Meters() map[string]int64 {
	out := map[string]int64{}
	meters.Range(func(k, v any) bool {
		out[k.(string)] = v.(*atomic.Int64).Load()
		return true
	})
	return out
}

// ForgetMeter drops key's count: its link is gone.
func ForgetMeter(key string) { meters.Delete(key) }
