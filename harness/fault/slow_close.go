package fault

import (
	"time"

	"github.com/thongsuot/thongsuot/scenarios"
)

// slowClose delays closing the connection by delay once the other side has closed.
func slowClose(f scenarios.Fault, _ time.Duration) toxic {
	return durationToxic("slow_close", "delay", f.Delay)
}
