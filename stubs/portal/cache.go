package portal

import (
	"sync"
	"time"
)

// expiring is a small map whose entries lapse at their own deadline. It bounds
// its size crudely (drop lapsed entries, then everything) because what it saves
// — a signature check, a registry round trip — is cheap to redo.
type expiring[V any] struct {
	mu  sync.Mutex
	m   map[string]expiringEntry[V]
	max int
}

type expiringEntry[V any] struct {
	v     V
	until time.Time
}

func newExpiring[V any](max int) *expiring[V] {
	return &expiring[V]{m: map[string]expiringEntry[V]{}, max: max}
}

func (c *expiring[V]) get(k string, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || now.After(e.until) {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (c *expiring[V]) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
}

func (c *expiring[V]) put(k string, v V, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		now := time.Now()
		for key, e := range c.m {
			if now.After(e.until) {
				delete(c.m, key)
			}
		}
		if len(c.m) >= c.max {
			clear(c.m)
		}
	}
	c.m[k] = expiringEntry[V]{v, until}
}
