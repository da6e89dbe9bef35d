package fault

import (
	"time"

	"github.com/thongsuot/thongsuot/harness/clock"
	"github.com/thongsuot/thongsuot/scenarios"
)

// flapWindows are a flap's cycles: on for down_for at the start of each period.
func flapWindows(start time.Duration, fl scenarios.Flap, c clock.Clock) []Window {
	period, on := fl.Period.OnWall(c), fl.DownFor.OnWall(c)
	ws := make([]Window, fl.Count)
	for i := range ws {
		s := start + time.Duration(i)*period
		ws[i] = Window{Start: s, End: s + on}
	}
	return ws
}
