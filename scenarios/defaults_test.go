package scenarios

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zeroBase is a scenario whose every section is written, for edits to put a zero in.
const zeroBase = `version: 1
name: z
clock: {start: 2025-07-01 08:00, end: +10m, compress: 60}
load:
  baseline: 100/s
  scale: 1
  seed: 7
  users: 5
  timeout: 5s
  max_workers: 500
  late_after: 20ms
  events:
    - spike: {at: +2m, peak: 3, half_life: 1m, rise: 30s}
    - step: {at: +5m, until: +6m, factor: 2}
  weekly: {sun: 0.5}
  population: {citizens: 50, remote_communes: 10, weights: {special_zone: 2}}
mix:
  - {class: catalogue, weight: 3}
  - {journey: citizen-lookup, weight: 1, think: 200ms}
faults:
  - {at: +5m, for: 2s, link: portal->registry, toxic: latency, latency: 100ms, jitter: 5ms, toxicity: 0.5}
  - {at: +6m, for: 2s, link: portal->identity, toxic: timeout, timeout: 1s}
  - {at: +7m, link: client->portal, toxic: down, flap: {period: 1m scenario, down_for: 1s, count: 2}}
tiers:
  urban: {bandwidth: 100Mbps, latency: 5ms, loss: 0.1%}
slos:
  window: 1m
  min_requests: 5
  recovery_windows: 2
  objectives:
    - {name: avail, kind: availability, target: 99%}
    - {name: p95, kind: latency, percentile: 95, max: 1s}
    - {name: recovers, kind: recovery, max: 2m}
`

