package load

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

var _ vegeta.Pacer = (*Pacer)(nil)

func TestPacerFollowsTheCurve(t *testing.T) {
	tests := []struct {
		name     string
		rate     func(time.Duration) float64
		duration time.Duration
		total    float64
	}{
		{"constant", func(time.Duration) float64 { return 100 }, 10 * time.Second, 1000},
		{"ramp 0 to 200", func(e time.Duration) float64 { return 200 * e.Seconds() / 10 }, 10 * time.Second, 1000},
		{"step", func(e time.Duration) float64 {
			if e < 5*time.Second {
				return 10
			}
			return 190
		}, 10 * time.Second, 1000},
		{"silent", func(time.Duration) float64 { return 0 }, time.Second, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPacer(tt.rate, tt.duration)
			assert.InDelta(t, tt.total, p.Total(), tt.total*0.002+0.5)
			// Walk the pacer as vegeta's attack loop does, with a simulated clock, and
			// count arrivals per second against the integral of the rate.
			var elapsed time.Duration
			perSecond := map[int]int{}
			for hits := uint64(0); ; hits++ {
				wait, stop := p.Pace(elapsed, hits)
				if stop {
					break
				}
				elapsed += wait
				perSecond[int(elapsed/time.Second)]++
				require.Less(t, hits, uint64(tt.total*2+10), "the pacer must stop")
			}
			for s := 0; s < int(tt.duration/time.Second); s++ {
				want := p.Hits(time.Duration(s+1)*time.Second) - p.Hits(time.Duration(s)*time.Second)
				assert.InDelta(t, want, perSecond[s], 1.01, "second %d", s)
			}
		})
	}
}

func TestPacerIntendedIsMonotonic(t *testing.T) {
	p := NewPacer(func(e time.Duration) float64 { return 50 + 40*e.Seconds() }, 5*time.Second)
	prev := time.Duration(-1)
	for n := uint64(0); ; n++ {
		due, ok := p.Intended(n)
		if !ok {
			assert.InDelta(t, p.Total(), float64(n), 1)
			break
		}
		require.GreaterOrEqual(t, due, prev)
		prev = due
	}
}

func TestCurveEvents(t *testing.T) {
	s := parseLoad(t, `
  baseline: 100/s
  events:
    - ramp: {from: +0m, to: +10m, from_factor: 0, to_factor: 1}
    - step: {at: +20m, until: +30m, factor: 3}`)
	curves, err := NewCurves(s)
	require.NoError(t, err)
	c := curves[0]
	start := s.Clock.Start.Time
	tests := []struct {
		at   time.Duration
		want float64
	}{
		{0, 0},
		{5 * time.Minute, 50},
		{15 * time.Minute, 100},
		{25 * time.Minute, 300},
		{30 * time.Minute, 100},
	}
	for _, tt := range tests {
		assert.InDelta(t, tt.want, c.At(start.Add(tt.at)), 1e-9, "at +%s", tt.at)
	}
}

func BenchmarkPacerPace(b *testing.B) {
	p := NewPacer(func(e time.Duration) float64 { return 1000 + 500*e.Seconds() }, 10*time.Minute)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.Pace(time.Duration(i)*time.Microsecond, uint64(i%500_000))
	}
}
