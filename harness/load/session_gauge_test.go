package load

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The gauge integrates the sessions in progress over time and sums the lengths of those
// that ended: Little's law (area = Σ lengths once all have ended) holds by construction.
func TestSessionGaugeIntegrates(t *testing.T) {
	start := time.Now()
	g := NewSessionGauge(start)
	end1 := g.Begin()
	end2 := g.Begin()
	time.Sleep(40 * time.Millisecond)
	end1()
	c := g.Take(time.Now())
	assert.Equal(t, int64(1), c.InFlight)
	assert.Equal(t, int64(2), c.Peak)
	assert.Equal(t, int64(2), c.Started)
	assert.Equal(t, int64(1), c.Ended)
	time.Sleep(40 * time.Millisecond)
	end2()
	c = g.Take(time.Now())
	assert.Equal(t, int64(1), c.Peak, "a new peak from the last reading: one was in progress then")
	assert.Zero(t, c.InFlight)
	assert.InDelta(t, c.Length, c.Area, 0.005, "every session ended: the area is the sum of their lengths")
	assert.Greater(t, c.Area, 0.1, "two for 40 ms, one for 40 more")

	var none *SessionGauge
	none.Begin()()
	assert.Zero(t, none.InFlight())
	assert.Equal(t, SessionCount{}, none.Take(time.Now()))
}
