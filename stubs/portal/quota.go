package portal

import (
	"fmt"
	"net/http"
	"sync"

	"github.com/thongsuot/thongsuot/stubs/jsonapi"
)

// The quotas, by the name a refusal and the portal_quota_refusals_total series carry.
const (
	quotaCallerInFlight         = "caller_in_flight"
	quotaDossierAttachments     = "dossier_attachments"
	quotaDossierAttachmentBytes = "dossier_attachment_bytes"
	quotaCitizenAttachmentBytes = "citizen_attachment_bytes"
)

// quotaError is a refusal because a caller reached one of its quotas: 413 for
// storage, 429 for concurrency. The answer names the quota and its limit so a
// client can tell a quota from a transient failure.
type quotaError struct {
	code  int
	quota string
	limit int64
	msg   string
}

func (e *quotaError) Error() string { return e.msg }

func (s *Server) refuseQuota(w http.ResponseWriter, e *quotaError) {
	s.metrics.quotaRefused.WithLabelValues(e.quota).Inc()
	if e.code == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "1")
	}
	jsonapi.Write(w, e.code, map[string]any{"error": e.msg, "quota": e.quota, "limit": e.limit})
}

// callerLimit bounds the requests one authenticated caller (a token's subject) has
// in progress, counted from authentication to the answer — body reading included —
// so one account cannot take every admission slot or park hundreds of slow bodies.
type callerLimit struct {
	max int
	mu  sync.Mutex
	n   map[string]int
}

func newCallerLimit(max int) *callerLimit { return &callerLimit{max: max, n: map[string]int{}} }

// limit wraps next, which must run after authentication. A nil limit admits everyone.
func (l *callerLimit) limit(s *Server, next http.HandlerFunc) http.HandlerFunc {
	if l == nil {
		return next
	}
	return func(w http.ResponseWriter, r *http.Request) {
		sub := claimsFrom(r).Subject
		l.mu.Lock()
		if l.n[sub] >= l.max {
			l.mu.Unlock()
			s.refuseQuota(w, &quotaError{http.StatusTooManyRequests, quotaCallerInFlight, int64(l.max),
				fmt.Sprintf("too many requests in progress for this account (at most %d at once)", l.max)})
			return
		}
		l.n[sub]++
		l.mu.Unlock()
		defer func() {
			l.mu.Lock()
			if l.n[sub]--; l.n[sub] <= 0 {
				delete(l.n, sub) // the map holds only callers with requests in progress
			}
			l.mu.Unlock()
		}()
		next(w, r)
	}
}
