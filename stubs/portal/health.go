package portal

import (
	"context"
	"net/http"
	"time"

	"github.com/thongsuot/thongsuot/stubs/jsonapi"
)

// handleHealthz says the process is alive; it checks nothing else, so an
// orchestrator does not restart a portal whose dependency is down.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	jsonapi.Write(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReadyz says whether to send traffic: the store answers and the JWKS is
// loaded. Registries are deliberately not checked: the portal serves reads and
// accepts bundles without them.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	checks := map[string]string{"store": "ok", "jwks": "ok"}
	ready := true
	if err := s.store.r.PingContext(ctx); err != nil {
		checks["store"], ready = err.Error(), false
	}
	if !s.keys.ready() {
		checks["jwks"], ready = "not loaded from identity yet", false
	}
	code := http.StatusOK
	if !ready {
		code = http.StatusServiceUnavailable
	}
	jsonapi.Write(w, code, map[string]any{"ready": ready, "checks": checks})
}
