package runtime_test

import (
	"context"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/moby/moby/client"
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
	st, err := runtime.Containers{Progress: os.Stderr}.Up(ctx, runtime.Options{Seed: 1, Citizens: 100, TokenTTL: time.Hour})
	require.NoError(t, err)
	t.Logf("containers up in %s", time.Since(start).Round(time.Millisecond))
	closed := false
	defer func() {
		if !closed {
			assert.NoError(t, st.Close())
		}
	}()

	for _, link := range scenarios.Links {
		assert.Contains(t, st.Proxies, link)
	}
	client := &http.Client{Timeout: 3 * time.Second}
	for _, url := range []string{st.Portal + "/readyz", st.Identity + "/.well-known/jwks.json", st.Portal + "/api/v1/procedures?q=khai", st.Tiers["remote"] + "/readyz"} {
		resp, err := client.Get(url)
		require.NoError(t, err, url)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, url)
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

// assertNothingLeft checks that no container, network or volume with our label remains.
func assertNothingLeft(t *testing.T) {
	t.Helper()
	cli, err := client.New(client.FromEnv)
	require.NoError(t, err)
	defer cli.Close()
	filter := client.Filters{}.Add("label", runtime.LabelRun)
	ctx := context.Background()
	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: filter})
	require.NoError(t, err)
	assert.Empty(t, cs.Items, "containers left behind")
	ns, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: filter})
	require.NoError(t, err)
	assert.Empty(t, ns.Items, "networks left behind")
	vs, err := cli.VolumeList(ctx, client.VolumeListOptions{Filters: filter})
	require.NoError(t, err)
	assert.Empty(t, vs.Items, "volumes left behind")
}
