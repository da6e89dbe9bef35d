package portal

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/stubs/identity"
)

// forged signs claims that look right with a key or algorithm the portal must not accept.
func forged(t *testing.T, w *world, method jwt.SigningMethod, key any, kid string, mutate func(*identity.Claims)) string {
	t.Helper()
	c := claimsFor(w.pop.Citizen(0).PersonalID, 2)
	c.Issuer, c.Audience = identity.DefaultIssuer, jwt.ClaimStrings{identity.DefaultAudience}
	c.ExpiresAt = jwt.NewNumericDate(time.Now().Add(time.Hour))
	if mutate != nil {
		mutate(&c)
	}
	tok := jwt.NewWithClaims(method, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	require.NoError(t, err)
	return s
}

// publishedKey is the identity server's current public key as the JWKS shows it.
func publishedKey(t *testing.T, w *world) (string, *ecdsa.PublicKey) {
	resp, err := http.Get(w.idURL + "/.well-known/jwks.json")
	require.NoError(t, err)
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&set))
	return set.Keys[0].KeyID, set.Keys[0].Key.(*ecdsa.PublicKey)
}

func TestBadTokensGet401(t *testing.T) {
	w := newWorld(t, nil)
	kid, pub := publishedKey(t, w)
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	otherEC, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	good := w.token(claimsFor(w.pop.Citizen(0).PersonalID, 2))
	parts := strings.Split(good, ".")

	tests := []struct {
		name  string
		token string
	}{
		{"no token", ""},
		{"garbage", "not.a.jwt"},
		{"alg none", forged(t, w, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, kid, nil)},
		{"HS256 keyed with the public key (HS/RS confusion)", forged(t, w, jwt.SigningMethodHS256, pubDER, kid, nil)},
		{"RS256 with an attacker's key", forged(t, w, jwt.SigningMethodRS256, rsaKey, kid, nil)},
		{"ES256 with an unknown key", forged(t, w, jwt.SigningMethodES256, otherEC, "attacker", nil)},
		{"ES256 with another key under the real kid", forged(t, w, jwt.SigningMethodES256, otherEC, kid, nil)},
		{"tampered payload", parts[0] + "." + strings.TrimRight(parts[1], "A") + "B." + parts[2]},
		{"expired", w.token(func() identity.Claims {
			c := claimsFor(w.pop.Citizen(0).PersonalID, 2)
			c.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-time.Minute))
			return c
		}())},
		{"wrong audience", w.token(func() identity.Claims {
			c := claimsFor(w.pop.Citizen(0).PersonalID, 2)
			c.Audience = jwt.ClaimStrings{"some-other-app"}
			return c
		}())},
		{"wrong issuer", w.token(func() identity.Claims {
			c := claimsFor(w.pop.Citizen(0).PersonalID, 2)
			c.Issuer = "https://evil.test"
			return c
		}())},
		{"not yet valid", w.token(func() identity.Claims {
			c := claimsFor(w.pop.Citizen(0).PersonalID, 2)
			c.NotBefore = jwt.NewNumericDate(time.Now().Add(time.Hour))
			return c
		}())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body, hdr := w.doRaw(http.MethodPost, "/api/v1/dossiers", tt.token, birthCert)
			assert.Equal(t, http.StatusUnauthorized, code, body)
			assert.Contains(t, hdr.Get("WWW-Authenticate"), "Bearer")
			code, _ = w.do(http.MethodGet, "/api/v1/dossiers", tt.token, nil)
			assert.Equal(t, http.StatusUnauthorized, code)
		})
	}
	code, _ := w.do(http.MethodPost, "/api/v1/dossiers", good, birthCert)
	assert.Equal(t, http.StatusCreated, code, "the genuine token still works")
}

func TestRolesAndLevels(t *testing.T) {
	w := newWorld(t, nil)
	level1, _ := w.citizen(19) // every citizen with i%20 == 19 is level 1
	tests := []struct {
		name, token, path string
		body              any
		code              int
	}{
		{"level-1 citizen cannot submit", level1, "/api/v1/dossiers", birthCert, http.StatusForbidden},
		{"level-1 citizen cannot submit a bundle", level1, "/api/v1/bundles", map[string]any{"procedure_code": BundleDeath}, http.StatusForbidden},
		{"official cannot file at another unit's counter", w.official("00008"), "/api/v1/dossiers", birthCert, http.StatusForbidden},
		{"official's counter filing names the walk-in", w.official("00004"), "/api/v1/dossiers", birthCert, http.StatusUnprocessableEntity},
		{"official cannot submit a bundle", w.official("00004"), "/api/v1/bundles", map[string]any{"procedure_code": BundleDeath}, http.StatusForbidden},
		{"service client cannot submit", w.admin(), "/api/v1/dossiers", birthCert, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := w.do(http.MethodPost, tt.path, tt.token, tt.body)
			assert.Equal(t, tt.code, code, body)
		})
	}
	code, _ := w.do(http.MethodGet, "/admin/v1/receipts", w.official("00004"), nil)
	assert.Equal(t, http.StatusForbidden, code, "officials are not admins")
	noScope := w.token(identity.Claims{Role: identity.RoleService, RegisteredClaims: jwt.RegisteredClaims{Subject: "other-client"}})
	code, _ = w.do(http.MethodGet, "/admin/v1/receipts", noScope, nil)
	assert.Equal(t, http.StatusForbidden, code, "service client without the admin scope")
}

