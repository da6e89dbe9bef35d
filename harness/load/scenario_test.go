package load

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/scenarios"
)

// parseLoad builds a one-class scenario around a load section, 10 minutes at 60x.
func parseLoad(t *testing.T, load string) *scenarios.Scenario {
	t.Helper()
	return parseScenario(t, "+10m", 60, load)
}

func parseScenario(t *testing.T, end string, compress float64, load string) *scenarios.Scenario {
	t.Helper()
	src := fmt.Sprintf(`name: t
clock: {start: 2025-07-01 08:00, end: "%s", compress: %v}
load:%s
mix: [{class: catalogue, weight: 1}]
slos:
  window: 1m
  objectives: [{name: a, kind: availability, target: 99%%}]
`, end, compress, load)
	s, err := scenarios.Parse([]byte(src), "t.yaml")
	require.NoError(t, err)
	return s
}
