package fault

import (
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/thongsuot/thongsuot/scenarios"
)

// resetPeer resets the connection (TCP RST) timeout after data arrives (at once
// without timeout).
func resetPeer(f scenarios.Fault, _ time.Duration) toxic {
	t := toxic{typ: "reset_peer", attrs: toxiproxy.Attributes{"timeout": millis(f.Timeout)}, params: map[string]string{}}
	if f.Timeout != nil {
		t.params["timeout"] = f.Timeout.String()
	}
	return t
}
