package runtime_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/runtime"
	"github.com/thongsuot/thongsuot/harness/runtime/runtimetest"
	"github.com/thongsuot/thongsuot/scenarios"
)

func TestContainersStack(t *testing.T) {
	runtimetest.RequireDocker(t)
	runtimetest.Binary(t)
	ctx := context.Background()

	start := time.Now()
	st, err := runtime.Containers{Progress: os.Stderr}.Up(ctx, runtime.Options{Seed: 1, Citizens: 100, TokenTTL: time.Hour,
		Subsets: map[int][]string{0: {"remote"}}})
	require.NoError(t, err)
	t.Logf("containers up in %s", time.Since(start).Round(time.Millisecond))
	closed := false
	defer func() {
		if !closed {
			assert.NoError(t, st.Close())
		}
	}()

	for _, link := range append(scenarios.Links, scenarios.SubsetLink("remote", 0)) {
		assert.Contains(t, st.Proxies, link)
	}
	// Knob faults reach the stubs in their containers: the provincial systems' too.
	knob, err := st.Knobs.Knob(ctx, "province.79")
	require.NoError(t, err)
	require.NoError(t, st.Knobs.SetKnob(ctx, "province.79", map[string]any{"capacity": 3}))
	knob, err = st.Knobs.Knob(ctx, "province.79")
	require.NoError(t, err)
	assert.EqualValues(t, 3, knob["capacity"])
	client := &http.Client{Timeout: 3 * time.Second}
	for _, url := range []string{st.Portal + "/readyz", st.Identity + "/.well-known/jwks.json", st.Portal + "/api/v1/procedures?q=khai", st.Tiers["remote"] + "/readyz",
		"http://" + st.Links[scenarios.SubsetLink("remote", 0)] + "/readyz"} {
		resp, err := client.Get(url)
		require.NoError(t, err, url)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, url)
	}
	// The links' meters count in the toxiproxy container and are read over its API.
	require.NotNil(t, st.LinkBytes, "the containers runtime reads its links")
	carried := st.LinkBytes()
	assert.Positive(t, carried["client->portal"].Down, "client->portal carried the answers")
	assert.Positive(t, carried[scenarios.TierLink("remote")].Up, "the remote tier carried its request")

	// Every link's proxy and every role is at an address of this machine (thongsuot up
	// prints them), not only the client links.
	for link, addr := range st.Links {
		conn, err := net.DialTimeout("tcp", addr, 3*time.Second)
		require.NoError(t, err, "%s at %s", link, addr)
		conn.Close()
	}
	for role, base := range st.Direct {
		resp, err := client.Get(base + "/readyz")
		require.NoError(t, err, role)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, role)
	}
	require.NoError(t, st.Proxies["client->portal"].Disable())
	_, err = client.Get(st.Portal + "/readyz")
	assert.Error(t, err, "a disabled client->portal link refuses")
	require.NoError(t, st.Proxies["client->portal"].Enable())

	// The registry is reachable only inside the network: its credential is checked
	// through a submission, which the portal can make only with the right one.
	t.Run("credentials", func(t *testing.T) { runtime.CheckCredentials(t, st, "") })
	t.Run("process faults", func(t *testing.T) { runtime.ActOnPortal(t, st) })

	require.NoError(t, st.Close())
	closed = true
	assertNothingLeft(t)
}

// assertNothingLeft checks that no container, network or volume of this process's runs
// remains.
func assertNothingLeft(t *testing.T) {
	t.Helper()
	assert.Empty(t, runtimetest.Left(t, os.Getpid()), "left behind")
}
