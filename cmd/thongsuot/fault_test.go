package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Bad fault specs are bad input: exit 2, each problem as file:line: field: message.
func TestBadFaultSpecsExit2WithFileLine(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		want     string
	}{
		{"unknown toxic", "    toxic: latency", "    toxic: lag", `:34: faults[0].toxic: unknown toxic "lag"`},
		{"negative bandwidth", "    toxic: latency\n    latency: 150ms", "    toxic: bandwidth\n    bandwidth: -2Mbps",
			":35: faults[0].bandwidth: must be positive"},
		{"link that does not exist", "    link: portal->registry", "    link: portal->registry.bank", `:33: faults[0].link: unknown link "portal->registry.bank"`},
		{"window outside the scenario", "    for: 5s", "    for: 15s", ":32: faults[0].for: the fault would end at 2025-07-01T07:55:00+07:00, after the scenario ends"},
		{"start outside the scenario", "    at: +10m", "    at: +30m", ":31: faults[0].at: 2025-07-01T08:00:00+07:00 is outside the scenario"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := smokeWith(t, tt.from, tt.to)
			for _, args := range [][]string{{"validate", path}, {"run", path, "--out", t.TempDir()}} {
				code, _, stderr := execute(t, args...)
				assert.Equal(t, exitHarness, code, args[0])
				assert.Contains(t, stderr, path+tt.want, args[0])
			}
		})
	}
}
