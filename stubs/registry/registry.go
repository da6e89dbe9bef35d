// Package registry stands in for the national registries the portal depends on —
// population, civil status (hộ tịch), residence, social and health insurance,
// business, land, tax, judicial records and the treasury — in one server with one route group
// per registry. Records are derived from the census, so they are the same for every
// run with the same seed. Each registry has its own knob (latency, capacity,
// errors, down) so the harness can make any one of them slow or failing, and the
// write routes used by the linked-procedure bundles are idempotent by key so the
// portal's outbox can retry them safely.
package registry

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/thongsuot/thongsuot/stubs/census"
	"github.com/thongsuot/thongsuot/stubs/credential"
	"github.com/thongsuot/thongsuot/stubs/jsonapi"
	"github.com/thongsuot/thongsuot/stubs/knobs"
)

// The registries, each served under /<name>/v1/ and with a knob of the same name.
const (
	Population      = "population"
	CivilStatus     = "civil-status"
	Residence       = "residence"
	SocialInsurance = "social-insurance"
	HealthInsurance = "health-insurance"
	Business        = "business"
	Land            = "land"
	Tax             = "tax"
	JudicialRecords = "judicial-records"
	// Treasury is the State Treasury (Kho bạc Nhà nước): the fees citizens pay online
	// are settled to it, one settlement per paid dossier (writes.go).
	Treasury = "treasury"
)

// Names lists every registry.
var Names = []string{Population, CivilStatus, Residence, SocialInsurance, HealthInsurance, Business, Land, Tax, JudicialRecords, Treasury}

// Config sets up a Server.
type Config struct {
	Census *census.Census
	// Knobs are the initial settings per registry name; the rest start healthy.
	Knobs map[string]knobs.Settings
	// AdminToken is the Bearer secret /admin/ (knobs, ledger) requires: the
	// harness's. "" makes up a random one (Server.AdminToken).
	AdminToken string
	// ClientToken is the Bearer secret the registries' own routes (personal records
	// and the bundles' writes) require: the portal's. "" makes up a random one
	// (Server.ClientToken).
	ClientToken string
	// NoAuth serves every route without a credential: for poking by hand only.
	NoAuth bool
}

// Server is the registries' server, an http.Handler.
type Server struct {
	cfg    Config
	census *census.Census
	board  *knobs.Board
	ledger *ledger
	mux    *http.ServeMux
	// admin guards /admin/, client the registries' routes.
	admin, client *credential.Guard
}

// New builds the registry server.
func New(cfg Config) (*Server, error) {
	if cfg.Census == nil {
		return nil, errors.New("registry: Config.Census is required")
	}
	s := &Server{cfg: cfg, census: cfg.Census, board: knobs.NewBoard(Names...), ledger: newLedger(), mux: http.NewServeMux(),
		admin: credential.NewGuard(cfg.AdminToken), client: credential.NewGuard(cfg.ClientToken)}
	if cfg.NoAuth {
		s.admin, s.client = credential.Open(), credential.Open()
	}
	if err := s.board.Apply(cfg.Knobs); err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	for _, name := range Names {
		group := http.NewServeMux()
		s.readRoutes(name, group)
		s.writeRoutes(name, group)
		// The credential is checked before the knob, so a caller without one takes
		// no capacity from the portal's calls.
		s.mux.Handle("/"+name+"/", s.client.Wrap(s.board.Knob(name).Wrap(group)))
	}
	knobAdmin := s.board.AdminHandler("/admin/v1/knobs", s.admin)
	s.mux.Handle("/admin/v1/knobs", knobAdmin)
	s.mux.Handle("/admin/v1/knobs/", knobAdmin)
	s.mux.Handle("GET /admin/v1/ledger", s.admin.Wrap(http.HandlerFunc(s.handleLedger)))
	s.mux.Handle("/admin/", s.admin.Wrap(http.HandlerFunc(notFound)))
	ok := func(w http.ResponseWriter, r *http.Request) {
		jsonapi.Write(w, http.StatusOK, map[string]string{"status": "ok"})
	}
	s.mux.HandleFunc("GET /healthz", ok)
	s.mux.HandleFunc("GET /readyz", ok)
	s.mux.HandleFunc("/", notFound)
}

func notFound(w http.ResponseWriter, r *http.Request) {
	jsonapi.Error(w, http.StatusNotFound, "no route "+r.Method+" "+r.URL.Path)
}

// ServeHTTP serves every registry.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Close releases nothing today; it exists so every stub has the same shape.
func (s *Server) Close() error { return nil }

// Knobs is the board with one knob per registry.
func (s *Server) Knobs() *knobs.Board { return s.board }

// AdminToken is the secret /admin/ requires ("" with NoAuth).
func (s *Server) AdminToken() string { return s.admin.Secret() }

// ClientToken is the secret the registries' routes require ("" with NoAuth).
func (s *Server) ClientToken() string { return s.client.Secret() }

// Ledger returns every write applied so far, in order.
func (s *Server) Ledger() []Entry { return s.ledger.entries() }
