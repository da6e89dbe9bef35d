package load

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/scenarios"
)

// tokenEndpoint is an OAuth2 token endpoint that issues numbered tokens living ttl and
// remembers every grant it was asked for.
type tokenEndpoint struct {
	mu     sync.Mutex
	grants []url.Values
	ttl    int // seconds; 0 says no expires_in
}

func (e *tokenEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.URL.Path != "/realms/npsp/token" {
		http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
		return
	}
	e.mu.Lock()
	e.grants = append(e.grants, r.PostForm)
	n := len(e.grants)
	e.mu.Unlock()
	body := map[string]any{"access_token": fmt.Sprintf("tok-%d-%s", n, r.PostForm.Get("username")), "token_type": "Bearer"}
	if e.ttl > 0 {
		body["expires_in"] = e.ttl
	}
	_ = json.NewEncoder(w).Encode(body)
}

func (e *tokenEndpoint) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.grants)
}

// The token client sends the grant the scenario names, with the user names, password
// and client secret it says, to the endpoint it says.
func TestTokensSendTheGrantTheScenarioNames(t *testing.T) {
	t.Setenv("TOKEN_TEST_SECRET", "s3cret")
	t.Setenv("TOKEN_TEST_PASSWORD", "p4ss")
	tests := []struct {
		name string
		cfg  scenarios.Token
		want url.Values
	}{
		{"the reference's", scenarios.SUT{}.TokenEndpoint(),
			url.Values{"grant_type": {"password"}, "client_id": {"npsp"}, "username": {"001095000001"}, "password": {"thongsuot"}}},
		{"a password grant of the user's", scenarios.SUT{Token: &scenarios.Token{Username: "lt-{id}", PasswordEnv: "TOKEN_TEST_PASSWORD", ClientID: "portal-web", Scope: "openid"}}.TokenEndpoint(),
			url.Values{"grant_type": {"password"}, "client_id": {"portal-web"}, "username": {"lt-001095000001"}, "password": {"p4ss"}, "scope": {"openid"}}},
		{"a client-credentials grant", scenarios.SUT{Token: &scenarios.Token{Grant: "client_credentials", ClientID: "loadtest", ClientSecretEnv: "TOKEN_TEST_SECRET"}}.TokenEndpoint(),
			url.Values{"grant_type": {"client_credentials"}, "client_id": {"loadtest"}, "client_secret": {"s3cret"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Path = "/realms/npsp/token"
			e := &tokenEndpoint{}
			srv := httptest.NewServer(e)
			defer srv.Close()
			tokens, err := NewTokens(tt.cfg, srv.URL, srv.Client())
			require.NoError(t, err)
			method, u, h, _ := tokens.Login("001095000001")
			assert.Equal(t, http.MethodPost, method)
			assert.Equal(t, srv.URL+"/realms/npsp/token", u)
			assert.Equal(t, "application/x-www-form-urlencoded", h.Get("Content-Type"))
			_, err = tokens.Token(context.Background(), "001095000001")
			require.NoError(t, err)
			require.Equal(t, 1, e.count())
			assert.Equal(t, tt.want, e.grants[0])
		})
	}
	_, err := NewTokens(scenarios.Token{ClientSecretEnv: "TOKEN_TEST_UNSET"}, "http://127.0.0.1:1", http.DefaultClient)
	assert.ErrorContains(t, err, "$TOKEN_TEST_UNSET is not set")
}

// Tokens are held per virtual user (one for all under a client-credentials grant),
// refreshed in the background once three quarters of their life are gone, and fetched
// while the caller waits only when none is valid.
func TestTokensAreHeldPerUserUntilShortlyBeforeTheyExpire(t *testing.T) {
	e := &tokenEndpoint{ttl: 100}
	srv := httptest.NewServer(e)
	defer srv.Close()
	now := time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)
	var clockMu sync.Mutex
	clock := func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return now }
	advance := func(d time.Duration) { clockMu.Lock(); now = now.Add(d); clockMu.Unlock() }
	cfg := scenarios.SUT{}.TokenEndpoint()
	cfg.Path = "/realms/npsp/token"
	tokens, err := NewTokens(cfg, srv.URL, srv.Client())
	require.NoError(t, err)
	tokens.now = clock
	ctx := context.Background()

	a1, err := tokens.Token(ctx, "a")
	require.NoError(t, err)
	b1, err := tokens.Token(ctx, "b")
	require.NoError(t, err)
	assert.NotEqual(t, a1, b1, "one token per user")
	again, err := tokens.Token(ctx, "a")
	require.NoError(t, err)
	assert.Equal(t, a1, again, "held, not fetched again")
	assert.Equal(t, 2, e.count())

	advance(80 * time.Second) // past three quarters of 100 s
	stale, err := tokens.Token(ctx, "a")
	require.NoError(t, err)
	assert.Equal(t, a1, stale, "still valid: the caller goes on with it")
	require.Eventually(t, func() bool { return e.count() == 3 }, 5*time.Second, 10*time.Millisecond, "refreshed in the background")
	require.Eventually(t, func() bool { tok, _ := tokens.Token(ctx, "a"); return tok != a1 }, 5*time.Second, 10*time.Millisecond)

	advance(200 * time.Second) // b's has expired
	b2, err := tokens.Token(ctx, "b")
	require.NoError(t, err)
	assert.NotEqual(t, b1, b2, "an expired token is fetched anew")

	shared := ServiceTokens(srv.URL+"/realms/npsp/token", "harness", "x", srv.Client())
	s1, err := shared.Token(ctx, "a")
	require.NoError(t, err)
	s2, err := shared.Token(ctx, "b")
	require.NoError(t, err)
	assert.Equal(t, s1, s2, "a client-credentials token is the client's, shared")
}

func TestTokensSayWhyThereIsNone(t *testing.T) {
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"error":"invalid_grant"}`, http.StatusUnauthorized)
	}))
	defer refuse.Close()
	_, err := ReferenceTokens(refuse.URL, refuse.Client()).Token(context.Background(), "001095000001")
	assert.ErrorContains(t, err, "401 Unauthorized")
	assert.ErrorContains(t, err, "invalid_grant")
}
