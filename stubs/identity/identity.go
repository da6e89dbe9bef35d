// Package identity is a VNeID-like identity provider: an OAuth2/OIDC-style token
// endpoint that issues ES256 JWTs to the census's citizens (password grant), to
// commune officials (password grant, username cb.<unit>.<n>) and to service clients
// (client credentials), publishes its keys as a JWKS with rotation, and carries a
// knob for latency and errors so identity itself can be the failing dependency, as
// VNeID was on 30 June 2025.
package identity

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/thongsuot/thongsuot/stubs/census"
	"github.com/thongsuot/thongsuot/stubs/credential"
	"github.com/thongsuot/thongsuot/stubs/jsonapi"
	"github.com/thongsuot/thongsuot/stubs/knobs"
)

// Defaults shared with the portal.
const (
	DefaultIssuer   = "https://vneid.thongsuot.test"
	DefaultAudience = "npsp"
	DefaultTokenTTL = time.Hour
)

// Client is a service client allowed the client-credentials grant.
type Client struct {
	Secret string
	Scope  string // space-separated, e.g. "admin"
}

// HarnessClient is the service client used when Config.Clients is nil: the
// harness's, allowed the portal's admin API (reconciliation). Its secret is the
// admin token, so one secret per stack opens every admin API.
const HarnessClient = "thongsuot-harness"

// Config sets up a Server. Zero values take the defaults.
type Config struct {
	Issuer   string
	Audience string
	TokenTTL time.Duration
	Census   *census.Census
	// CheckPasswords makes the password grant require census.Password(id) instead of
	// any non-empty password.
	CheckPasswords bool
	// OfficialsPerUnit is how many officials (cb.<unit>.1 … cb.<unit>.N) each unit has; default 20.
	OfficialsPerUnit int
	// Clients are the service clients; nil means HarnessClient with the admin token
	// as its secret and the admin scope.
	Clients map[string]Client
	// AdminToken is the Bearer secret /admin/ (key rotation, knobs) requires: the
	// harness's. "" makes up a random one (Server.AdminToken).
	AdminToken string
	// NoAuth serves /admin/ without a credential: for poking by hand only. The
	// harness client's secret is still the admin token.
	NoAuth bool
	// KeepKeys is how many retired keys stay in the JWKS after a rotation; default 2.
	KeepKeys int
	// Knob is the initial latency/error behaviour of the token endpoint.
	Knob knobs.Settings
}

// Server is the identity provider, an http.Handler.
type Server struct {
	cfg   Config
	keys  *keyRing
	board *knobs.Board
	mux   *http.ServeMux
	admin *credential.Guard
	// adminToken is the secret even when NoAuth opens /admin/: the harness client's.
	adminToken string
}

// KnobName is the name of the identity knob on the admin API.
const KnobName = "identity"

// New builds an identity server.
func New(cfg Config) (*Server, error) {
	if cfg.Census == nil {
		return nil, errors.New("identity: Config.Census is required")
	}
	if cfg.Issuer == "" {
		cfg.Issuer = DefaultIssuer
	}
	if cfg.Audience == "" {
		cfg.Audience = DefaultAudience
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = DefaultTokenTTL
	}
	if cfg.OfficialsPerUnit <= 0 {
		cfg.OfficialsPerUnit = 20
	}
	if cfg.AdminToken == "" {
		cfg.AdminToken = credential.NewSecret()
	}
	if cfg.Clients == nil {
		cfg.Clients = map[string]Client{HarnessClient: {Secret: cfg.AdminToken, Scope: "admin"}}
	}
	if cfg.KeepKeys <= 0 {
		cfg.KeepKeys = 2
	}
	keys, err := newKeyRing(cfg.KeepKeys)
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	s := &Server{cfg: cfg, keys: keys, board: knobs.NewBoard(KnobName), mux: http.NewServeMux(),
		admin: credential.NewGuard(cfg.AdminToken), adminToken: cfg.AdminToken}
	if cfg.NoAuth {
		s.admin = credential.Open()
	}
	if err := s.board.Knob(KnobName).Set(cfg.Knob); err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	knob := s.board.Knob(KnobName)
	s.mux.Handle("POST /oauth2/token", knob.Wrap(http.HandlerFunc(s.handleToken)))
	s.mux.HandleFunc("GET /.well-known/jwks.json", s.handleJWKS)
	s.mux.HandleFunc("GET /.well-known/openid-configuration", s.handleDiscovery)
	s.mux.Handle("POST /admin/v1/keys/rotate", s.admin.Wrap(http.HandlerFunc(s.handleRotate)))
	knobAdmin := s.board.AdminHandler("/admin/v1/knobs", s.admin)
	s.mux.Handle("/admin/v1/knobs", knobAdmin)
	s.mux.Handle("/admin/v1/knobs/", knobAdmin)
	s.mux.Handle("/admin/", s.admin.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		jsonapi.Error(w, http.StatusNotFound, "no route "+r.Method+" "+r.URL.Path)
	})))
	ok := func(w http.ResponseWriter, r *http.Request) {
		jsonapi.Write(w, http.StatusOK, map[string]string{"status": "ok"})
	}
	s.mux.HandleFunc("GET /healthz", ok)
	s.mux.HandleFunc("GET /readyz", ok)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		jsonapi.Error(w, http.StatusNotFound, "no route "+r.Method+" "+r.URL.Path)
	})
}

