package load

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// An attacker that begins after the schedule's offset 0 sends what fell due meanwhile
// at once and the rest on time; one that begins before it waits.
func TestFromStartKeepsTheSchedule(t *testing.T) {
	every := NewPacer(func(time.Duration) float64 { return 10 }, 10*time.Second) // arrival n due at 50 ms + n·100 ms
	tests := []struct {
		name     string
		lag      time.Duration
		elapsed  time.Duration
		hits     uint64
		wantWait time.Duration
	}{
		{"on time", 0, 0, 0, 50 * time.Millisecond},
		{"begun 120 ms late: arrival 0 at once", 120 * time.Millisecond, 0, 0, 0},
		{"begun 120 ms late: arrival 1 30 ms on", 120 * time.Millisecond, 0, 1, 30 * time.Millisecond},
		{"begun 120 ms late: arrival 2 on time", 120 * time.Millisecond, 0, 2, 130 * time.Millisecond},
		{"begun 30 ms early", -30 * time.Millisecond, 0, 0, 80 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wait, stop := fromStart{Arrivals: every, lag: tt.lag}.Pace(tt.elapsed, tt.hits)
			assert.False(t, stop)
			assert.InDelta(t, tt.wantWait, wait, float64(2*time.Millisecond))
		})
	}
}
