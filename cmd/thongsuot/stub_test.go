package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/runtime/runtimetest"
	"github.com/thongsuot/thongsuot/stubs/census"
	"github.com/thongsuot/thongsuot/stubs/credential"
)

// stubProcess starts `thongsuot stub ROLE args...` and returns it with its base URL.
func stubProcess(t *testing.T, bin, role string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd, addr, _ := stubProcessSaying(t, bin, role, args...)
	return cmd, addr
}

// stubProcessSaying is stubProcess that also returns what the stub printed before
// it said where it listens (the credentials it made up, the example logins).
func stubProcessSaying(t *testing.T, bin, role string, args ...string) (*exec.Cmd, string, []string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"stub", role, "--listen", "127.0.0.1:0"}, args...)...)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(out)
	var said []string
	for sc.Scan() {
		if _, addr, ok := strings.Cut(sc.Text(), "listening on "); ok {
			go func() {
				for sc.Scan() {
				}
			}()
			waitOK(t, addr+"/readyz")
			return cmd, addr, said
		}
		said = append(said, sc.Text())
	}
	t.Fatalf("stub %s did not say where it listens", role)
	return nil, "", nil
}

// referenceProcesses starts the reference identity provider and registry as processes
// of their own, on the census runs draw from (20 000 citizens, seed 1), and returns
// identity's URL and the flags a portal process needs to reach both.
func referenceProcesses(t *testing.T, bin, adminToken, registryToken string) (identity string, portalArgs []string) {
	t.Helper()
	_, identity = stubProcess(t, bin, "identity", "--citizens", "20000", "--admin-token", adminToken)
	_, registry := stubProcess(t, bin, "registry", "--citizens", "20000", "--client-token", registryToken)
	return identity, []string{"--identity", identity, "--registry", registry, "--registry-token", registryToken}
}

func waitOK(t *testing.T, u string) {
	t.Helper()
	require.Eventually(t, func() bool {
		resp, err := http.Get(u)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 20*time.Second, 20*time.Millisecond, u)
}

func token(t *testing.T, identity string, form url.Values) string {
	t.Helper()
	resp, err := http.PostForm(identity+"/oauth2/token", form)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	return tok.AccessToken
}

// The crash test of the reference portal: `thongsuot stub portal` is killed with
// SIGKILL during submissions and restarted on the same data directory; every dossier
// that got a 201 is there afterwards, once.
func TestStubPortalSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	bin := runtimetest.Binary(t)
	const adminToken = "crash-admin"
	idURL, portalArgs := referenceProcesses(t, bin, adminToken, "crash-registry")
	portalArgs = append(portalArgs, "--data", t.TempDir())
	portal, portalURL := stubProcess(t, bin, "portal", portalArgs...)

	people := census.New(1, 1000)
	var mu sync.Mutex
	acked := map[string]string{} // id → receipt
	var stopped atomic.Bool
	var wg sync.WaitGroup
	for i := range 16 {
		c := people.Citizen(i * 20) // i*20 % 20 == 0: level 2
		tok := token(t, idURL, url.Values{"grant_type": {"password"}, "username": {c.PersonalID}, "password": {"x"}})
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 2 * time.Second}
			for n := 0; !stopped.Load() && n < 100_000; n++ {
				req, _ := http.NewRequest(http.MethodPost, portalURL+"/api/v1/dossiers",
					strings.NewReader(`{"procedure_code":"1.001193","unit_code":"00004"}`))
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", fmt.Sprintf("crash-%d-%d", i, n))
				resp, err := client.Do(req)
				if err != nil {
					continue // the process is gone: no acknowledgement
				}
				var body struct{ ID, Receipt string }
				if resp.StatusCode == http.StatusCreated && json.NewDecoder(resp.Body).Decode(&body) == nil {
					mu.Lock()
					acked[body.ID] = body.Receipt
					mu.Unlock()
				}
				resp.Body.Close()
			}
		}()
	}
	time.Sleep(time.Second)
	require.NoError(t, portal.Process.Kill()) // SIGKILL: no shutdown, no flush
	_ = portal.Wait()
	stopped.Store(true)
	wg.Wait()
	require.NotEmpty(t, acked)

	_, portalURL = stubProcess(t, bin, "portal", portalArgs...)
	admin := token(t, idURL, url.Values{"grant_type": {"client_credentials"}, "client_id": {"thongsuot-harness"}, "client_secret": {adminToken}})
	req, _ := http.NewRequest(http.MethodGet, portalURL+"/admin/v1/receipts?limit=100000", nil)
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var page struct {
		Receipts []struct{ ID, Receipt string }
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&page))
	stored := map[string]string{}
	for _, r := range page.Receipts {
		require.NotContains(t, stored, r.ID, "dossier %s stored twice", r.ID)
		stored[r.ID] = r.Receipt
	}
	t.Logf("%d acknowledged before SIGKILL, %d stored after restart", len(acked), len(stored))
	for id, receipt := range acked {
		assert.Equal(t, receipt, stored[id], "acknowledged dossier %s lost", id)
	}
}

