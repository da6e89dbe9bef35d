package runtime

import (
	"context"
	"net/http"
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
	for _, l := range topology() {
		names = append(names, l.name)
		if l.via != "" {
			assert.True(t, seen[l.via], "%s chains onto %s, which must come first", l.name, l.via)
		} else {
			assert.Contains(t, []string{"portal", "identity", "registry"}, l.role, l.name)
		}
		seen[l.name] = true
	}
	assert.ElementsMatch(t, scenarios.Links, names)
}
