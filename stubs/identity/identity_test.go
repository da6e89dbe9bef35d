package identity

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/stubs/census"
)

// adminToken is the admin credential newServer gives identity unless the test sets one.
const adminToken = "admin-secret"

func newServer(t *testing.T, cfg Config) (*Server, *census.Census) {
	t.Helper()
	if cfg.Census == nil {
		cfg.Census = census.New(1, 1000)
	}
	if cfg.AdminToken == "" {
		cfg.AdminToken = adminToken
	}
	s, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s, cfg.Census
}

// do sends a request, with the admin credential on /admin/ and with the extra
// header name/value pairs given (which may replace it).
func do(t *testing.T, h http.Handler, method, path string, form url.Values, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	r := httptest.NewRequest(method, path, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if strings.HasPrefix(path, "/admin/") {
		r.Header.Set("Authorization", "Bearer "+adminToken)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func jwks(t *testing.T, h http.Handler) jose.JSONWebKeySet {
	w := do(t, h, http.MethodGet, "/.well-known/jwks.json", nil)
	require.Equal(t, http.StatusOK, w.Code)
	var set jose.JSONWebKeySet
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &set))
	return set
}

// verify checks a token the way a relying party does: against the published JWKS.
func verify(t *testing.T, h http.Handler, tok string) *Claims {
	t.Helper()
	set := jwks(t, h)
	var c Claims
	_, err := jwt.ParseWithClaims(tok, &c, func(tk *jwt.Token) (any, error) {
		keys := set.Key(tk.Header["kid"].(string))
		require.Len(t, keys, 1)
		return keys[0].Key, nil
	}, jwt.WithValidMethods([]string{"ES256"}), jwt.WithIssuer(DefaultIssuer), jwt.WithAudience(DefaultAudience))
	require.NoError(t, err)
	return &c
}

func TestPasswordAndClientGrants(t *testing.T) {
	s, pop := newServer(t, Config{})
	citizen, level1 := pop.Citizen(0), pop.Citizen(19)
	tests := []struct {
		name string
		form url.Values
		code int
		role string
		loa  int
		unit string
	}{
		{"citizen", url.Values{"grant_type": {"password"}, "username": {citizen.PersonalID}, "password": {"x"}, "client_id": {"npsp"}}, 200, RoleCitizen, 2, ""},
		{"level-1 citizen", url.Values{"grant_type": {"password"}, "username": {level1.PersonalID}, "password": {"x"}}, 200, RoleCitizen, 1, ""},
		{"official", url.Values{"grant_type": {"password"}, "username": {"cb.00004.3"}, "password": {"x"}}, 200, RoleOfficial, 0, "00004"},
		{"service client", url.Values{"grant_type": {"client_credentials"}, "client_id": {HarnessClient}, "client_secret": {adminToken}}, 200, RoleService, 0, ""},
		{"empty password", url.Values{"grant_type": {"password"}, "username": {citizen.PersonalID}, "password": {""}}, 401, "", 0, ""},
		{"unknown citizen", url.Values{"grant_type": {"password"}, "username": {"001099999999"}, "password": {"x"}}, 401, "", 0, ""},
		{"official of unknown unit", url.Values{"grant_type": {"password"}, "username": {"cb.99999.1"}, "password": {"x"}}, 401, "", 0, ""},
		{"official number out of range", url.Values{"grant_type": {"password"}, "username": {"cb.00004.21"}, "password": {"x"}}, 401, "", 0, ""},
		{"wrong client secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {HarnessClient}, "client_secret": {"no"}}, 401, "", 0, ""},
		{"unsupported grant", url.Values{"grant_type": {"implicit"}}, 400, "", 0, ""},
		{"missing grant", url.Values{"username": {"a"}}, 400, "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, s, http.MethodPost, "/oauth2/token", tt.form)
			require.Equal(t, tt.code, w.Code, w.Body.String())
			var resp map[string]any
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &resp))
			if tt.code != 200 {
				assert.NotEmpty(t, resp["error"])
				return
			}
			assert.Equal(t, "Bearer", resp["token_type"])
			assert.EqualValues(t, 3600, resp["expires_in"])
			c := verify(t, s, resp["access_token"].(string))
			assert.Equal(t, tt.role, c.Role)
			assert.Equal(t, tt.loa, c.LoA)
			assert.Equal(t, tt.unit, c.Unit)
			assert.WithinDuration(t, time.Now().Add(time.Hour), c.ExpiresAt.Time, 5*time.Second)
		})
	}
}

func TestCheckPasswords(t *testing.T) {
	s, pop := newServer(t, Config{CheckPasswords: true})
	id := pop.Citizen(5).PersonalID
	w := do(t, s, http.MethodPost, "/oauth2/token", url.Values{"grant_type": {"password"}, "username": {id}, "password": {"guess"}})
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	w = do(t, s, http.MethodPost, "/oauth2/token", url.Values{"grant_type": {"password"}, "username": {id}, "password": {pop.Password(id)}})
	assert.Equal(t, http.StatusOK, w.Code)
}

