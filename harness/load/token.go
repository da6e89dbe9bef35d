package load

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/thongsuot/thongsuot/scenarios"
)

// Tokens gets bearer tokens from an OAuth2 token endpoint — the identity role's, or one
// the scenario names — with a password grant (each virtual user as themselves) or a
// client-credentials grant (one client for all), and keeps each user's token until
// shortly before it expires. Safe for concurrent use.
type Tokens struct {
	Endpoint     string
	Grant        string // scenarios.GrantPassword or GrantClientCreds
	ClientID     string
	ClientSecret string
	Username     string // with scenarios.UsernameID where the user's reference name goes
	Password     string
	Scope        string

	client *http.Client
	now    func() time.Time

	mu    sync.Mutex
	cache map[string]*heldToken
}

// heldToken is one user's token, and whether a refresh of it is on its way.
type heldToken struct {
	token           string
	issued, expires time.Time // expires zero: the endpoint did not say
	refreshing      bool
}

// anyPassword is what virtual users give the reference identity provider, which takes
// any non-empty password.
const anyPassword = "thongsuot"

// NewTokens makes the token client cfg (resolved: scenarios.SUT.TokenEndpoint)
// describes; identity is the identity role's base URL, which cfg.Path is on. Secrets
// come from the environment variables cfg names.
func NewTokens(cfg scenarios.Token, identity string, client *http.Client) (*Tokens, error) {
	t := &Tokens{Endpoint: TokenEndpoint(cfg, identity), Grant: cfg.Grant, ClientID: cfg.ClientID, Username: cfg.Username,
		Password: anyPassword, Scope: cfg.Scope, client: client}
	var err error
	if t.ClientSecret, err = secret("sut.token.client_secret_env", cfg.ClientSecretEnv); err != nil {
		return nil, err
	}
	if cfg.PasswordEnv != "" {
		if t.Password, err = secret("sut.token.password_env", cfg.PasswordEnv); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// TokenEndpoint is the URL of cfg's token endpoint: its own, or its path on identity.
func TokenEndpoint(cfg scenarios.Token, identity string) string {
	if cfg.URL != "" {
		return cfg.URL
	}
	return strings.TrimSuffix(identity, "/") + cfg.Path
}

// ReferenceTokens are the reference identity provider's: a password grant at
// identity's /oauth2/token as the portal's public client.
func ReferenceTokens(identity string, client *http.Client) *Tokens {
	t, _ := NewTokens(scenarios.SUT{}.TokenEndpoint(), identity, client) // names no secret: cannot fail
	return t
}

// ServiceTokens get one client-credentials token: the harness's own, to read an admin
// listing.
func ServiceTokens(endpoint, clientID, clientSecret string, client *http.Client) *Tokens {
	return &Tokens{Endpoint: endpoint, Grant: scenarios.GrantClientCreds, ClientID: clientID, ClientSecret: clientSecret, client: client}
}

// secret reads the environment variable name ("" names none).
func secret(field, name string) (string, error) {
	if name == "" {
		return "", nil
	}
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return "", fmt.Errorf("%s: $%s is not set", field, name)
	}
	return v, nil
}

// Form is the grant for the user whose reference name is id.
func (t *Tokens) Form(id string) url.Values {
	form := url.Values{"grant_type": {t.Grant}, "client_id": {t.ClientID}}
	if t.ClientSecret != "" {
		form.Set("client_secret", t.ClientSecret)
	}
	if t.Scope != "" {
		form.Set("scope", t.Scope)
	}
	if t.Grant != scenarios.GrantClientCreds {
		form.Set("username", strings.ReplaceAll(t.Username, scenarios.UsernameID, id))
		form.Set("password", t.Password)
	}
	return form
}

// Login is the sign-in request of user id, as the login class and journeys send it.
func (t *Tokens) Login(id string) (method, url string, header http.Header, body []byte) {
	return http.MethodPost, t.Endpoint, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, []byte(t.Form(id).Encode())
}

// Token is user id's bearer token: the one held while it is valid — refreshed in the
// background once three quarters of its life are gone — else a new one, waited for.
// Under a client-credentials grant every user shares the client's.
func (t *Tokens) Token(ctx context.Context, id string) (string, error) {
	key := id
	if t.Grant == scenarios.GrantClientCreds {
		key = ""
	}
	now := t.clock()
	t.mu.Lock()
	if t.cache == nil {
		t.cache = map[string]*heldToken{}
	}
	h := t.cache[key]
	if h != nil && (h.expires.IsZero() || now.Before(h.expires)) {
		if !h.expires.IsZero() && !h.refreshing && now.After(h.issued.Add(h.expires.Sub(h.issued)*3/4)) {
			h.refreshing = true
			go t.refresh(key, id) // the caller goes on with the token still valid
		}
		tok := h.token
		t.mu.Unlock()
		return tok, nil
	}
	t.mu.Unlock()
	return t.fetch(ctx, key, id)
}

func (t *Tokens) refresh(key, id string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := t.fetch(ctx, key, id); err != nil {
		t.mu.Lock()
		if h := t.cache[key]; h != nil {
			h.refreshing = false // try again at the next use
		}
		t.mu.Unlock()
	}
}

// fetch signs id in and holds the token.
func (t *Tokens) fetch(ctx context.Context, key, id string) (string, error) {
	method, u, header, body := t.Login(id)
	req, err := http.NewRequestWithContext(ctx, method, u, strings.NewReader(string(body)))
	if err != nil {
		return "", err
	}
	req.Header = header
	issued := t.clock()
	resp, err := t.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("token for %s: %w", orClient(id), err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("token for %s: %w", orClient(id), err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("token for %s: POST %s: %s: %s", orClient(id), u, resp.Status, strings.TrimSpace(string(data)))
	}
	tok, err := t.hold(key, data, issued)
	if err != nil {
		return "", fmt.Errorf("token for %s: POST %s: %w", orClient(id), u, err)
	}
	return tok, nil
}

// accessToken reads a token endpoint's answer: the token and its life in seconds (0:
// not said).
func accessToken(data []byte) (string, float64, error) {
	var tok struct {
		AccessToken string  `json:"access_token"`
		ExpiresIn   float64 `json:"expires_in"`
	}
	if err := json.Unmarshal(data, &tok); err != nil || tok.AccessToken == "" {
		return "", 0, fmt.Errorf("no access_token in the answer")
	}
	return tok.AccessToken, tok.ExpiresIn, nil
}

// hold keeps the token of a token endpoint's answer (data) for key, issued then.
func (t *Tokens) hold(key string, data []byte, issued time.Time) (string, error) {
	token, expiresIn, err := accessToken(data)
	if err != nil {
		return "", err
	}
	h := &heldToken{token: token, issued: issued}
	if expiresIn > 0 {
		h.expires = issued.Add(time.Duration(expiresIn * float64(time.Second)))
	}
	t.mu.Lock()
	if t.cache == nil {
		t.cache = map[string]*heldToken{}
	}
	t.cache[key] = h
	t.mu.Unlock()
	return h.token, nil
}

// held is key's token while less than three quarters of its life are gone; false when
// there is none or it is due for a refresh.
func (t *Tokens) held(key string) (string, bool) {
	now := t.clock()
	t.mu.Lock()
	defer t.mu.Unlock()
	h := t.cache[key]
	if h == nil || !h.expires.IsZero() && now.After(h.issued.Add(h.expires.Sub(h.issued)*3/4)) {
		return "", false
	}
	return h.token, true
}

func (t *Tokens) clock() time.Time {
	if t.now != nil {
		return t.now()
	}
	return time.Now()
}

func orClient(id string) string {
	if id == "" {
		return "the service client"
	}
	return id
}

// tokens is the token client of the run: set-up's, which holds the users' tokens.
func (e *env) tokens() *Tokens {
	if e.setup != nil && e.setup.Tokens != nil {
		return e.setup.Tokens
	}
	return ReferenceTokens(e.ep.Identity, nil) // builds requests only: nothing to fetch with
}

// bearer is user u's token: held by the token client, refreshed before it expires.
func (e *env) bearer(u User) string {
	if e.setup == nil || e.setup.Tokens == nil {
		return u.Token
	}
	// A fetch that fails leaves the last token: the request then shows what the portal
	// makes of it (401), where the verdict sees it.
	if tok, err := e.setup.Tokens.Token(context.Background(), u.ID); err == nil {
		return tok
	}
	return u.Token
}
