package load

import "time"

// Integrate is the number of arrivals the curve asks for over scenario time [from, to)
// at scale 1 (Simpson's rule on one-minute steps; events with sharper edges than that
// are rare and cost at most a minute's traffic each).
func (c Curve) Integrate(from, to time.Time) float64 {
	const step = time.Minute
	n := int(to.Sub(from) / step)
	if n%2 == 1 {
		n++
	}
	if n == 0 {
		return 0
	}
	h := to.Sub(from) / time.Duration(n)
	sum := c.At(from) + c.At(to)
	for i := 1; i < n; i++ {
		w := 2.0
		if i%2 == 1 {
			w = 4
		}
		sum += w * c.At(from.Add(time.Duration(i)*h))
	}
	return sum * h.Seconds() / 3
}
