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
)

// stubProcess starts `thongsuot stub ROLE args...` and returns it with its base URL.
func stubProcess(t *testing.T, bin, role string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"stub", role, "--listen", "127.0.0.1:0"}, args...)...)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if _, addr, ok := strings.Cut(sc.Text(), "listening on "); ok {
			go func() {
				for sc.Scan() {
				}
			}()
			waitOK(t, addr+"/readyz")
			return cmd, addr
		}
	}
	t.Fatalf("stub %s did not say where it listens", role)
	return nil, ""
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
	_, idURL := stubProcess(t, bin, "identity", "--citizens", "1000")
	_, regURL := stubProcess(t, bin, "registry", "--citizens", "1000")
	data := t.TempDir()
	portalArgs := []string{"--data", data, "--identity", idURL, "--registry", regURL}
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
	admin := token(t, idURL, url.Values{"grant_type": {"client_credentials"}, "client_id": {"thongsuot-harness"}, "client_secret": {"thongsuot-harness-secret"}})
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