func TestDiscoveryAndJWKS(t *testing.T) {
	s, _ := newServer(t, Config{})
	w := do(t, s, http.MethodGet, "/.well-known/openid-configuration", nil)
	require.Equal(t, http.StatusOK, w.Code)
	var d map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &d))
	assert.Equal(t, DefaultIssuer, d["issuer"])
	assert.True(t, strings.HasSuffix(d["jwks_uri"].(string), "/.well-known/jwks.json"))
	set := jwks(t, s)
	require.Len(t, set.Keys, 1)
	assert.Equal(t, "ES256", set.Keys[0].Algorithm)
	assert.True(t, set.Keys[0].IsPublic())
}

func TestKeyRotationKeepsOldTokensValid(t *testing.T) {
	s, pop := newServer(t, Config{KeepKeys: 1, TokenTTL: time.Minute})
	old, err := s.Issue(Claims{Role: RoleCitizen, LoA: 2, RegisteredClaims: jwt.RegisteredClaims{Subject: pop.Citizen(0).PersonalID}})
	require.NoError(t, err)
	w := do(t, s, http.MethodPost, "/admin/v1/keys/rotate", nil)
	require.Equal(t, http.StatusOK, w.Code)
	fresh, err := s.Issue(Claims{Role: RoleCitizen})
	require.NoError(t, err)
	assert.Len(t, jwks(t, s).Keys, 2)
	verify(t, s, old)
	verify(t, s, fresh)
	_, err = s.RotateKey()
	require.NoError(t, err)
	assert.Len(t, jwks(t, s).Keys, 2, "only KeepKeys retired keys stay")
}

func TestKnobMakesTokenEndpointFail(t *testing.T) {
	s, pop := newServer(t, Config{})
	form := url.Values{"grant_type": {"password"}, "username": {pop.Citizen(0).PersonalID}, "password": {"x"}}
	require.NoError(t, s.Knobs().Assign("identity.down=true"))
	assert.Equal(t, http.StatusServiceUnavailable, do(t, s, http.MethodPost, "/oauth2/token", form).Code)
	assert.Equal(t, http.StatusOK, do(t, s, http.MethodGet, "/.well-known/jwks.json", nil).Code, "JWKS stays up")
	r := httptest.NewRequest(http.MethodPatch, "/admin/v1/knobs/identity", strings.NewReader(`{"down":false,"latency_median":"1ms"}`))
	r.Header.Set("Authorization", "Bearer "+adminToken)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, http.StatusOK, do(t, s, http.MethodPost, "/oauth2/token", form).Code)
}

// TestAdminNeedsTheCredential: key rotation and the knobs answer 401 without the
// admin token or with another, and serve with it; NoAuth opens them.
func TestAdminNeedsTheCredential(t *testing.T) {
	routes := []struct {
		method, path, body string
		code               int
	}{
		{http.MethodPost, "/admin/v1/keys/rotate", "", http.StatusOK},
		{http.MethodGet, "/admin/v1/knobs", "", http.StatusOK},
		{http.MethodGet, "/admin/v1/knobs/identity", "", http.StatusOK},
		{http.MethodPut, "/admin/v1/knobs/identity", `{"latency_median":"1ms"}`, http.StatusOK},
		{http.MethodPatch, "/admin/v1/knobs/identity", `{"error_rate":0}`, http.StatusOK},
		{http.MethodPost, "/admin/v1/knobs/reset", "", http.StatusNoContent},
	}
	s, _ := newServer(t, Config{})
	open, _ := newServer(t, Config{NoAuth: true})
	for _, rt := range routes {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			before := jwks(t, s).Keys[0].KeyID
			for _, bad := range []string{"", "Bearer", "Bearer " + adminToken + "x", "Basic " + adminToken} {
				w := do(t, s, rt.method, rt.path, nil, "Authorization", bad, "Content-Type", "application/json")
				assert.Equal(t, http.StatusUnauthorized, w.Code, "%q: %s", bad, w.Body.String())
			}
			assert.Equal(t, before, jwks(t, s).Keys[0].KeyID, "a refused rotation rotates nothing")
			r := httptest.NewRequest(rt.method, rt.path, strings.NewReader(rt.body))
			r.Header.Set("Authorization", "Bearer "+adminToken)
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			assert.Equal(t, rt.code, w.Code, w.Body.String())
			r = httptest.NewRequest(rt.method, rt.path, strings.NewReader(rt.body))
			w = httptest.NewRecorder()
			open.ServeHTTP(w, r)
			assert.Equal(t, rt.code, w.Code, "NoAuth: %s", w.Body.String())
		})
	}
}

// TestAdminTokenIsRandomUnlessGiven: no well-known default opens the admin API or
// the harness client; the harness client's secret is the admin token.
func TestAdminTokenIsRandomUnlessGiven(t *testing.T) {
	a, err := New(Config{Census: census.New(1, 10)})
	require.NoError(t, err)
	b, err := New(Config{Census: census.New(1, 10)})
	require.NoError(t, err)
	assert.Len(t, a.AdminToken(), 64)
	assert.NotEqual(t, a.AdminToken(), b.AdminToken())
	tests := []struct {
		name, secret string
		code         int
	}{
		{"the admin token", a.AdminToken(), http.StatusOK},
		{"the old well-known secret", "thongsuot-harness-secret", http.StatusUnauthorized},
		{"another stack's token", b.AdminToken(), http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, a, http.MethodPost, "/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {HarnessClient}, "client_secret": {tt.secret}})
			assert.Equal(t, tt.code, w.Code, w.Body.String())
		})
	}
}
