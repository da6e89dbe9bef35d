// Package portal is the reference National Public Service Portal: the system under
// test by default. It is built the way a resilient portal should be — a durable
// SQLite dossier store with group commit, idempotent submission, an outbox that
// carries the linked-procedure bundles to the registries with retries, per-registry
// timeouts, circuit breakers and bulkheads, admission control that sheds with 503 +
// Retry-After, JWT verification against the identity provider's JWKS, ownership
// checks and request limits — and Config.Naive takes those protections away so the
// harness can show that its gate fails a fragile portal.
package portal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/thongsuot/thongsuot/stubs/identity"
	"github.com/thongsuot/thongsuot/stubs/registry"
)

// Config sets up a portal. Only DataDir, IdentityURL and RegistryURL are required;
// every other zero value takes the default in brackets.
type Config struct {
	DataDir     string
	IdentityURL string // base URL; JWKS is fetched from IdentityURL/.well-known/jwks.json
	RegistryURL string // base URL of the registry server
	Issuer      string // expected iss [identity.DefaultIssuer]
	Audience    string // expected aud [identity.DefaultAudience]
	// Naive removes the protections: no timeouts, no breakers or bulkheads, no
	// admission control, bundle steps called inline without retries.
	Naive bool
	// Registries overrides RegistryURL per registry name (registry.Names): registryURL.
	Registries map[string]string
	// Provinces gives, per province code, the base URL of its case-handling system
	// (stubs/province), which every stored dossier is handed to (province.go); nil
	// hands nothing on.
	Provinces map[string]string

	RegistryTimeout    time.Duration            // per registry call [2s]
	RegistryTimeouts   map[string]time.Duration // per registry name, overriding RegistryTimeout
	RegistryConcurrent int                      // bulkhead: concurrent calls per registry [64]
	BreakerCooldown    time.Duration            // how long a tripped breaker stays open [5s]
	MaxBodyBytes       int64                    // JSON request bodies [64 KiB]
	MaxAttachmentBytes int64                    // one attachment [5 MiB]
	MaxHeaderBytes     int                      // all request headers together [16 KiB]
	BodyTimeout        time.Duration            // longest time to receive a JSON request body, else 408 [10s]
	AttachmentTimeout  time.Duration            // longest time to receive an attachment, else 408 [60s]
	GroupCommitBatch   int                      // writes per transaction; 1 turns group commit off [256]
	ReadInFlight       int                      // admission: concurrent reads [256]
	WriteInFlight      int                      // admission: concurrent writes [512]
	AdmissionQueue     int                      // admission: requests allowed to wait per class [1024]
	AdmissionWait      time.Duration            // admission: longest wait for a slot [50ms]
	OutboxWorkers      int                      // concurrent outbox deliveries [8]
	OutboxPoll         time.Duration            // how often the outbox looks for due steps [100ms]
	RetryBase          time.Duration            // first retry delay, doubled per attempt with jitter [200ms]
	RetryMax           time.Duration            // longest retry delay [30s]
	JWKSRefresh        time.Duration            // least time between JWKS fetches on an unknown kid [10s]
	JWKSRefreshPeriod  time.Duration            // how often the JWKS is reloaded anyway [5m]
	ApplicantCacheTTL  time.Duration            // reuse a positive population check this long; 0 checks every submission [0]
	Logger             *slog.Logger             // [discard]

	// Quotas: far above what a citizen does (a scanned page or two per dossier — the
	// built-in journeys upload one of 300 KiB, citizen-dossier.yaml — one request at a
	// time: 200 MiB is about 680 such dossiers), low enough that one account cannot
	// fill the disk or take the portal's admission slots.
	CallerInFlight            int   // requests in progress per authenticated caller, else 429; off in naive mode [64]
	MaxDossierAttachments     int   // attachments per dossier, else 413 [20]
	MaxDossierAttachmentBytes int64 // attachment bytes per dossier, else 413 [25 MiB]
	MaxCitizenAttachmentBytes int64 // attachment bytes per citizen over all their dossiers, else 413 [200 MiB]

	// RegistryToken is sent as a Bearer token on every registry call: the
	// registries answer personal data to the portal only (registry.Config.ClientToken).
	RegistryToken string
}

