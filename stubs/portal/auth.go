package portal

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/thongsuot/thongsuot/stubs/identity"
	"github.com/thongsuot/thongsuot/stubs/jsonapi"
)

// jwks caches the identity provider's signing keys. It is fetched from
// IdentityURL (never from the token's iss, which is only a name), refreshed when a
// token names a kid it has not seen — that is how a key rotation reaches us — but
// at most once per minInterval so forged kids cannot make us hammer identity.
type jwks struct {
	url         string
	client      *http.Client
	minInterval time.Duration

	mu      sync.RWMutex
	keys    map[string]*ecdsa.PublicKey
	fetched time.Time

	refresh sync.Mutex
	// onChange runs when a fetch finds a different set of key ids.
	onChange func()
}

func (k *jwks) ready() bool {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return !k.fetched.IsZero()
}

func (k *jwks) key(ctx context.Context, kid string) (*ecdsa.PublicKey, error) {
	k.mu.RLock()
	pub, ok := k.keys[kid]
	k.mu.RUnlock()
	if ok {
		return pub, nil
	}
	if err := k.fetch(ctx, false); err != nil {
		return nil, err
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	if pub, ok := k.keys[kid]; ok {
		return pub, nil
	}
	return nil, fmt.Errorf("unknown key id %q", kid)
}

// fetch reloads the key set unless it was loaded within minInterval (force skips
// that check, for the first load).
func (k *jwks) fetch(ctx context.Context, force bool) error {
	k.refresh.Lock()
	defer k.refresh.Unlock()
	k.mu.RLock()
	recent := time.Since(k.fetched) < k.minInterval
	k.mu.RUnlock()
	if recent && !force {
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return fmt.Errorf("JWKS request: %w", err)
	}
	resp, err := k.client.Do(req)
	if err != nil {
		return fmt.Errorf("fetch JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetch JWKS: status %d", resp.StatusCode)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&set); err != nil {
		return fmt.Errorf("decode JWKS: %w", err)
	}
	keys := map[string]*ecdsa.PublicKey{}
	for _, jwk := range set.Keys {
		// Only P-256 keys meant for ES256 are trusted: a key of another type in the
		// set must never become a way to verify a token with another algorithm.
		if pub, ok := jwk.Key.(*ecdsa.PublicKey); ok && pub.Curve == elliptic.P256() && jwk.KeyID != "" && (jwk.Algorithm == "" || jwk.Algorithm == "ES256") {
			keys[jwk.KeyID] = pub
		}
	}
	k.mu.Lock()
	changed := len(keys) != len(k.keys)
	for kid := range keys {
		if _, ok := k.keys[kid]; !ok {
			changed = true
		}
	}
	k.keys, k.fetched = keys, time.Now()
	k.mu.Unlock()
	if changed && k.onChange != nil {
		k.onChange()
	}
	return nil
}

// verifier checks bearer tokens: ES256 only, from our issuer, for our audience,
// unexpired.
//
// A token that verified is remembered (by its SHA-256) until it expires, so a
// citizen's session pays for one ECDSA verification, not one per request. Only
// exact byte-for-byte repeats of a token that passed every check hit the cache,
// and the cache is emptied whenever the key set changes, so a retired key's tokens
// stop working here as soon as the new JWKS is loaded.
type verifier struct {
	keys   *jwks
	parser *jwt.Parser
	seen   *expiring[*identity.Claims]
}

func newVerifier(keys *jwks, issuer, audience string) *verifier {
	v := &verifier{keys: keys, seen: newExpiring[*identity.Claims](100_000), parser: jwt.NewParser(
		jwt.WithValidMethods([]string{"ES256"}),
		jwt.WithIssuer(issuer),
		jwt.WithAudience(audience),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(5*time.Second),
	)}
	keys.onChange = v.seen.clear
	return v
}

// errUnauthenticated covers every reason a token is refused; the reason goes in
// the message but the status is always 401.
var errUnauthenticated = errors.New("unauthenticated")

func (v *verifier) verify(ctx context.Context, header string) (*identity.Claims, error) {
	raw, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || raw == "" {
		return nil, fmt.Errorf("%w: bearer token required", errUnauthenticated)
	}
	sum := sha256.Sum256([]byte(raw))
	cacheKey := string(sum[:])
	if c, ok := v.seen.get(cacheKey, time.Now()); ok {
		return c, nil
	}
	var c identity.Claims
	_, err := v.parser.ParseWithClaims(raw, &c, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("token has no kid")
		}
		return v.keys.key(ctx, kid)
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUnauthenticated, err)
	}
	if c.Subject == "" || c.Role == "" {
		return nil, fmt.Errorf("%w: token lacks sub or role", errUnauthenticated)
	}
	v.seen.put(cacheKey, &c, c.ExpiresAt.Time) // exp is required, so never nil here
	return &c, nil
}

type claimsKey struct{}

// authenticate puts the verified claims in the request context, or answers 401.
func (s *Server) authenticate(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := s.verifier.verify(r.Context(), r.Header.Get("Authorization"))
		if err != nil {
			s.metrics.authFailures.Inc()
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			jsonapi.Error(w, http.StatusUnauthorized, err.Error())
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), claimsKey{}, c)))
	}
}

func claimsFrom(r *http.Request) *identity.Claims {
	c, _ := r.Context().Value(claimsKey{}).(*identity.Claims)
	return c
}

// requireRole wraps authenticate with a role check (403 for a valid token of the wrong kind).
func (s *Server) requireRole(role string, next http.HandlerFunc) http.HandlerFunc {
	return s.authenticate(func(w http.ResponseWriter, r *http.Request) {
		c := claimsFrom(r)
		if c.Role != role {
			jsonapi.Error(w, http.StatusForbidden, "this needs a "+role+" token")
			return
		}
		if role == identity.RoleService && !hasScope(c.Scope, "admin") {
			jsonapi.Error(w, http.StatusForbidden, "this needs the admin scope")
			return
		}
		next(w, r)
	})
}

// requireSubmitter lets through citizens with a level-2 account only: level 1
// (identity not verified in person) may browse and log in but not file.
func (s *Server) requireSubmitter(next http.HandlerFunc) http.HandlerFunc {
	return s.requireRole(identity.RoleCitizen, requireLevel2(next))
}

// requireFiler lets through level-2 citizens filing their own dossiers, and officials
// filing a walk-in's papers at their unit's one-door counter (handleSubmit checks the unit).
func (s *Server) requireFiler(next http.HandlerFunc) http.HandlerFunc {
	return s.authenticate(func(w http.ResponseWriter, r *http.Request) {
		switch claimsFrom(r).Role {
		case identity.RoleOfficial:
			next(w, r)
		case identity.RoleCitizen:
			requireLevel2(next)(w, r)
		default:
			jsonapi.Error(w, http.StatusForbidden, "this needs a citizen or official token")
		}
	})
}

func requireLevel2(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if claimsFrom(r).LoA < 2 {
			jsonapi.Error(w, http.StatusForbidden, "a level-2 VNeID account is required to submit dossiers")
			return
		}
		next(w, r)
	}
}

func hasScope(scopes, want string) bool {
	for _, s := range strings.Fields(scopes) {
		if s == want {
			return true
		}
	}
	return false
}
