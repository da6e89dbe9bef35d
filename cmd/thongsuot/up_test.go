package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/runtime"
	"github.com/thongsuot/thongsuot/scenarios"
)

// up shows the system as runs see it: what each role is, every link's proxy at an
// address of this machine with the tiers' standing toxics on, and commands whose
// addresses are the stack's own.
func TestUpDescribesTheStackAsRunsSeeIt(t *testing.T) {
	st, err := runtime.Embedded{}.Up(context.Background(), runtime.Options{Seed: 1, Citizens: 100, TokenTTL: time.Hour,
		DataDir: t.TempDir(), Tiers: scenarios.DefaultTiers})
	require.NoError(t, err)
	defer func() { assert.NoError(t, st.Close()) }()
	var out bytes.Buffer
	describeStack(&out, st)
	text := out.String()

	assert.Contains(t, text, "portal                 reference, thongsuot "+version)
	for _, link := range scenarios.Links {
		line := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(link) + ` +(127\.0\.0\.1:\d+) `).FindStringSubmatch(text)
		require.NotNil(t, line, "%s listed with its address", link)
		conn, err := net.DialTimeout("tcp", line[1], time.Second)
		require.NoError(t, err, "%s reachable at %s", link, line[1])
		conn.Close()
	}
	for _, tier := range scenarios.Tiers {
		assert.Regexp(t, `(?m)^  `+tier+`->portal .*standing: .*latency downstream \{.*latency=`, text, "%s's standing toxics are on", tier)
	}
	assert.NotRegexp(t, `(?m)^  client->portal .*standing`, text, "the front door has none")
	for _, role := range []string{"portal", "identity", "registry"} {
		assert.Regexp(t, `(?m)^  `+role+` +http://127\.0\.0\.1:\d+$`, text, role+" without a proxy")
	}

	catalogue := regexp.MustCompile(`curl -s '(http://127\.0\.0\.1:\d+/api/v1/procedures\?q=khai\+sinh)'`).FindStringSubmatch(text)
	require.NotNil(t, catalogue, "a command with the stack's own address:\n%s", text)
	resp, err := http.Get(catalogue[1])
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, text, "http://"+st.ToxiproxyAPI+"/proxies/portal_to_registry/toxics")
	assert.False(t, strings.Contains(text, "$PORTAL"), "no placeholders")
}
