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

// answers reports whether the portal answers /readyz with 200 within the timeout.
func answers(t *testing.T, portal string, timeout time.Duration) bool {
	t.Helper()
	c := &http.Client{Timeout: timeout}
	resp, err := c.Get(portal + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// eventually waits until the portal answers again.
func eventually(t *testing.T, portal string) {
	t.Helper()
	require.Eventually(t, func() bool { return answers(t, portal, time.Second) }, 20*time.Second, 50*time.Millisecond)
}

// actOnPortal drives every process action on the stack's portal and checks its effect
// through the client->portal link, then that Restore brings it back.
func actOnPortal(t *testing.T, st *Stack) {
	ctx := context.Background()
	for _, action := range scenarios.Actions {
		t.Run(action, func(t *testing.T) {
			require.NoError(t, st.Roles.Act(ctx, "portal", action), action)
			if action == scenarios.ActionRestart {
				eventually(t, st.Portal)
				return
			}
			assert.False(t, answers(t, st.Portal, 500*time.Millisecond), "the portal does not answer while it is %s", action)
			require.NoError(t, st.Roles.Restore(ctx, "portal", action))
			eventually(t, st.Portal)
		})
	}
	assert.Error(t, st.Roles.Act(ctx, "toxiproxy", scenarios.ActionKill), "the proxies are not the system's to break")
}

func TestEmbeddedProcessFaults(t *testing.T) {
	st, err := Embedded{}.Up(context.Background(), Options{Seed: 1, Citizens: 100, TokenTTL: time.Hour, DataDir: t.TempDir()})
	require.NoError(t, err)
	defer func() { assert.NoError(t, st.Close()) }()
	actOnPortal(t, st)
}
