package runtime

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/scenarios"
	"github.com/thongsuot/thongsuot/stubs/credential"
)

// The per-registry links sit behind the shared trunk, each tier link in front of the
// portal's front door, and the tiers' standing toxics are on at bring-up.
func TestRegistryAndTierLinks(t *testing.T) {
	tiers := map[string]scenarios.Tier{}
	for name, tier := range scenarios.DefaultTiers {
		tiers[name] = tier
	}
	st, err := Embedded{}.Up(context.Background(), Options{Seed: 1, Citizens: 100, TokenTTL: time.Hour, DataDir: t.TempDir(), Tiers: tiers})
	require.NoError(t, err)
	defer func() { assert.NoError(t, st.Close()) }()

	trunk := st.Proxies["portal->registry"]
	for _, r := range scenarios.Registries {
		assert.Equal(t, trunk.Listen, st.Proxies[scenarios.RegistryLink(r)].Upstream, "%s goes through the trunk", r)
	}
	front := st.Proxies["client->portal"]
	trunk2 := st.Proxies[scenarios.TrunkLink]
	province := st.Proxies[scenarios.AggregationLink]
	assert.Equal(t, front.Listen, trunk2.Upstream, "the data-centre trunk leads to the front door")
	assert.Equal(t, trunk2.Listen, province.Upstream, "the province's aggregation link to the trunk")
	for _, tier := range scenarios.Tiers {
		p := st.Proxies[scenarios.TierLink(tier)]
		assert.Equal(t, province.Listen, p.Upstream, "%s clients come in through the province and the trunk", tier)
		toxics, err := p.Toxics()
		require.NoError(t, err)
		var types []string
		for _, tx := range toxics {
			types = append(types, tx.Type+" "+tx.Stream)
		}
		// The meters first, on every link; loss is last: urban has none by default.
		assert.ElementsMatch(t, []string{"meter upstream", "meter downstream", "shared_bandwidth upstream", "shared_bandwidth downstream",
			"latency downstream", "loss upstream", "loss downstream"}[:len(types)], types, tier)
		require.Contains(t, st.Tiers, tier)
		before := st.LinkBytes()[scenarios.TierLink(tier)]
		resp, err := http.Get(st.Tiers[tier] + "/readyz")
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		after := st.LinkBytes()[scenarios.TierLink(tier)]
		assert.Greater(t, after.Up, before.Up, "%s's meter counted the request", tier)
		assert.GreaterOrEqual(t, after.Down-before.Down, int64(len(body)), "%s's meter counted the answer, headers too", tier)
	}

	// A submission checks the applicant with the population registry over its own link:
	// another registry's link down does not matter, the population link down does.
	ep := load.Endpoints{Portal: st.Portal, Identity: st.Identity}
	// A new citizen each time: a repeated submission would be an idempotent replay.
	citizen := 0
	prepare := func() error {
		citizen++
		id := st.Citizen(citizen).PersonalID
		_, err := load.Prepare(context.Background(), load.NewClient(5*time.Second), ep, func(int) string { return id }, 1)
		return err
	}
	require.NoError(t, st.Proxies[scenarios.RegistryLink("tax")].Disable())
	assert.NoError(t, prepare(), "tax down: a dossier is still filed")

	require.NoError(t, st.Proxies[scenarios.RegistryLink("tax")].Enable())
	require.NoError(t, st.Proxies[scenarios.RegistryLink("population")].Disable())
	assert.ErrorContains(t, prepare(), "503", "population down: the applicant check fails")
	require.NoError(t, st.Proxies[scenarios.RegistryLink("population")].Enable())
	require.NoError(t, trunk.Disable())
	assert.ErrorContains(t, prepare(), "503", "the trunk down: every registry is unreachable")
	require.NoError(t, trunk.Enable())
	assert.NoError(t, prepare(), "and back")
}

// What each source of a role does to the links: a portal already running calls what it
// calls (no outbound links), a replaced registry has a link of its own straight to it,
// and client links always stand in front of the portal and identity.
func TestTopologyFollowsTheRoles(t *testing.T) {
	names := func(ls []linkSpec) map[string]linkSpec {
		out := map[string]linkSpec{}
		for _, l := range ls {
			out[l.name] = l
		}
		return out
	}
	tests := []struct {
		name     string
		sut      scenarios.SUT
		links    int
		absent   []string
		directTo map[string]string // link → the role it leads to without a chain
	}{
		{"reference", scenarios.SUT{}, len(scenarios.Links), nil, map[string]string{"portal->registry": "registry", "client->portal": "portal"}},
		{"a portal already running", scenarios.SUT{Portal: scenarios.Role{URL: "http://127.0.0.1:9"}, Identity: scenarios.Role{URL: "http://127.0.0.1:8"}},
			4 + 2*len(scenarios.Tiers), []string{"portal->identity", "portal->registry", "portal->registry.population"}, map[string]string{"client->identity": "identity"}},
		{"an image portal keeps every link", scenarios.SUT{Portal: scenarios.Role{Image: "npsp:1"}}, len(scenarios.Links), nil, map[string]string{"portal->identity": "identity"}},
		{"a replaced registry", scenarios.SUT{Registries: map[string]scenarios.Role{"land": {URL: "http://10.0.0.1"}}}, len(scenarios.Links), nil,
			map[string]string{"portal->registry.land": "registry.land", "portal->registry": "registry"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ls := topology(tt.sut)
			got := names(ls)
			assert.Len(t, ls, tt.links)
			for _, a := range tt.absent {
				assert.NotContains(t, got, a)
			}
			for link, role := range tt.directTo {
				assert.Equal(t, role, got[link].role, link)
				assert.Empty(t, got[link].via, link)
			}
			for _, tier := range scenarios.Tiers {
				assert.Equal(t, rolePortal, target(ls, scenarios.TierLink(tier)), "every tier reaches the portal")
				assert.Equal(t, roleIdentity, target(ls, scenarios.TierIdentityLink(tier)), "and identity: logins go over the tier")
			}
		})
	}
}

