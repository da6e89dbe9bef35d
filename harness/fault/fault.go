// Package fault applies a scenario's faults on its clock. Each fault becomes toxics
// (or a disabled proxy) on one link — for one window, for each cycle of a flap, or as a
// ramp across its window — and every window is written to the journal as it actually
// happened: start, end, link, toxic, parameters. Standing toxics of the link tiers go
// on at bring-up (Standing). One file per toxic, as in toxiproxy's toxics/; custom
// toxics live in the toxics subpackage.
package fault

import (
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/thongsuot/thongsuot/harness/clock"
	"github.com/thongsuot/thongsuot/scenarios"
)

// Proxy is the part of a toxiproxy proxy the fault engine drives; the client's
// *toxiproxy.Proxy implements it.
type Proxy interface {
	AddToxic(name, typeName, stream string, toxicity float32, attrs toxiproxy.Attributes) (*toxiproxy.Toxic, error)
	RemoveToxic(name string) error
	Disable() error
	Enable() error
}

// Window is when a fault is active, in wall offsets from the run start.
type Window struct{ Start, End time.Duration }

// Windows places a fault on the wall clock: its active windows, one (At through the
// clock, For as written: wall time, or scenario time through the clock) or one per
// cycle of a flap.
func Windows(f scenarios.Fault, c clock.Clock) []Window {
	start := c.ToWall(f.At.Time)
	if f.Flap != nil {
		return flapWindows(start, *f.Flap, c)
	}
	return []Window{{Start: start, End: start + f.For.OnWall(c)}}
}
