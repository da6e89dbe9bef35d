package census

// rng is splitmix64: tiny, fast and good enough for synthetic data; the standard
// library's generators are either global or too heavy to create per citizen.
type rng struct{ state uint64 }

func (r *rng) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	return mix(r.state)
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Uint64 is a deterministic hash of the seed and the given values, for other stubs
// that derive data (insurance numbers, land parcels) from a citizen.
func (c *Census) Uint64(vals ...uint64) uint64 {
	h := c.seed
	for _, v := range vals {
		h = mix(h ^ v)
	}
	return h
}
