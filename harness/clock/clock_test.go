package clock

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestClockConversions(t *testing.T) {
	ict := time.FixedZone("ICT", 7*3600)
	start := time.Date(2025, 6, 27, 18, 0, 0, 0, ict)
	tests := []struct {
		name     string
		compress float64
		end      time.Time
		wall     time.Duration
	}{
		{"24 days at 2880x is 12 minutes", 2880, start.Add(24 * 24 * time.Hour), 12 * time.Minute},
		{"real time", 1, start.Add(90 * time.Second), 90 * time.Second},
		{"20 minutes at 60x", 60, start.Add(20 * time.Minute), 20 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Clock{Start: start, End: tt.end, Compress: tt.compress}
			assert.Equal(t, tt.wall, c.WallDuration())
			assert.Equal(t, tt.wall, c.ToWall(tt.end))
			assert.True(t, tt.end.Equal(c.ToScenario(tt.wall)))
			assert.Equal(t, tt.end.Sub(start), c.ScenarioSpan(c.WallSpan(tt.end.Sub(start))))
		})
	}
}