// TestStubCredentials: `thongsuot stub identity|registry` guard their admin APIs
// (and the registry its personal records) with a secret: made up and printed when
// none is given, taken from the environment or the flag otherwise; --no-auth opens
// them for poking by hand.
func TestStubCredentials(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	bin := runtimetest.Binary(t)
	person := census.New(1, 100).Citizen(0).PersonalID
	printed := func(said []string, prefix string) string {
		for _, line := range said {
			if _, tok, ok := strings.Cut(line, prefix); ok {
				if _, tok, ok = strings.Cut(tok, ": "); ok {
					return tok
				}
			}
		}
		t.Fatalf("no %q line in %q", prefix, said)
		return ""
	}
	_, idMadeUp, idSaid := stubProcessSaying(t, bin, "identity", "--citizens", "100")
	_, regMadeUp, regSaid := stubProcessSaying(t, bin, "registry", "--citizens", "100")
	_, regGiven, regGivenSaid := stubProcessSaying(t, bin, "registry", "--citizens", "100", "--admin-token", "given-admin", "--client-token", "given-client")
	_, regOpen := stubProcess(t, bin, "registry", "--citizens", "100", "--no-auth")
	_, idOpen := stubProcess(t, bin, "identity", "--citizens", "100", "--no-auth")
	t.Setenv(credential.RegistryTokenEnv, "from-env") // how the containers runtime passes it
	_, regEnv, regEnvSaid := stubProcessSaying(t, bin, "registry", "--citizens", "100")
	assert.NotContains(t, strings.Join(regEnvSaid, "\n"), "client token", "a secret from the environment is not printed")
	idAdmin, regAdmin, regClient := printed(idSaid, "admin token"), printed(regSaid, "admin token"), printed(regSaid, "client token")
	assert.Len(t, idAdmin, 64)
	assert.NotEqual(t, regAdmin, regClient)
	for _, line := range regGivenSaid {
		assert.NotContains(t, line, "given-", "secrets that were given are not printed")
	}
	tests := []struct {
		name, method, url, token string
		code                     int
	}{
		{"identity admin, no token", http.MethodGet, idMadeUp + "/admin/v1/knobs", "", http.StatusUnauthorized},
		{"identity admin, printed token", http.MethodGet, idMadeUp + "/admin/v1/knobs", idAdmin, http.StatusOK},
		{"identity rotation, no token", http.MethodPost, idMadeUp + "/admin/v1/keys/rotate", "", http.StatusUnauthorized},
		{"identity admin, --no-auth", http.MethodGet, idOpen + "/admin/v1/knobs", "", http.StatusOK},
		{"registry admin, no token", http.MethodGet, regMadeUp + "/admin/v1/ledger", "", http.StatusUnauthorized},
		{"registry admin, printed token", http.MethodGet, regMadeUp + "/admin/v1/ledger", regAdmin, http.StatusOK},
		{"personal record, no token", http.MethodGet, regMadeUp + "/population/v1/citizens/" + person, "", http.StatusUnauthorized},
		{"personal record, admin token", http.MethodGet, regMadeUp + "/population/v1/citizens/" + person, regAdmin, http.StatusUnauthorized},
		{"personal record, printed client token", http.MethodGet, regMadeUp + "/population/v1/citizens/" + person, regClient, http.StatusOK},
		{"personal record, given client token", http.MethodGet, regGiven + "/population/v1/citizens/" + person, "given-client", http.StatusOK},
		{"registry admin, given admin token", http.MethodGet, regGiven + "/admin/v1/knobs", "given-admin", http.StatusOK},
		{"personal record, client token from the environment", http.MethodGet, regEnv + "/population/v1/citizens/" + person, "from-env", http.StatusOK},
		{"personal record, --no-auth", http.MethodGet, regOpen + "/population/v1/citizens/" + person, "", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, tt.url, nil)
			require.NoError(t, err)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, tt.code, resp.StatusCode)
		})
	}
	harness := token(t, idMadeUp, url.Values{"grant_type": {"client_credentials"}, "client_id": {"thongsuot-harness"}, "client_secret": {idAdmin}})
	assert.NotEmpty(t, harness, "the printed admin token is the harness client's secret")
}
