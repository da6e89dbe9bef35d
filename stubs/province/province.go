// Package province stands in for the 34 provincial administrative-procedure (TTHC)
// case-handling systems that the portal hands submitted dossiers to (seeds 002, 003):
// one server keyed by province, each province under /<code>/v1/ with its own knob
// (latency, capacity, errors, down, maintenance), so the harness can make one
// province's system slow or failing while the others work. It records every dossier
// it receives, once, and how long after its submission it arrived: the delay a
// citizen's dossier spends between the portal and the officials who handle it.
package province

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/thongsuot/thongsuot/stubs/credential"
	"github.com/thongsuot/thongsuot/stubs/jsonapi"
	"github.com/thongsuot/thongsuot/stubs/knobs"
	"github.com/thongsuot/thongsuot/units"
)

// Codes are the provinces served, each with a knob of the same name.
func Codes() []string {
	var out []string
	for _, p := range units.Provinces() {
		out = append(out, p.Code)
	}
	return out
}

// Config sets up a Server.
type Config struct {
	// Knobs are the starting settings per province code; provinces left out are healthy.
	Knobs map[string]knobs.Settings
	// AdminToken is the Bearer secret /admin/ (knobs, what was received) requires.
	AdminToken string
	// ClientToken is the Bearer secret the provinces' routes require: the portal's.
	ClientToken string
	// NoAuth serves every route without a credential: for poking by hand only.
	NoAuth bool
}

// Dossier is what the portal hands a province: the dossier, its unit and when it was
// submitted (acknowledged to the citizen).
type Dossier struct {
	ID            string    `json:"id"`
	UnitCode      string    `json:"unit_code"`
	ProcedureCode string    `json:"procedure_code"`
	SubmittedAt   time.Time `json:"submitted_at"`
}

// Server is the provincial systems.
type Server struct {
	board         *knobs.Board
	mux           *http.ServeMux
	admin, client *credential.Guard

	mu       sync.Mutex
	seen     map[string]bool
	received map[string]*intake
}

// intake is what one province received.
type intake struct {
	dossiers int64
	lag      *hdrhistogram.Histogram // ms from submission to arrival
}

// New builds the server.
func New(cfg Config) (*Server, error) {
	codes := Codes()
	s := &Server{board: knobs.NewBoard(codes...), mux: http.NewServeMux(),
		admin: credential.NewGuard(cfg.AdminToken), client: credential.NewGuard(cfg.ClientToken),
		seen: map[string]bool{}, received: map[string]*intake{}}
	if cfg.NoAuth {
		s.admin, s.client = credential.Open(), credential.Open()
	}
	if err := s.board.Apply(cfg.Knobs); err != nil {
		return nil, fmt.Errorf("province: %w", err)
	}
	for _, code := range codes {
		s.received[code] = &intake{lag: hdrhistogram.New(1, 24*3600*1000, 3)}
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.handleDossier(w, r, code) })
		// The credential is checked before the knob, as the registries do.
		s.mux.Handle("POST /"+code+"/v1/dossiers", s.client.Wrap(s.board.Knob(code).Wrap(h)))
	}
	knobAdmin := s.board.AdminHandler("/admin/v1/knobs", s.admin)
	s.mux.Handle("/admin/v1/knobs", knobAdmin)
	s.mux.Handle("/admin/v1/knobs/", knobAdmin)
	s.mux.Handle("GET /admin/v1/received", s.admin.Wrap(http.HandlerFunc(s.handleReceived)))
	ok := func(w http.ResponseWriter, r *http.Request) {
		jsonapi.Write(w, http.StatusOK, map[string]string{"status": "ok"})
	}
	s.mux.HandleFunc("GET /healthz", ok)
	s.mux.HandleFunc("GET /readyz", ok)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		jsonapi.Error(w, http.StatusNotFound, "no route "+r.Method+" "+r.URL.Path)
	})
	return s, nil
}

// handleDossier takes one dossier for province code: 201 the first time, 200 again
// (the portal retries until it hears back, so a dossier may come twice).
func (s *Server) handleDossier(w http.ResponseWriter, r *http.Request, code string) {
	var d Dossier
	if err := jsonapi.Decode(w, r, 64<<10, &d); err != nil {
		jsonapi.Fail(w, err, http.StatusBadRequest)
		return
	}
	if d.ID == "" || d.SubmittedAt.IsZero() {
		jsonapi.Error(w, http.StatusBadRequest, "id and submitted_at are required")
		return
	}
	if u, ok := units.Lookup(d.UnitCode); !ok || u.ProvinceCode != code {
		jsonapi.Error(w, http.StatusUnprocessableEntity, fmt.Sprintf("unit %q is not in province %s", d.UnitCode, code))
		return
	}
	now := time.Now()
	s.mu.Lock()
	first := !s.seen[d.ID]
	if first {
		s.seen[d.ID] = true
		in := s.received[code]
		in.dossiers++
		_ = in.lag.RecordValue(max(now.Sub(d.SubmittedAt).Milliseconds(), 1)) // beyond a day: clamped by the histogram's error
	}
	s.mu.Unlock()
	status := http.StatusOK
	if first {
		status = http.StatusCreated
	}
	jsonapi.Write(w, status, map[string]string{"id": d.ID, "province": code})
}

// Intake is what one province has received, as GET /admin/v1/received shows it.
type Intake struct {
	Province string  `json:"province"`
	Dossiers int64   `json:"dossiers"`
	LagP50   float64 `json:"lag_p50_ms"` // submission to arrival
	LagP99   float64 `json:"lag_p99_ms"`
	LagMax   float64 `json:"lag_max_ms"`
}

// Received is every province's intake, by province code.
func (s *Server) Received() []Intake {
	s.mu.Lock()
	defer s.mu.Unlock()
	codes := make([]string, 0, len(s.received))
	for c := range s.received {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	out := make([]Intake, 0, len(codes))
	for _, c := range codes {
		in := s.received[c]
		v := Intake{Province: c, Dossiers: in.dossiers}
		if in.dossiers > 0 {
			v.LagP50 = float64(in.lag.ValueAtQuantile(50))
			v.LagP99 = float64(in.lag.ValueAtQuantile(99))
			v.LagMax = float64(in.lag.Max())
		}
		out = append(out, v)
	}
	return out
}

func (s *Server) handleReceived(w http.ResponseWriter, r *http.Request) {
	jsonapi.Write(w, http.StatusOK, map[string]any{"provinces": s.Received()})
}

// ServeHTTP serves every province.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Close releases nothing; it exists so every stub has the same shape.
func (s *Server) Close() error { return nil }

// Knobs is the board with one knob per province.
func (s *Server) Knobs() *knobs.Board { return s.board }
