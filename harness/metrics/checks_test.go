package metrics

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// A window counts the answers whose journey step's checks failed (the load marks them
// with CheckFailedPrefix), keeps why, and merges the count.
func TestWindowsCountFailedChecks(t *testing.T) {
	w := newWindow(0, "j.open", 0, time.Time{})
	assert.True(t, math.IsNaN(w.ChecksHeld()), "nothing answered: nothing to judge")
	why := CheckFailedPrefix + `state is "x", want "ok"`
	w.add(&vegeta.Result{Code: 200, Latency: time.Millisecond, Error: why}, false, "", "")
	w.add(&vegeta.Result{Code: 200, Latency: time.Millisecond}, false, "", "")
	w.add(&vegeta.Result{Code: 503, Latency: time.Millisecond, Error: "503 Service Unavailable"}, false, "", "")
	assert.Equal(t, int64(1), w.ChecksFailed)
	assert.Equal(t, map[string]int64{why: 1}, w.Errors, "a check's reason is kept; a 503's status text is not")
	assert.InDelta(t, 50, w.ChecksHeld(), 1e-9, "of the two answers, one held its checks")
	o := newWindow(0, "j.open", 0, time.Time{})
	o.add(&vegeta.Result{Code: 200, Latency: time.Millisecond, Error: why}, false, "", "")
	w.Merge(o)
	assert.Equal(t, int64(2), w.ChecksFailed)
}
