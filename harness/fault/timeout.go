package fault

import (
	"time"

	"github.com/thongsuot/thongsuot/scenarios"
)

// timeout stops all data on the stream and closes the connection after timeout; with
// timeout 0 it holds the connection open with nothing passing until the fault ends.
func timeout(f scenarios.Fault, _ time.Duration) toxic {
	return durationToxic("timeout", "timeout", f.Timeout)
}
