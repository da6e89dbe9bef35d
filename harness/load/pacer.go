// Package load generates the traffic of a run: a pacer that follows any rate curve on
// the scenario clock (vegeta's Pacer interface), the request classes of the mix, the
// virtual users behind them, and the attack that sends them through vegeta's attacker
// while telling which sends were late.
package load

import (
	"math"
	"sort"
	"time"
)

// maxPacerSteps bounds the pacer's table: a 10-minute run is tabulated every 12 ms.
const maxPacerSteps = 50_000

// Pacer paces an open-model arrival process along a rate function of wall time. It
// implements vegeta.Pacer. It tabulates the expected number of arrivals so that it can
// also say when any arrival was meant to happen — the reference for late sends.
//
// Arrival n (counting from 0) is due when the expected count reaches n + ½, so arrivals
// sit in the middle of their slots and none fires where the rate is zero.
type Pacer struct {
	rate     func(wall time.Duration) float64
	duration time.Duration
	step     time.Duration
	cum      []float64 // cum[i]: expected arrivals in [0, i·step)
}

// NewPacer tabulates rate (requests per wall second at each wall offset) over duration.
func NewPacer(rate func(wall time.Duration) float64, duration time.Duration) *Pacer {
	step := max(time.Millisecond, duration/maxPacerSteps)
	n := int(duration/step) + 1
	p := &Pacer{rate: rate, duration: duration, step: step, cum: make([]float64, n+1)}
	prev := max(rate(0), 0)
	for i := 1; i <= n; i++ {
		t := min(time.Duration(i)*step, duration)
		dt := (t - time.Duration(i-1)*step).Seconds()
		if dt < 0 {
			dt = 0
		}
		cur := max(rate(t), 0)
		p.cum[i] = p.cum[i-1] + (prev+cur)/2*dt
		prev = cur
	}
	return p
}

// Pace says how long to wait before arrival number hits; it stops at the end of the curve.
func (p *Pacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	due, ok := p.Intended(hits)
	if !ok {
		return 0, true
	}
	if due <= elapsed {
		return 0, false
	}
	return due - elapsed, false
}

// Rate is the arrival rate, per second, at wall offset elapsed.
func (p *Pacer) Rate(elapsed time.Duration) float64 { return p.rate(elapsed) }

// Hits is the expected number of arrivals in [0, elapsed).
func (p *Pacer) Hits(elapsed time.Duration) float64 {
	elapsed = min(max(elapsed, 0), p.duration)
	i := int(elapsed / p.step)
	if i >= len(p.cum)-1 {
		return p.cum[len(p.cum)-1]
	}
	frac := float64(elapsed-time.Duration(i)*p.step) / float64(p.step)
	return p.cum[i] + frac*(p.cum[i+1]-p.cum[i])
}

// Total is the expected number of arrivals over the whole curve.
func (p *Pacer) Total() float64 { return p.cum[len(p.cum)-1] }

// Count is how many arrivals are due in the wall span [from, to): exactly the ones the
// generator sends then, where Hits is the smooth expectation.
func (p *Pacer) Count(from, to time.Duration) int { return p.before(to) - p.before(from) }

// before is how many arrivals are due before t: arrival n is due at Intended(n), which
// grows with n.
func (p *Pacer) before(t time.Duration) int {
	n := int(math.Floor(p.Total() + 0.5)) // arrival n exists while n + ½ ≤ Total
	return sort.Search(n, func(i int) bool {
		due, _ := p.Intended(uint64(i))
		return due >= t
	})
}

// Intended is the wall offset at which arrival n is due, and false when the curve ends
// before it.
func (p *Pacer) Intended(n uint64) (time.Duration, bool) {
	target := float64(n) + 0.5
	if target > p.Total() {
		return 0, false
	}
	i := sort.SearchFloat64s(p.cum, target) // first i with cum[i] >= target; i ≥ 1
	lo, hi := p.cum[i-1], p.cum[i]
	frac := 1.0
	if hi > lo {
		frac = (target - lo) / (hi - lo)
	}
	t := time.Duration(i-1)*p.step + time.Duration(math.Round(frac*float64(p.step)))
	return min(t, p.duration), true
}
