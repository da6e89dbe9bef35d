package registry

import (
	"net/http"
	"sync"
	"time"

	"github.com/thongsuot/thongsuot/stubs/jsonapi"
)

// Entry is one applied write: its effect happened once, however many requests
// carried its idempotency key.
type Entry struct {
	Registry string         `json:"registry"`
	Kind     string         `json:"kind"`
	Key      string         `json:"key"`
	Requests int            `json:"requests"` // including replays
	Result   map[string]any `json:"result"`
	At       time.Time      `json:"at"`
}

// ledger remembers writes by key so a retry gets the first answer instead of a
// second effect — the property the portal's outbox relies on.
type ledger struct {
	mu    sync.Mutex
	byKey map[string]*Entry
	order []*Entry
}

func newLedger() *ledger { return &ledger{byKey: map[string]*Entry{}} }

// apply runs effect once per (registry, kind, key) and returns its result and
// whether this call was a replay.
func (l *ledger) apply(registry, kind, key string, effect func() map[string]any) (map[string]any, bool) {
	id := registry + "\x00" + kind + "\x00" + key
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.byKey[id]; ok {
		e.Requests++
		return e.Result, true
	}
	e := &Entry{Registry: registry, Kind: kind, Key: key, Requests: 1, Result: effect(), At: time.Now()}
	l.byKey[id] = e
	l.order = append(l.order, e)
	return e.Result, false
}

func (l *ledger) entries() []Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Entry, len(l.order))
	for i, e := range l.order {
		out[i] = *e
	}
	return out
}

func (s *Server) handleLedger(w http.ResponseWriter, r *http.Request) {
	all := s.ledger.entries()
	if reg := r.URL.Query().Get("registry"); reg != "" {
		kept := all[:0]
		for _, e := range all {
			if e.Registry == reg {
				kept = append(kept, e)
			}
		}
		all = kept
	}
	jsonapi.Write(w, http.StatusOK, map[string]any{"entries": all})
}
