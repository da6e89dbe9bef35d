package fault

import (
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/thongsuot/thongsuot/harness/fault/toxics"
	"github.com/thongsuot/thongsuot/scenarios"
)

// bandwidth caps each connection at the bandwidth (toxiproxy's bandwidth toxic); with a
// ramp, at a rate moving linearly to ramp.bandwidth (the custom bandwidth_ramp).
func bandwidth(f scenarios.Fault, span time.Duration) toxic {
	t := rateToxic("bandwidth", f, span)
	if f.Ramp != nil && f.Ramp.Bandwidth != nil {
		t.typ = toxics.BandwidthRamp
	}
	return t
}

// sharedBandwidth caps all the link's connections together (the custom
// shared_bandwidth: one token bucket per stream).
func sharedBandwidth(f scenarios.Fault, span time.Duration) toxic {
	return rateToxic(toxics.SharedBandwidth, f, span)
}

func rateToxic(typ string, f scenarios.Fault, span time.Duration) toxic {
	t := toxic{typ: typ, attrs: toxiproxy.Attributes{"rate": f.Bandwidth.KBps()},
		params: map[string]string{"bandwidth": f.Bandwidth.String()}}
	if f.Ramp != nil && f.Ramp.Bandwidth != nil {
		ramp(t, f.Ramp.Bandwidth.KBps(), f.Ramp.Bandwidth.String(), span)
	}
	return t
}