func (c *Config) defaults() error {
	if c.DataDir == "" || c.IdentityURL == "" || c.RegistryURL == "" {
		return errors.New("portal: DataDir, IdentityURL and RegistryURL are required")
	}
	c.IdentityURL = strings.TrimRight(c.IdentityURL, "/")
	c.RegistryURL = strings.TrimRight(c.RegistryURL, "/")
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	if c.Issuer == "" {
		c.Issuer = identity.DefaultIssuer
	}
	if c.Audience == "" {
		c.Audience = identity.DefaultAudience
	}
	def(&c.RegistryTimeout, 2*time.Second)
	defInt(&c.RegistryConcurrent, 64)
	def(&c.BreakerCooldown, 5*time.Second)
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 64 << 10
	}
	if c.MaxAttachmentBytes <= 0 {
		c.MaxAttachmentBytes = 5 << 20
	}
	defInt(&c.MaxHeaderBytes, 16<<10)
	def(&c.BodyTimeout, 10*time.Second)
	def(&c.AttachmentTimeout, time.Minute)
	defInt(&c.CallerInFlight, 64)
	defInt(&c.MaxDossierAttachments, 20)
	if c.MaxDossierAttachmentBytes <= 0 {
		c.MaxDossierAttachmentBytes = 25 << 20
	}
	if c.MaxCitizenAttachmentBytes <= 0 {
		c.MaxCitizenAttachmentBytes = 200 << 20
	}
	defInt(&c.GroupCommitBatch, 256)
	defInt(&c.ReadInFlight, 256)
	defInt(&c.WriteInFlight, 512)
	defInt(&c.AdmissionQueue, 1024)
	def(&c.AdmissionWait, 50*time.Millisecond)
	defInt(&c.OutboxWorkers, 8)
	def(&c.OutboxPoll, 100*time.Millisecond)
	def(&c.RetryBase, 200*time.Millisecond)
	def(&c.RetryMax, 30*time.Second)
	def(&c.JWKSRefresh, 10*time.Second)
	def(&c.JWKSRefreshPeriod, 5*time.Minute)
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return nil
}

// Server is the portal, an http.Handler.
type Server struct {
	cfg      Config
	log      *slog.Logger
	store    *store
	keys     *jwks
	verifier *verifier
	deps     map[string]*dependency
	metrics  *metrics
	callers  *callerLimit // nil in naive mode
	handler  http.Handler
	outbox   *outbox
	// applicants remembers population checks that passed (ApplicantCacheTTL).
	applicants *expiring[struct{}]

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New opens the store, starts fetching the JWKS and the outbox, and returns the
// portal. It does not wait for identity: /readyz says when tokens can be verified.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	m := newMetrics()
	batch := cfg.GroupCommitBatch
	st, err := openStore(ctx, cfg.DataDir, batch)
	if err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}
	if err := ensureSettlements(ctx, st); err != nil {
		return nil, errors.Join(fmt.Errorf("portal: settlements: %w", err), st.Close())
	}
	st.observe = func(n int, took time.Duration) {
		m.commitBatch.Observe(float64(n))
		m.commitTime.Observe(took.Seconds())
	}
	client := &http.Client{Transport: &http.Transport{
		Proxy:               nil, // traffic stays on the addresses we are given
		MaxIdleConns:        1024,
		MaxIdleConnsPerHost: 512, // the default of 2 makes every burst open new connections
		IdleConnTimeout:     90 * time.Second,
	}}
	s := &Server{cfg: cfg, log: cfg.Logger, store: st, metrics: m, deps: map[string]*dependency{}, applicants: newExpiring[struct{}](1_000_000)}
	identityClient := client
	if !cfg.Naive {
		identityClient = &http.Client{Transport: client.Transport, Timeout: cfg.RegistryTimeout}
	}
	s.keys = &jwks{url: cfg.IdentityURL + "/.well-known/jwks.json", client: identityClient, minInterval: cfg.JWKSRefresh}
	s.verifier = newVerifier(s.keys, cfg.Issuer, cfg.Audience)
	for _, name := range registry.Names {
		timeout := cfg.RegistryTimeout
		if t, ok := cfg.RegistryTimeouts[name]; ok && t > 0 {
			timeout = t
		}
		s.deps[name] = newDependency(name, cfg.registryURL(name), client, dependencyConfig{
			timeout: timeout, concurrent: cfg.RegistryConcurrent, cooldown: cfg.BreakerCooldown, naive: cfg.Naive, token: cfg.RegistryToken,
		}, m)
	}
	if !cfg.Naive {
		s.callers = newCallerLimit(cfg.CallerInFlight)
	}
	s.outbox = newOutbox(s)
	m.watch(s)
	s.handler = s.routes()

	bg, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.loadKeys(bg)
	}()
	if !cfg.Naive {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.outbox.run(bg)
		}()
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.runSettlements(bg)
	}()
	if len(cfg.Provinces) > 0 {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			newForwarder(s).run(bg)
		}()
	}
	return s, nil
}

// loadKeys fetches the JWKS until it succeeds, backing off, so the portal becomes
// ready as soon as identity is reachable; then it refreshes it every
// JWKSRefreshPeriod so keys retired by identity stop being trusted here too. A
// failed refresh keeps the keys it has: identity being down must not log everyone out.
func (s *Server) loadKeys(ctx context.Context) {
	delay := 50 * time.Millisecond
	for {
		wait := s.cfg.JWKSRefreshPeriod
		if err := s.keys.fetch(ctx, true); err != nil {
			s.log.Warn("JWKS not loaded", "err", err)
			wait, delay = delay, min(delay*2, 5*time.Second)
		} else {
			delay = 50 * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// ServeHTTP serves the portal API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Close stops the outbox and closes the store after the writes already accepted.
func (s *Server) Close() error {
	s.cancel()
	s.wg.Wait()
	return s.store.Close()
}
