package scenarios

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// repeat is n copies of a line format, each with its index.
func repeat(n int, format string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, format, i)
	}
	return b.String()
}

// Each size and count has a bound, and the error names it.
func TestSizesAndCountsAreBounded(t *testing.T) {
	tests := []struct {
		name       string
		src        string
		field, msg string
	}{
		{"users in the hundreds of millions", strings.Replace(valid, "  baseline: 100/s", "  baseline: 100/s\n  users: 300000000", 1),
			"load.users", "must be between 0 and 100000, got 300000000"},
		{"users in the billions", strings.Replace(valid, "  baseline: 100/s", "  baseline: 100/s\n  users: 3000000000", 1),
			"load.users", "must be between 0 and 100000, got 3000000000"},
		{"citizens", strings.Replace(valid, "  baseline: 100/s", "  baseline: 100/s\n  population: {citizens: 2000000}", 1),
			"load.population.citizens", "must be between 1 and 500000, got 2000000"},
		{"max_workers", strings.Replace(valid, "  baseline: 100/s", "  baseline: 100/s\n  max_workers: 10000000", 1),
			"load.max_workers", "must be between 1 and 100000"},
		{"remote communes", strings.Replace(valid, "  baseline: 100/s", "  baseline: 100/s\n  population: {remote_communes: 5000}", 1),
			"load.population.remote_communes", "must be between 0 and 3321"},
		{"mix entries", strings.Replace(valid, "  - {class: submit, weight: 1}\n", repeat(32, "  - {class: catalogue, name: c%d, weight: 1}\n"), 1),
			"mix", "has 33 entries; the limit is 32"},
		{"events", strings.Replace(valid, "  baseline: 100/s", "  baseline: 100/s\n  events:\n"+repeat(51, "    - step: {at: +%dm, factor: 1}\n"), 1),
			"load.events", "has 51 events; the limit is 50"},
		{"shapes", strings.Replace(valid, "  baseline: 100/s", "  baseline: 100/s\n  shapes:\n"+repeat(17, "    s%d: {weekly: {mon: 2}}\n"), 1),
			"load.shapes", "has 17 shapes; the limit is 16"},
		{"faults", withFaults(repeat(101, "  - {at: +5m, for: 1s, name: f%d, link: portal->registry, toxic: down}\n"), ""),
			"faults", "has 101 faults; the limit is 100"},
		{"flap cycles", withFaults("  - {at: +1m, link: client->portal, toxic: down, flap: {period: 1s scenario, down_for: 0.5s scenario, count: 10001}}\n", ""),
			"faults[0].flap.count", "must be between 1 and 10000, got 10001"},
		{"fault windows in all", withFaults(repeat(2, "  - {at: +1m, name: f%d, link: client->portal, toxic: down, flap: {period: 1s scenario, down_for: 0.5s scenario, count: 6000}}\n"), ""),
			"faults", "has 12000 fault windows (a flap counts each cycle); the limit is 10000"},
		{"objectives", strings.Replace(valid, "    - {name: avail,", repeat(64, "    - {name: a%d, kind: availability, target: 99%%}\n")+"    - {name: avail,", 1),
			"slos.objectives", "has 66 objectives; the limit is 64"},
		{"windows", strings.NewReplacer("end: +10m", "end: +20d", "window: 1m", "window: 6s").Replace(valid),
			"slos.window", "the limit is 100000"},
		{"the scenario's span", strings.Replace(valid, "end: +10m", "end: 2030-01-01 00:00", 1),
			"clock.end", "the longest scenario is 1000d"},
		{"a time beyond 2200", strings.Replace(valid, "end: +10m", "end: 2300-01-01 00:00", 1),
			"clock.end", "must be between 1970-01-01 and 2200-01-01"},
		{"a fault too long for the clock", withFaults("  - {at: +1m, link: client->portal, toxic: down, flap: {period: 900d, down_for: 1s, count: 100}}\n", ""),
			"faults[0].flap", "days of scenario time at compress 60; the limit is 1000d"},
		{"a rate", strings.Replace(valid, "baseline: 100/s", "baseline: 2000000/s", 1),
			"load.baseline", "must be between 0/s and 1000000/s, got 2000000/s"},
		{"a bandwidth", withFaults("  - {at: +5m, for: 1s, link: portal->registry, toxic: bandwidth, bandwidth: 1e300Gbps}\n", ""),
			"faults[0].bandwidth", "bad bandwidth"},
		{"a size", withFaults("  - {at: +5m, for: 1s, link: portal->registry, toxic: limit_data, bytes: 2GiB}\n", ""),
			"faults[0].bytes", "must be between 0 B and 1.0 GiB, got 2.0 GiB"},
		{"a duration", withFaults("  - {at: +5m, for: 1s, link: portal->registry, toxic: latency, latency: 2000d}\n", ""),
			"faults[0].latency", "must be between 0s and 1000d, got 2000d"},
		{"a duration past what Go holds", withFaults("  - {at: +5m, for: 1e300d, link: portal->registry, toxic: down}\n", ""),
			"faults[0].for", "bad duration"},
		{"a NaN duration", withFaults("  - {at: +5m, for: nand, link: portal->registry, toxic: down}\n", ""),
			"faults[0].for", "bad duration"},
		{"a factor", strings.Replace(valid, "  baseline: 100/s", "  baseline: 100/s\n  events: [{step: {at: +1m, factor: 1000}}]", 1),
			"load.events[0].step.factor", "must be between 0 and 100, got 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NotEqual(t, valid, tt.src, "the edit applies")
			_, err := Parse([]byte(tt.src), "big.yaml")
			require.Error(t, err)
			es, ok := err.(Errors)
			require.True(t, ok, "%v", err)
			for _, e := range es {
				if e.Field == tt.field {
					assert.Positive(t, e.Line)
					assert.Contains(t, e.Msg, tt.msg)
					return
				}
			}
			t.Errorf("no error on %s in:\n%v", tt.field, es)
		})
	}
}
