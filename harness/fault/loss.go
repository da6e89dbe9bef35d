package fault

import (
	"strconv"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/thongsuot/thongsuot/harness/fault/toxics"
	"github.com/thongsuot/thongsuot/scenarios"
)

// loss loses a share of packets, which TCP turns into retransmission delay (the custom
// loss toxic: see its documentation for what the model leaves out).
func loss(f scenarios.Fault, _ time.Duration) toxic {
	retransmit := &scenarios.Duration{Duration: scenarios.DefaultRetransmit}
	if f.Retransmit != nil {
		retransmit = f.Retransmit
	}
	return toxic{typ: toxics.Loss,
		attrs: toxiproxy.Attributes{"probability": float64(*f.Loss), "retransmit": millis(retransmit)},
		params: map[string]string{"loss": strconv.FormatFloat(float64(*f.Loss)*100, 'g', -1, 64) + "%",
			"retransmit": retransmit.String()}}
}