// At the one-door counter an official files a walk-in's papers: the dossier is the
// citizen's, at the official's unit, and in that unit's queue.
func TestOfficialFilesAWalkInAtTheCounter(t *testing.T) {
	w := newWorld(t, nil)
	citizenToken, walkIn := w.citizen(3)
	form := map[string]any{"procedure_code": "1.001193", "unit_code": "00004", "form": map[string]any{"applicant_id": walkIn}}
	code, created := w.do(http.MethodPost, "/api/v1/dossiers", w.official("00004"), form, "Idempotency-Key", "counter-1")
	require.Equal(t, http.StatusCreated, code, created)
	code, d := w.do(http.MethodGet, "/api/v1/dossiers/"+created["id"].(string), citizenToken, nil)
	require.Equal(t, http.StatusOK, code, "the walk-in reads their dossier")
	assert.Equal(t, walkIn, d["applicant"])
	assert.Equal(t, "00004", d["unit_code"])
}

func TestOwnershipIs404(t *testing.T) {
	w := newWorld(t, nil)
	mine, _ := w.citizen(0)
	theirs, _ := w.citizen(1)
	_, d := w.do(http.MethodPost, "/api/v1/dossiers", mine, birthCert)
	id := d["id"].(string)
	tests := []struct {
		name, token, method, path string
		body                      any
		code                      int
	}{
		{"owner reads", mine, http.MethodGet, "/api/v1/dossiers/" + id, nil, http.StatusOK},
		{"another citizen reads", theirs, http.MethodGet, "/api/v1/dossiers/" + id, nil, http.StatusNotFound},
		{"another citizen pays", theirs, http.MethodPost, "/api/v1/dossiers/" + id + "/payment", `{}`, http.StatusNotFound},
		{"unknown id", mine, http.MethodGet, "/api/v1/dossiers/nope", nil, http.StatusNotFound},
		{"official of the unit reads", w.official("00004"), http.MethodGet, "/api/v1/dossiers/" + id, nil, http.StatusOK},
		{"official of another unit reads", w.official("00008"), http.MethodGet, "/api/v1/dossiers/" + id, nil, http.StatusNotFound},
		{"official of another unit acts", w.official("00008"), http.MethodPost, "/api/v1/officials/dossiers/" + id + "/accept", nil, http.StatusNotFound},
		{"admin reads", w.admin(), http.MethodGet, "/api/v1/dossiers/" + id, nil, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := w.do(tt.method, tt.path, tt.token, tt.body)
			assert.Equal(t, tt.code, code, body)
		})
	}
}

func TestLimits(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.MaxBodyBytes = 1024; c.MaxAttachmentBytes = 2048; c.MaxHeaderBytes = 4096 })
	tok, _ := w.citizen(0)
	big := map[string]any{"procedure_code": "1.001193", "unit_code": "00004", "form": map[string]any{"note": strings.Repeat("x", 2000)}}
	code, _ := w.do(http.MethodPost, "/api/v1/dossiers", tok, big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, code, "oversize JSON body")
	code, _ = w.do(http.MethodGet, "/api/v1/procedures", "", nil, "X-Padding", strings.Repeat("p", 5000))
	assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, code, "oversize headers")
	code, _ = w.do(http.MethodPost, "/api/v1/dossiers", tok, "{}", "Content-Type", "text/plain")
	assert.Equal(t, http.StatusUnsupportedMediaType, code)
}

func TestKeyRotationReachesThePortal(t *testing.T) {
	w := newWorld(t, nil)
	_, err := w.idp.RotateKey()
	require.NoError(t, err)
	tok, _ := w.citizen(0)            // signed with a kid the portal has not seen
	time.Sleep(15 * time.Millisecond) // past JWKSRefresh so an unknown kid may refetch
	code, body := w.do(http.MethodPost, "/api/v1/dossiers", tok, birthCert)
	assert.Equal(t, http.StatusCreated, code, body)
}

func TestRetiredKeysStopBeingTrusted(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.JWKSRefreshPeriod = 20 * time.Millisecond })
	old, _ := w.citizen(0)
	code, _ := w.do(http.MethodGet, "/api/v1/dossiers", old, nil)
	require.Equal(t, http.StatusOK, code, "verified and cached")
	for range 3 { // KeepKeys is 2: three rotations retire the first key
		_, err := w.idp.RotateKey()
		require.NoError(t, err)
	}
	require.Eventually(t, func() bool {
		code, _ := w.do(http.MethodGet, "/api/v1/dossiers", old, nil)
		return code == http.StatusUnauthorized
	}, 5*time.Second, 10*time.Millisecond)
	fresh, _ := w.citizen(0)
	code, _ = w.do(http.MethodGet, "/api/v1/dossiers", fresh, nil)
	assert.Equal(t, http.StatusOK, code)
}
