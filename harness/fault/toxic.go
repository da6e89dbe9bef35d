// Package fault applies a scenario's faults on its clock: each fault becomes a toxic
// (or a disabled proxy) on one link at its scenario time, is removed after its wall
// duration, and is written to the journal as it actually happened.
package fault

import (
	"fmt"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

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

// injection is one fault made concrete: how to apply it and how to take it away.
type injection struct {
	apply, remove func() error
	params        map[string]string
}

func inject(name string, f scenarios.Fault, p Proxy) (injection, error) {
	switch f.Toxic {
	case scenarios.ToxicDown:
		return injection{apply: p.Disable, remove: p.Enable}, nil
	case scenarios.ToxicLatency:
		attrs := toxiproxy.Attributes{"latency": f.Latency.Milliseconds()}
		params := map[string]string{"latency": f.Latency.String(), "stream": f.Stream}
		if f.Jitter != nil {
			attrs["jitter"] = f.Jitter.Milliseconds()
			params["jitter"] = f.Jitter.String()
		}
		return injection{
			apply: func() error {
				_, err := p.AddToxic(name, f.Toxic, f.Stream, float32(*f.Toxicity), attrs)
				return err
			},
			remove: func() error { return p.RemoveToxic(name) },
			params: params,
		}, nil
	}
	return injection{}, fmt.Errorf("toxic %q is not supported", f.Toxic)
}
