package runtime

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryServerHasTimeouts: the toxiproxy API and every embedded role are served
// with the timeouts of server.go, none left at zero (no limit).
func TestEveryServerHasTimeouts(t *testing.T) {
	tp, err := StartToxiproxy("127.0.0.1:0")
	require.NoError(t, err)
	defer tp.Close()
	st, err := Embedded{}.Up(context.Background(), Options{Seed: 1, Citizens: 100, TokenTTL: time.Hour, DataDir: t.TempDir()})
	require.NoError(t, err)
	defer func() { assert.NoError(t, st.Close()) }()

	servers := map[string]*http.Server{"toxiproxy API": tp.http}
	for role, p := range st.Roles.(*embeddedRoles).procs {
		servers[role] = p.srv
	}
	require.Len(t, servers, 5) // portal, identity, registry, province, toxiproxy
	for name, srv := range servers {
		t.Run(name, func(t *testing.T) {
			require.NotNil(t, srv)
			assert.Equal(t, ReadHeaderTimeout, srv.ReadHeaderTimeout)
			assert.Equal(t, ReadTimeout, srv.ReadTimeout)
			assert.Equal(t, WriteTimeout, srv.WriteTimeout)
			assert.Equal(t, IdleTimeout, srv.IdleTimeout)
		})
	}
}

// TestTimeoutsLeaveRoomForSlowAnswers: the bounds are above what legitimate
// traffic needs — a scenario request may take 10 s, and the portal waits up to
// 60 s for an attachment before it starts handling it.
func TestTimeoutsLeaveRoomForSlowAnswers(t *testing.T) {
	const scenarioRequestTimeout, attachmentTimeout = 10 * time.Second, time.Minute
	tests := []struct {
		name      string
		got, over time.Duration
	}{
		{"reading a request outlasts a slow legitimate answer", ReadTimeout, scenarioRequestTimeout},
		{"writing outlasts the slowest body and its handling", WriteTimeout, attachmentTimeout + scenarioRequestTimeout},
		{"headers come sooner than bodies", ReadTimeout, ReadHeaderTimeout},
	}
	for _, tt := range tests {
		assert.Greater(t, tt.got, tt.over, tt.name)
	}
}