// An explicit 0 is kept where it means something and refused, on its line, where it
// does not — never silently replaced by the default. A kept 0 survives the resolved
// scenario's round trip (Marshal, then Parse), as a run's reports read it back.
func TestExplicitZeroIsKeptOrRejected(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		value    func(s *Scenario) float64 // kept: reads the field back
		field    string                    // rejected: the error's field…
		msg      string                    // …and what it says
	}{
		{"users: 0 means no set-up users", "users: 5", "users: 0", func(s *Scenario) float64 { return float64(s.Load.Users) }, "", ""},
		{"seed: 0 is a seed", "seed: 7", "seed: 0", func(s *Scenario) float64 { return float64(s.Load.Seed) }, "", ""},
		{"min_requests: 0 judges every window with a request", "min_requests: 5", "min_requests: 0",
			func(s *Scenario) float64 { return float64(s.SLOs.MinRequests) }, "", ""},
		{"remote_communes: 0 keeps every commune on its type's tier", "remote_communes: 10", "remote_communes: 0",
			func(s *Scenario) float64 { return float64(*s.Load.Population.RemoteCommunes) }, "", ""},
		{"a journey's think: 0s", "think: 200ms", "think: 0s", func(s *Scenario) float64 { return float64(s.Mix[1].Think.D) }, "", ""},
		{"a population weight of 0", "special_zone: 2", "special_zone: 0", func(s *Scenario) float64 { return s.Load.Population.Weights["special_zone"] }, "", ""},
		{"a weekday of 0", "sun: 0.5", "sun: 0", func(s *Scenario) float64 { return *s.Load.Weekly.Sun }, "", ""},
		{"a step factor of 0 silences", "factor: 2", "factor: 0", func(s *Scenario) float64 { return s.Load.Events[1].Step.Factor }, "", ""},
		{"a spike without rise", "rise: 30s", "rise: 0s", func(s *Scenario) float64 { return float64(s.Load.Events[0].Spike.Rise.Duration) }, "", ""},
		{"a mix weight of 0", "weight: 1, think", "weight: 0, think", func(s *Scenario) float64 { return s.Mix[1].Weight }, "", ""},
		{"toxicity: 0", "toxicity: 0.5", "toxicity: 0", func(s *Scenario) float64 { return *s.Faults[0].Toxicity }, "", ""},
		{"jitter: 0s", "jitter: 5ms", "jitter: 0s", func(s *Scenario) float64 { return float64(s.Faults[0].Jitter.Duration) }, "", ""},
		{"a timeout toxic's timeout: 0s holds forever", "timeout: 1s}", "timeout: 0s}", func(s *Scenario) float64 { return float64(s.Faults[1].Timeout.Duration) }, "", ""},
		{"a tier's loss: 0", "loss: 0.1%", "loss: 0%", func(s *Scenario) float64 { return float64(*s.Tiers["urban"].Loss) }, "", ""},
		{"a tier's bandwidth: 0 is no cap", "bandwidth: 100Mbps", "bandwidth: 0", func(s *Scenario) float64 { return float64(*s.Tiers["urban"].Bandwidth) }, "", ""},

		{"compress: 0", "compress: 60", "compress: 0", nil, "clock.compress", "must be between 0.01 and 1000000, got 0 (leave it out for the default, 1)"},
		{"scale: 0", "scale: 1", "scale: 0", nil, "load.scale", "must be above 0 and at most 1000, got 0 (leave it out for the default, 1)"},
		{"timeout: 0s", "timeout: 5s", "timeout: 0s", nil, "load.timeout", "must be above 0s and at most 1d, got 0s (leave it out for the default, 10s)"},
		{"max_workers: 0", "max_workers: 500", "max_workers: 0", nil, "load.max_workers", "must be between 1 and 100000, got 0 (leave it out for the default, 1000)"},
		{"late_after: 0s", "late_after: 20ms", "late_after: 0s", nil, "load.late_after", "got 0s (leave it out for the default, 10ms)"},
		{"citizens: 0", "citizens: 50", "citizens: 0", nil, "load.population.citizens", "must be between 1 and 500000, got 0 (leave it out for the default, 1000)"},
		{"window: 0s", "window: 1m", "window: 0s", nil, "slos.window", "must be a positive scenario-time duration, e.g. 1m (the default), got 0s"},
		{"recovery_windows: 0", "recovery_windows: 2", "recovery_windows: 0", nil, "slos.recovery_windows", "must be between 1 and 100000, got 0 (leave it out for the default, 3)"},
		{"version: 0", "version: 1", "version: 0", nil, "version", "unsupported schema version 0"},
		{"flap count: 0", "count: 2", "count: 0", nil, "faults[2].flap.count", "must be between 1 and 10000, got 0"},
		{"half_life: 0s", "half_life: 1m", "half_life: 0s", nil, "load.events[0].spike.half_life", "must be a positive scenario-time duration"},
		{"latency max: 0s", "percentile: 95, max: 1s", "percentile: 95, max: 0s", nil, "slos.objectives[1].max", "must be positive"},
		{"percentile: 0", "percentile: 95,", "percentile: 0,", nil, "slos.objectives[1].percentile", "missing: latency needs a percentile"},
		{"target: 0%", "target: 99%", "target: 0%", nil, "slos.objectives[0].target", "must be above 0%"},
		{"a latency toxic's latency: 0s", "latency: 100ms", "latency: 0s", nil, "faults[0].latency", "must be at least 1ms"},
		{"a fault's for: 0s", "for: 2s, link: portal->registry", "for: 0s, link: portal->registry", nil, "faults[0].for", "must be a positive duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(zeroBase, tt.from, tt.to, 1)
			require.NotEqual(t, zeroBase, src, "the edit applies")
			s, err := Parse([]byte(src), "z.yaml")
			if tt.value == nil {
				require.Error(t, err)
				assertHasError(t, err.(Errors), tt.field, tt.msg)
				return
			}
			require.NoError(t, err)
			assert.Zero(t, tt.value(s), "the written 0 is kept")
			out, err := Marshal(s)
			require.NoError(t, err)
			back, err := Parse(out, "scenario.yaml")
			require.NoError(t, err, "%s", out)
			assert.Zero(t, tt.value(back), "and survives Marshal → Parse:\n%s", out)
		})
	}
	_, err := Parse([]byte(zeroBase), "z.yaml")
	require.NoError(t, err, "the base is valid")
}

// Without set-up users, the classes that are sent as one have no one to send them.
func TestNoSetUpUsersForClassesThatNeedThem(t *testing.T) {
	for _, class := range []string{"status", "submit"} {
		src := strings.NewReplacer("users: 5", "users: 0", "{class: catalogue, weight: 3}", "{class: "+class+", weight: 3}").Replace(zeroBase)
		_, err := Parse([]byte(src), "z.yaml")
		require.Error(t, err, class)
		assertHasError(t, err.(Errors), "mix[0].class", class+" requests are sent as set-up users, and load.users is 0: set load.users")
	}
}

