package fault

import "sync"

// link is a proxy as the schedule shares it between faults: overlapping down faults on
// one link keep it down until the last of them ends.
type link struct {
	Proxy
	mu    sync.Mutex
	downs int
}

// down disables the proxy: its listener closes and every connection through it drops,
// so clients get connection errors (counted as unavailability) until it is enabled.
func down(l *link) effect {
	return effect{
		apply: func() error {
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.downs == 0 {
				if err := l.Disable(); err != nil {
					return err
				}
			}
			l.downs++
			return nil
		},
		remove: func() error {
			l.mu.Lock()
			defer l.mu.Unlock()
			l.downs--
			if l.downs == 0 {
				return l.Enable()
			}
			return nil
		},
		params: map[string]string{},
	}
}
