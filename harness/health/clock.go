package health

import "time"

// epoch anchors monotonic readings: time.Since uses the monotonic clock.
var epoch = time.Now()

func monotonicSeconds() float64 { return time.Since(epoch).Seconds() }