// Left out, or written as null, a field takes its default — in list items too.
func TestDefaultsFillWhatIsLeftOut(t *testing.T) {
	src := `name: d
clock: {start: 2025-07-01 08:00, end: +10m, compress: 60}
load: {baseline: 10/s, users: ~, population: {citizens: 20}}
mix:
  - {class: catalogue, weight: 1}
  - {journey: citizen-lookup, weight: 1}
faults:
  - {at: +5m, for: 2s, link: portal->registry, toxic: latency, latency: 100ms}
  - {at: +6m, for: 2s, link: rural->portal, toxic: loss, loss: 1%}
slos:
  min_requests: ~
  objectives: [{name: a, kind: availability, target: 99%}]
`
	s, err := Parse([]byte(src), "d.yaml")
	require.NoError(t, err)
	assert.Equal(t, SchemaVersion, s.Version)
	assert.Equal(t, DefaultZone, s.Clock.Zone)
	assert.Equal(t, DefaultScale, s.Load.Scale)
	assert.Equal(t, int64(DefaultSeed), s.Load.Seed)
	assert.Equal(t, DefaultUsers, s.Load.Users, "null leaves the default")
	assert.Equal(t, DefaultTimeout, s.Load.Timeout.Duration)
	assert.Equal(t, DefaultMaxWorkers, s.Load.MaxWorkers)
	assert.Equal(t, DefaultLateAfter, s.Load.LateAfter.Duration)
	assert.Equal(t, 20, s.Load.Population.Citizens)
	assert.Equal(t, DefaultWeights, s.Load.Population.Weights, "a population that writes no weights keeps them all")
	assert.Equal(t, DefaultRemoteCommunes, *s.Load.Population.RemoteCommunes)
	assert.Zero(t, s.Mix[0].Think.D, "a single class does not think")
	assert.Equal(t, DefaultThink, s.Mix[1].Think.D, "a journey thinks 1s")
	assert.Equal(t, DefaultStream, s.Faults[0].Stream, "each fault has its defaults")
	assert.Equal(t, 1.0, *s.Faults[1].Toxicity)
	assert.Equal(t, DefaultRetransmit, s.Faults[1].Retransmit.Duration)
	assert.Equal(t, DefaultWindow, s.SLOs.Window.Duration)
	assert.Equal(t, DefaultMinRequests, s.SLOs.MinRequests, "null leaves the default")
	assert.Equal(t, DefaultRecoveryWindows, s.SLOs.RecoveryWindows)

	// Decoding writes into the defaults; it must not write into the package's own.
	assert.Equal(t, map[string]float64{"ward": 4, "commune": 1, "special_zone": 1}, DefaultWeights)
	again, err := Parse([]byte(strings.Replace(src, "citizens: 20}", "citizens: 20, weights: {ward: 9}}", 1)), "d.yaml")
	require.NoError(t, err)
	assert.Equal(t, 9.0, again.Load.Population.Weights["ward"])
	assert.Equal(t, 4.0, DefaultWeights["ward"])
}

// Written empty, a text field with a default is an error, not the default.
func TestEmptyTextIsNotTheDefault(t *testing.T) {
	tests := []struct{ from, to, field, msg string }{
		{"toxic: latency, latency: 100ms}", `toxic: latency, latency: 100ms, stream: ""}`, "faults[0].stream", `want downstream, upstream or both, got ""`},
		{"  start:", "  zone: \"\"\n  start:", "clock.zone", `unknown time zone ""`},
	}
	for _, tt := range tests {
		src := strings.Replace(valid, tt.from, tt.to, 1)
		require.NotEqual(t, valid, src, tt.field)
		_, err := Parse([]byte(src), "e.yaml")
		require.Error(t, err, tt.field)
		assertHasError(t, err.(Errors), tt.field, tt.msg)
	}
	src := `name: r
clock: {start: 2025-07-01 08:00, end: +10m}
load: {source: {log: a.log, speed: 10, format: ""}}
slos: {objectives: [{name: c, kind: latency, class: catalogue, percentile: 95, max: 1s}]}
`
	_, err := Parse([]byte(src), "r.yaml")
	require.Error(t, err)
	assertHasError(t, err.(Errors), "load.source.format", `unknown format ""`)
}

// A replay's speed defaults to its clock's compress, and a written 0 is refused.
func TestReplaySpeedDefaultsToTheClock(t *testing.T) {
	const replay = `name: r
clock: {start: 2025-07-01 08:00, end: +10m, compress: 20}
load: {source: {log: a.log}}
slos: {objectives: [{name: c, kind: latency, class: catalogue, percentile: 95, max: 1s}]}
`
	s, err := Parse([]byte(replay), "r.yaml")
	require.NoError(t, err)
	assert.Equal(t, 20.0, s.Load.Source.Speed)
	assert.Equal(t, "auto", s.Load.Source.Format)
	assert.Equal(t, DefaultMaxMalformed, *s.Load.Source.MaxMalformed)

	_, err = Parse([]byte(strings.Replace(replay, "{log: a.log}", "{log: a.log, speed: 0}", 1)), "r.yaml")
	require.Error(t, err)
	assertHasError(t, err.(Errors), "load.source.speed", "must be between 0.01 and 1000000, got 0")

	s, err = Parse([]byte(strings.Replace(replay, "{log: a.log}", "{log: a.log, max_malformed: 0%}", 1)), "r.yaml")
	require.NoError(t, err)
	assert.Zero(t, *s.Load.Source.MaxMalformed, "no malformed line allowed")
}