// A role already running is reached through its proxy with its own scheme and path, and
// requests through the proxy name the host its URL names.
func TestEmbeddedStackInFrontOfARunningPortal(t *testing.T) {
	ref, err := Embedded{}.Up(context.Background(), Options{Seed: 1, Citizens: 100, TokenTTL: time.Hour, DataDir: t.TempDir()})
	require.NoError(t, err)
	defer func() { assert.NoError(t, ref.Close()) }()

	sut := scenarios.SUT{Portal: scenarios.Role{URL: ref.Direct[rolePortal] + "/"}, Identity: scenarios.Role{URL: ref.Direct[roleIdentity]}}
	st, err := Embedded{}.Up(context.Background(), Options{Seed: 1, Citizens: 100, TokenTTL: time.Hour, SUT: sut})
	require.NoError(t, err)
	defer func() { assert.NoError(t, st.Close()) }()

	assert.NotContains(t, st.Proxies, "portal->registry", "a running portal has no outbound links")
	assert.Equal(t, ref.Direct[rolePortal][len("http://"):], st.Proxies["client->portal"].Upstream)
	assert.Equal(t, "http://"+st.Links["client->portal"]+"/", st.Portal, "the URL's path is kept")
	assert.Equal(t, ref.Direct[rolePortal][len("http://"):], st.Names[st.Links["client->portal"]], "the URL's host is named")
	require.Len(t, st.Systems, 2, "no registry: the portal's own")
	assert.Equal(t, "url "+sut.Portal.URL, st.Systems[0].Describe("dev"))
	assert.Equal(t, "the portal's own (not started by thongsuot)", st.Describe("dev")["registries"])

	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get(st.Portal + "readyz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, st.Proxies["client->portal"].Disable())
	_, err = client.Get(st.Portal + "readyz")
	assert.Error(t, err, "its client link breaks it")
	require.NoError(t, st.Proxies["client->portal"].Enable())
	assert.Error(t, st.Roles.Act(context.Background(), rolePortal, scenarios.ActionKill), "no process of a running portal to kill")
}

// The contract names the stubs' own variables for the secrets: one name each, whoever
// reads it — the reference stub or the user's image.
func TestContractSecretsAreTheStubsVariables(t *testing.T) {
	assert.Equal(t, credential.AdminTokenEnv, scenarios.EnvAdminToken)
	assert.Equal(t, credential.RegistryTokenEnv, scenarios.EnvRegistryToken)
	env := contractEnv(newWiring(), Options{Seed: 7, Citizens: 100}, "admin", "registry")
	assert.NotContains(t, env[rolePortal], scenarios.EnvAdminToken, "the portal gets no admin secret")
	assert.Equal(t, "registry", env[rolePortal][scenarios.EnvRegistryToken])
	assert.Equal(t, "7", env[roleIdentity][scenarios.EnvSeed])
	assert.Equal(t, "admin", env[scenarios.RoleRegistry("land")][scenarios.EnvAdminToken])
	for _, r := range scenarios.Registries {
		assert.Contains(t, env[rolePortal], scenarios.RegistryURLEnv(r))
	}
	// The provinces' systems, each through the exchange and its own link.
	w := newWiring()
	w.urls[scenarios.ProvinceLink("79")] = "http://toxiproxy:21079"
	env = contractEnv(w, Options{Seed: 7, Citizens: 100}, "admin", "registry")
	assert.Equal(t, "http://toxiproxy:21079", env[rolePortal]["THONGSUOT_PROVINCE_URL_79"])
	assert.Contains(t, scenarios.ContractEnv(), "THONGSUOT_PROVINCE_URL_01", "a scenario may pass it on")
}

// A toxiproxy server of this binary serves its meters over its API, and a stack whose
// toxiproxy runs elsewhere (a container) reads its links from there: the same bytes as
// the server's process reads, and the request and answer each way.
func TestMetersAreReadOverTheAPI(t *testing.T) {
	body := strings.Repeat("x", 10_000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, body) }))
	defer srv.Close()
	tp, err := StartToxiproxy("127.0.0.1:0")
	require.NoError(t, err)
	defer tp.Close()
	p, err := tp.Proxy("client->portal", "127.0.0.1:0", strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	proxies := map[string]*toxiproxy.Proxy{"client->portal": p}
	remote, forget, err := meter(proxies, remoteMeters(tp.Addr))
	require.NoError(t, err)
	defer forget()
	for range 3 {
		resp, err := http.Get("http://" + p.Listen + "/")
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	got := remote()["client->portal"]
	assert.Greater(t, got.Down, int64(3*len(body)), "three answers and their headers")
	assert.Positive(t, got.Up, "three requests")
	all, err := localMeters()
	require.NoError(t, err)
	var up, down int64
	for k, v := range all {
		switch {
		case strings.HasSuffix(k, "|client->portal|upstream"):
			up += v
		case strings.HasSuffix(k, "|client->portal|downstream"):
			down += v
		}
	}
	assert.Equal(t, LinkBytes{Up: up, Down: down}, got, "what the server's process counts")

	broken, _, err := meter(map[string]*toxiproxy.Proxy{}, remoteMeters("127.0.0.1:1"))
	require.NoError(t, err)
	assert.Nil(t, broken(), "no reading when the API cannot be reached")
}
