package fault

import (
	"time"

	"github.com/thongsuot/thongsuot/scenarios"
)

// resetPeer resets the connection (TCP RST) timeout after data arrives (at once
// without timeout).
func resetPeer(f scenarios.Fault, _ time.Duration) toxic {
	return durationToxic("reset_peer", "timeout", f.Timeout)
}