// ServeHTTP serves the identity API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Close releases nothing today; it exists so every stub has the same shape.
func (s *Server) Close() error { return nil }

// AdminToken is the secret /admin/ requires and the harness client's secret.
func (s *Server) AdminToken() string { return s.adminToken }

// Knobs is the identity server's knob board (one knob, "identity").
func (s *Server) Knobs() *knobs.Board { return s.board }

// RotateKey makes a new signing key; the previous ones stay published (KeepKeys).
func (s *Server) RotateKey() (string, error) { return s.keys.rotate() }

// Issue signs claims with the current key, filling iss, aud, iat, nbf, exp and jti
// where they are empty. Tests and the harness use it to mint tokens directly.
func (s *Server) Issue(c Claims) (string, error) {
	now := time.Now()
	if c.Issuer == "" {
		c.Issuer = s.cfg.Issuer
	}
	if len(c.Audience) == 0 {
		c.Audience = jwt.ClaimStrings{s.cfg.Audience}
	}
	if c.IssuedAt == nil {
		c.IssuedAt = jwt.NewNumericDate(now)
	}
	if c.NotBefore == nil {
		c.NotBefore = jwt.NewNumericDate(now.Add(-5 * time.Second)) // small clock skew
	}
	if c.ExpiresAt == nil {
		c.ExpiresAt = jwt.NewNumericDate(now.Add(s.cfg.TokenTTL))
	}
	if c.ID == "" {
		c.ID = newJTI()
	}
	k := s.keys.current()
	t := jwt.NewWithClaims(jwt.SigningMethodES256, c)
	t.Header["kid"] = k.kid
	signed, err := t.SignedString(k.priv)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return signed, nil
}

func (s *Server) handleJWKS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=300")
	jsonapi.Write(w, http.StatusOK, s.keys.jwks())
}

func (s *Server) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	// Endpoints are given relative to where the document was fetched: the issuer
	// is a name, and the address changes per run (through a proxy).
	base := "http://" + r.Host
	if r.TLS != nil {
		base = "https://" + r.Host
	}
	jsonapi.Write(w, http.StatusOK, map[string]any{
		"issuer":                                s.cfg.Issuer,
		"token_endpoint":                        base + "/oauth2/token",
		"jwks_uri":                              base + "/.well-known/jwks.json",
		"grant_types_supported":                 []string{"password", "client_credentials"},
		"id_token_signing_alg_values_supported": []string{"ES256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
		"claims_supported":                      []string{"sub", "role", "loa", "unit", "scope", "name"},
	})
}

func (s *Server) handleRotate(w http.ResponseWriter, r *http.Request) {
	kid, err := s.RotateKey()
	if err != nil {
		jsonapi.Error(w, http.StatusInternalServerError, err.Error())
		return
	}
	jsonapi.Write(w, http.StatusOK, map[string]string{"kid": kid})
}
