package fault

import (
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/thongsuot/thongsuot/harness/fault/toxics"
	"github.com/thongsuot/thongsuot/scenarios"
)

// latency delays every chunk on the stream by latency ± jitter; with a ramp, by a
// latency moving linearly to ramp.latency across the window (the custom latency_ramp).
func latency(f scenarios.Fault, span time.Duration) toxic {
	t := toxic{typ: "latency", attrs: toxiproxy.Attributes{"latency": millis(f.Latency)},
		params: map[string]string{"latency": f.Latency.String()}}
	if f.Jitter != nil {
		t.attrs["jitter"] = millis(f.Jitter)
		t.params["jitter"] = f.Jitter.String()
	}
	if f.Ramp != nil && f.Ramp.Latency != nil {
		t.typ = toxics.LatencyRamp
		ramp(t, millis(f.Ramp.Latency), f.Ramp.Latency.String(), span)
	}
	return t
}
