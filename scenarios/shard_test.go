package scenarios

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const shardSource = `version: 1
name: sharded
clock: {start: 2025-07-01 08:00, end: +10m, compress: 60}
load: {baseline: 50/s, users: 5}
mix: [{class: catalogue, weight: 1}, {class: status, weight: 1}]
faults:
  - {name: slow, at: +2m, for: 2s, link: portal->registry, toxic: latency, latency: 300ms}
slos:
  window: 1m
  objectives:
    - {name: availability, kind: availability, target: 99%}
    - {name: recovers, kind: recovery, max: 2m}
`

func parseShardSource(t *testing.T, replace ...string) *Scenario {
	t.Helper()
	src := shardSource
	for i := 0; i+1 < len(replace); i += 2 {
		src = strings.Replace(src, replace[i], replace[i+1], 1)
	}
	s, err := Parse([]byte(src), "sharded.yaml")
	require.NoError(t, err)
	return s
}

// The parts of one sharded run agree on the digest whatever system they name and
// whether they carry the faults; any change to what is sent or judged changes it.
func TestDigestIsWhatIsSentAndJudged(t *testing.T) {
	base, err := parseShardSource(t).Digest()
	require.NoError(t, err)
	shard := parseShardSource(t)
	require.NoError(t, shard.SetPortal("--portal", "url=http://127.0.0.1:1"))
	require.NoError(t, shard.SetIdentity("--identity", "url=http://127.0.0.1:2"))
	shard.ControlFaults("--shard")
	same, err := shard.Digest()
	require.NoError(t, err)
	assert.Equal(t, base, same, "sut and faults aside")
	for _, change := range [][2]string{
		{"baseline: 50/s", "baseline: 51/s"},
		{"users: 5", "users: 5, seed: 2"},
		{"compress: 60", "compress: 30"},
		{"target: 99%", "target: 98%"},
		{"name: sharded", "name: other"},
	} {
		d, err := parseShardSource(t, change[0], change[1]).Digest()
		require.NoError(t, err)
		assert.NotEqual(t, base, d, "%s → %s", change[0], change[1])
	}
}

// A shard hands its faults to the controller: then its running portal, whose outbound
// links it could not fault, and its recovery objective both stand.
func TestControlFaultsLetsAShardRunAgainstARunningPortal(t *testing.T) {
	s := parseShardSource(t)
	require.NoError(t, s.SetPortal("--portal", "url=http://127.0.0.1:1"))
	require.NoError(t, s.SetIdentity("--identity", "url=http://127.0.0.1:2"))
	err := s.CheckRun(RunOptions{})
	require.Error(t, err, "with the faults, portal->registry of a running portal is refused")
	assert.Contains(t, err.Error(), "cannot be broken")

	faults := s.ControlFaults("--shard")
	assert.Len(t, faults, 1)
	assert.Empty(t, s.Faults)
	assert.NoError(t, s.CheckRun(RunOptions{}), "the controller's faults; the recovery objective judged on them")

	alone := parseShardSource(t)
	alone.Faults = nil
	assert.ErrorContains(t, alone.CheckRun(RunOptions{}), "needs faults to recover from", "without a controller it is still refused")
}

func TestSetIdentity(t *testing.T) {
	tests := []struct {
		value, want, err string
	}{
		{"url=http://127.0.0.1:2", "http://127.0.0.1:2", ""},
		{"reference", "", ""},
		{"http://127.0.0.1:2", "", "want reference or url=URL"},
		{"url=", "", "want reference or url=URL"},
		{"image=x:1", "", "want reference or url=URL"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			s := parseShardSource(t)
			err := s.SetIdentity("--identity", tt.value)
			if tt.err != "" {
				assert.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, s.SUT.Identity.URL)
		})
	}
}
