package runtime

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/scenarios"
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
	for _, tier := range scenarios.Tiers {
		p := st.Proxies[scenarios.TierLink(tier)]
		assert.Equal(t, front.Listen, p.Upstream, "%s clients come in through the front door", tier)
		toxics, err := p.Toxics()
		require.NoError(t, err)
		var types []string
		for _, tx := range toxics {
			types = append(types, tx.Type+" "+tx.Stream)
		}
		// Loss is last: urban has none by default.
		assert.ElementsMatch(t, []string{"bandwidth upstream", "bandwidth downstream", "latency downstream", "loss upstream", "loss downstream"}[:len(types)], types, tier)
		require.Contains(t, st.Tiers, tier)
		resp, err := http.Get(st.Tiers[tier] + "/readyz")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
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
