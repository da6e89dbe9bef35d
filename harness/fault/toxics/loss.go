package toxics

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/Shopify/toxiproxy/v2/stream"
	"github.com/Shopify/toxiproxy/v2/toxics"
)

type lossAttrs struct {
	Probability float64 `json:"probability"`       // share of packets lost, 0..1
	Retransmit  int64   `json:"retransmit"`        // ms a lost packet holds its connection up
	Segment     int     `json:"segment,omitempty"` // bytes per packet [1460, an Ethernet TCP segment]
}

const defaultSegment = 1460

// LossToxic models packet loss as an application over TCP sees it. toxiproxy works on
// the byte stream, below which TCP has already recovered every lost packet, so loss
// cannot be dropped bytes here; what reaches the application is delay. A chunk of n
// bytes spans ⌈n/segment⌉ packets; with probability 1-(1-p)^packets at least one was
// lost, and the chunk — and, TCP being in order, everything behind it on the
// connection — waits one retransmission timeout. Not modelled: congestion-window
// shrinkage after a loss (throughput dips), repeated losses of one packet (exponential
// back-off), and connections given up after too many.
type LossToxic struct {
	s settings[lossAttrs]
}

func (t *LossToxic) UnmarshalJSON(data []byte) error { return t.s.unmarshal(data) }
func (t *LossToxic) MarshalJSON() ([]byte, error)    { return t.s.marshal() }

// lost reports whether a chunk of n bytes lost a packet.
func (a lossAttrs) lost(n int) bool {
	seg := a.Segment
	if seg <= 0 {
		seg = defaultSegment
	}
	packets := float64(max((n+seg-1)/seg, 1))
	return rand.Float64() < 1-math.Pow(1-a.Probability, packets)
}

func (t *LossToxic) Pipe(stub *toxics.ToxicStub) {
	pipe(stub, func(c *stream.StreamChunk) bool {
		a, _ := t.s.get()
		var wait time.Duration
		if a.lost(len(c.Data)) {
			wait = time.Duration(a.Retransmit) * time.Millisecond
		}
		return hold(stub, c, wait)
	})
}
