package scenarios

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A closed entry plays users × scale / compress users in a run, at least one and at
// most MaxRunUsers; an open entry plays none.
func TestRunUsers(t *testing.T) {
	tests := []struct {
		name            string
		users           int
		scale, compress float64
		want            int
		msg             string // "" when valid
	}{
		{"F2's 120,000 at scale 1, 60×", 120_000, 1, 60, 2000, ""},
		{"rounded to the nearest user", 1000, 0.1, 60, 2, ""},
		{"one user", 30, 1, 60, 1, ""},
		{"under one", 20, 1, 60, 0, "are 0.33 users in the run: raise load.scale"},
		{"over the most one run plays", 120_000, 1, 2, 60_000, "one run plays at most 50000: lower load.scale or raise clock.compress"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := fmt.Sprintf(`name: c
clock: {start: 2025-06-30 08:00, end: +1h, compress: %g}
load: {scale: %g, users: 0}
mix: [{journey: citizen-lookup, concurrent_users: %d, think: "40s scenario"}]
slos: {window: 10m, objectives: [{name: a, kind: availability, target: 99%%}]}
`, tt.compress, tt.scale, tt.users)
			s, err := Parse([]byte(src), "c.yaml")
			if tt.msg != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "c.yaml:4: mix[0].concurrent_users: ")
				assert.Contains(t, err.Error(), tt.msg)
				return
			}
			require.NoError(t, err, "a closed entry needs no baseline")
			assert.True(t, s.Mix[0].Closed())
			assert.Equal(t, tt.want, s.RunUsers(s.Mix[0]))
		})
	}
}
