package metrics

import "time"

// LinkWindow is what one link carried during one window of the run, each way, as its
// meter counted it: plain counters, so that shards' windows add up.
type LinkWindow struct {
	Index    int           `json:"index"`
	Link     string        `json:"link"`
	Start    time.Duration `json:"start"`          // wall offset from the run start, ns
	Scenario time.Time     `json:"scenario_start"` // scenario time at Start
	Up       int64         `json:"bytes_up"`       // towards the role the link leads to
	Down     int64         `json:"bytes_down"`     // back to the link's clients
}

// Bytes are the bytes on the wire one way and the other: In answers received, Out
// requests sent, headers included.
type Bytes struct {
	In  int64 `json:"in"`
	Out int64 `json:"out"`
}

// Mbps is bytes over a span, in megabits per second.
func Mbps(bytes int64, span time.Duration) float64 {
	if span <= 0 {
		return 0
	}
	return float64(bytes) * 8 / 1e6 / span.Seconds()
}
