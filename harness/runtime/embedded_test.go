package runtime

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/scenarios"
)

func TestEmbeddedStackHasEveryLink(t *testing.T) {
	st, err := Embedded{}.Up(context.Background(), Options{Seed: 1, Citizens: 100, TokenTTL: time.Hour, DataDir: t.TempDir()})
	require.NoError(t, err)
	defer func() { assert.NoError(t, st.Close()) }()

	for _, link := range scenarios.Links {
		assert.Contains(t, st.Proxies, link, "every link a scenario can name has a proxy")
	}
	client := &http.Client{Timeout: 2 * time.Second}
	get := func(url string) (int, error) {
		resp, err := client.Get(url)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	for _, url := range []string{st.Portal + "/readyz", st.Identity + "/.well-known/jwks.json", st.Portal + "/api/v1/procedures?q=khai"} {
		code, err := get(url)
		require.NoError(t, err, url)
		assert.Equal(t, http.StatusOK, code, url)
	}
	assert.Len(t, st.Citizen(7).PersonalID, 12)

	// Breaking client->portal breaks the portal for clients, and only while broken.
	require.NoError(t, st.Proxies["client->portal"].Disable())
	_, err = get(st.Portal + "/readyz")
	assert.Error(t, err)
	require.NoError(t, st.Proxies["client->portal"].Enable())
	code, err := get(st.Portal + "/readyz")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, code)
}

func TestUnknownRuntime(t *testing.T) {
	_, err := New("mainframe", nil)
	assert.ErrorContains(t, err, "known: embedded, containers")
	rt, err := New("", nil)
	require.NoError(t, err)
	assert.IsType(t, Embedded{}, rt)
}

func TestTopologyIsTheSchemaLinks(t *testing.T) {
	var names []string
	seen := map[string]bool{}
	for _, l := range topology(scenarios.SUT{}) {
		names = append(names, l.name)
		if l.via != "" {
			assert.True(t, seen[l.via], "%s chains onto %s, which must come first", l.name, l.via)
		} else {
			assert.Contains(t, []string{"portal", "identity", "registry", "province"}, l.role, l.name)
		}
		seen[l.name] = true
	}
	assert.ElementsMatch(t, scenarios.Links, names)
}

// TestEmbeddedStackGuardsAdminAndPersonalData: see checkCredentials.
func TestEmbeddedStackGuardsAdminAndPersonalData(t *testing.T) {
	st, err := Embedded{}.Up(context.Background(), Options{Seed: 1, Citizens: 100, TokenTTL: time.Hour, DataDir: t.TempDir()})
	require.NoError(t, err)
	defer func() { assert.NoError(t, st.Close()) }()
	checkCredentials(t, st, "http://"+st.Proxies["portal->registry"].Listen)
}

// checkCredentials: the stack's admin APIs and the registries' personal records
// refuse callers without the credential, the stack's admin token opens the admin
// APIs, and the portal holds its own credential for the registries (a submission,
// which checks the applicant with the population registry, succeeds). registryURL
// is where the test reaches the registry ("" when it cannot: containers).
func checkCredentials(t *testing.T, st *Stack, registryURL string) {
	require.Len(t, st.AdminToken, 64)
	person := st.Citizen(0).PersonalID
	client := &http.Client{Timeout: 5 * time.Second}
	send := func(t *testing.T, method, url, token, body string) int {
		req, err := http.NewRequest(method, url, strings.NewReader(body))
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	type row struct {
		name, method, url, token string
		code                     int
	}
	tests := []row{
		{"identity knobs without a token", http.MethodGet, st.Identity + "/admin/v1/knobs", "", http.StatusUnauthorized},
		{"identity key rotation without a token", http.MethodPost, st.Identity + "/admin/v1/keys/rotate", "", http.StatusUnauthorized},
		{"identity knobs with the admin token", http.MethodGet, st.Identity + "/admin/v1/knobs", st.AdminToken, http.StatusOK},
		{"portal receipts without a token", http.MethodGet, st.Portal + "/admin/v1/receipts", "", http.StatusUnauthorized},
	}
	if registryURL != "" {
		tests = append(tests,
			row{"registry knobs without a token", http.MethodGet, registryURL + "/admin/v1/knobs", "", http.StatusUnauthorized},
			row{"registry ledger without a token", http.MethodGet, registryURL + "/admin/v1/ledger", "", http.StatusUnauthorized},
			row{"registry knobs with the admin token", http.MethodGet, registryURL + "/admin/v1/knobs", st.AdminToken, http.StatusOK},
			row{"personal record without a token", http.MethodGet, registryURL + "/population/v1/citizens/" + person, "", http.StatusUnauthorized},
			row{"personal record with the admin token", http.MethodGet, registryURL + "/population/v1/citizens/" + person, st.AdminToken, http.StatusUnauthorized},
		)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.code, send(t, tt.method, tt.url, tt.token, ""))
		})
	}

	var tok struct {
		AccessToken string `json:"access_token"`
	}
	resp, err := client.PostForm(st.Identity+"/oauth2/token", url.Values{"grant_type": {"password"}, "username": {person}, "password": {"x"}})
	require.NoError(t, err)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	resp.Body.Close()
	assert.Equal(t, http.StatusCreated, send(t, http.MethodPost, st.Portal+"/api/v1/dossiers", tok.AccessToken, `{"procedure_code":"1.001193","unit_code":"00004"}`),
		"the portal reaches the population registry with its own credential")
}
