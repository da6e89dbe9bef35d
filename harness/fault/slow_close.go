package fault

import (
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/thongsuot/thongsuot/scenarios"
)

// slowClose delays closing the connection by delay once the other side has closed.
func slowClose(f scenarios.Fault, _ time.Duration) toxic {
	return toxic{typ: "slow_close", attrs: toxiproxy.Attributes{"delay": millis(f.Delay)},
		params: map[string]string{"delay": f.Delay.String()}}
}
