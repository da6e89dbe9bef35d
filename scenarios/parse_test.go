package scenarios

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const valid = `version: 1
name: t
clock:
  start: 2025-07-01 08:00
  end: +10m
  compress: 60
load:
  baseline: 100/s
mix:
  - {class: catalogue, weight: 3}
  - {class: submit, weight: 1}
faults:
  - {at: +5m, for: 2s, link: portal->registry, toxic: latency, latency: 100ms}
slos:
  window: 1m
  objectives:
    - {name: avail, kind: availability, target: 99.5%}
    - {name: p95, kind: latency, class: submit, percentile: 95, max: 500ms}
`

func TestBuiltinsAreValid(t *testing.T) {
	names := BuiltinNames()
	require.Contains(t, names, "smoke")
	for _, name := range names {
		s, err := Open(name)
		require.NoError(t, err, name)
		assert.Equal(t, name, s.Name, "a built-in's name matches its file")
	}
}

func TestParseResolvesAndDefaults(t *testing.T) {
	s, err := Parse([]byte(valid), "t.yaml")
	require.NoError(t, err)
	ict := time.FixedZone("ICT", 7*3600)
	assert.True(t, s.Clock.Start.Equal(time.Date(2025, 7, 1, 8, 0, 0, 0, ict)), "local time is read in Asia/Ho_Chi_Minh")
	assert.True(t, s.Clock.End.Equal(time.Date(2025, 7, 1, 8, 10, 0, 0, ict)), "+10m counts from start")
	assert.Equal(t, 10*time.Second, s.WallDuration())
	assert.Equal(t, 100.0, float64(s.Load.Baseline))
	assert.Equal(t, DefaultUsers, s.Load.Users)
	assert.Equal(t, "downstream", s.Faults[0].Stream)
	assert.Equal(t, "latency on portal->registry", s.Faults[0].Name)
	assert.InDelta(t, 0.995, float64(*s.SLOs.Objectives[0].Target), 1e-9)
}

func TestMarshalRoundTrips(t *testing.T) {
	s, err := Open("smoke")
	require.NoError(t, err)
	out, err := Marshal(s)
	require.NoError(t, err)
	back, err := Parse(out, "scenario.yaml")
	require.NoError(t, err)
	again, err := Marshal(back)
	require.NoError(t, err)
	assert.Equal(t, string(out), string(again))
}

// Each case edits the valid scenario and expects one located error.
func TestParseErrorsNameLineAndField(t *testing.T) {
	tests := []struct {
		name       string
		from, to   string
		line       int
		field, msg string
	}{
		{"typo'd field", "  baseline: 100/s", "  bseline: 100/s", 8, "load.bseline", `unknown field "bseline" (did you mean "baseline"?)`},
		{"typo'd field in a fault", "link: portal->registry", "lnk: portal->registry", 13, "faults[0].lnk", `unknown field "lnk" (did you mean "link"?)`},
		{"bad duration", "for: 2s,", "for: 2 parsecs,", 13, "faults[0].for", `bad duration "2 parsecs"`},
		{"end before start", "end: +10m", "end: 2025-07-01 07:00", 5, "clock.end", "is not after clock.start"},
		{"negative weight", "weight: 3}", "weight: -3}", 10, "mix[0].weight", "must be between 0 and 1000000, got -3"},
		{"unknown class", "class: catalogue", "class: catalog", 10, "mix[0].class", `unknown request class "catalog"`},
		{"unknown link", "link: portal->registry", "link: portal->bank", 13, "faults[0].link", `unknown link "portal->bank"`},
		{"unknown toxic", "toxic: latency,", "toxic: lag,", 13, "faults[0].toxic", `unknown toxic "lag"`},
		{"fault outside scenario", "at: +5m,", "at: +11m,", 13, "faults[0].at", "outside the scenario"},
		{"bad rate unit", "100/s", "100/fortnight", 8, "load.baseline", `bad rate unit "fortnight"`},
		{"ambiguous percentage", "target: 99.5%", "target: 99.5", 17, "slos.objectives[0].target", "ambiguous percentage"},
		{"objective class not in mix", "class: submit, percentile", "class: status, percentile", 18, "slos.objectives[1].class", `class "status" is not in the mix`},
		{"list where text belongs", "name: t", "name: [t]", 2, "name", "cannot use a list here: want text"},
		{"unknown kind", "kind: latency", "kind: speed", 18, "slos.objectives[1].kind", `unknown kind "speed"`},
		{"percentile out of range", "percentile: 95", "percentile: 100", 18, "slos.objectives[1].percentile", "must be above 0 and below 100, got 100"},
		{"zero_loss with a target", "kind: availability, target: 99.5%}", "kind: zero_loss, target: 99.5%}", 17, "slos.objectives[0]", "zero_loss takes no class, target"},
		{"window too small for compress", "window: 1m", "window: 1s", 15, "slos.window", "the least is 100ms"},
		{"negative bandwidth", "toxic: latency, latency: 100ms}", "toxic: bandwidth, bandwidth: -5Mbps}", 13, "faults[0].bandwidth", "must be between 0bps and 100Gbps, got -5Mbps"},
		{"bandwidth without unit", "toxic: latency, latency: 100ms}", "toxic: bandwidth, bandwidth: 5}", 13, "faults[0].bandwidth", `bad bandwidth "5"`},
		{"fault ends after the scenario", "for: 2s,", "for: 6s,", 13, "faults[0].for", "after the scenario ends"},
		{"scenario-time fault ends after the scenario", "for: 2s,", "for: 6m scenario,", 13, "faults[0].for", "after the scenario ends"},
		{"toxic missing its parameter", "toxic: latency, latency: 100ms}", "toxic: slicer}", 13, "faults[0].average_size", "the slicer toxic needs average_size"},
		{"parameter the toxic does not take", "latency: 100ms}", "latency: 100ms, bytes: 10}", 13, "faults[0].bytes", "the latency toxic takes no bytes"},
		{"unknown stream", "toxic: latency,", "stream: sideways, toxic: latency,", 13, "faults[0].stream", "want downstream, upstream or both"},
		{"loss of 100%", "toxic: latency, latency: 100ms}", "toxic: loss, loss: 100%}", 13, "faults[0].loss", "below 100%"},
		{"flap with for", "for: 2s,", "for: 2s, flap: {period: 2s, down_for: 1s, count: 2},", 13, "faults[0].for", "leave out for"},
		{"flap never up", "for: 2s,", "flap: {period: 2s, down_for: 2s, count: 2},", 13, "faults[0].flap.down_for", "shorter than the period"},
		{"flap past the end", "for: 2s,", "flap: {period: 2s, down_for: 1s, count: 4},", 13, "faults[0].flap", "after the scenario ends"},
		{"ramp on the wrong toxic", "latency: 100ms}", "latency: 100ms, ramp: {bandwidth: 2Mbps}}", 13, "faults[0].ramp.bandwidth", "only the bandwidth and shared_bandwidth toxics"},
		{"unknown tier", "slos:", "tiers:\n  island: {latency: 300ms}\nslos:", 15, "tiers.island", `unknown tier "island"`},
		{"negative tier latency", "slos:", "tiers:\n  remote: {latency: -3ms}\nslos:", 15, "tiers.remote.latency", "must be between 0s and 1000d, got -3ms"},
		{"two faults one name one start", "latency: 100ms}", "latency: 100ms}\n  - {at: +5m, for: 2s, link: portal->registry, toxic: latency, latency: 200ms}", 14, "faults[1].name", `faults[0] has the same name "latency on portal->registry"`},
		{"recovery without max", "kind: latency, class: submit, percentile: 95, max: 500ms}", "kind: recovery}", 18, "slos.objectives[1].max", "missing: recovery needs max"},
		{"recovery with a class", "kind: latency, class: submit, percentile: 95, max: 500ms}", "kind: recovery, class: submit, max: 2m}", 18, "slos.objectives[1]", "recovery takes max only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(valid, tt.from, tt.to, 1)
			require.NotEqual(t, valid, src, "the edit applies")
			_, err := Parse([]byte(src), "bad.yaml")
			require.Error(t, err)
			require.True(t, isInvalid(err), "%v", err)
			es := err.(Errors)
			require.Len(t, es, 1, "%v", err)
			assert.Equal(t, "bad.yaml", es[0].File)
			assert.Equal(t, tt.line, es[0].Line, "%v", err)
			assert.Equal(t, tt.field, es[0].Field, "%v", err)
			assert.Contains(t, es[0].Msg, tt.msg)
			assert.True(t, strings.HasPrefix(err.Error(), "bad.yaml:"), err.Error())
		})
	}
}

// A scenario using the rate model, journeys and the population, and edits to it that
// must each give one located error.
const surge = `version: 1
name: s
clock:
  start: 2025-06-30 00:00
  end: +2d
  compress: 3600
load:
  scale: 0.5
  diurnal: [1,1,1,1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,3,3,3,2,1,1]
  weekly: {mon: 1.4, sun: 0.5}
  population:
    weights: {ward: 4, commune: 1}
    tiers: {special_zone: remote}
    units: {"00004": remote}
  shapes:
    office:
      weekly: {sat: 0.1}
      events:
        - spike: {at: +8h, peak: 3, half_life: 2h, label: launch}
mix:
  - {journey: citizen-dossier, rate: 2/s, shape: office, think: 500ms}
  - {journey: citizen-dossier, name: island-dossier, rate: 0.1/s, tier: remote}
  - {class: catalogue, rate: 10/s}
slos:
  window: 1h
  objectives:
    - {name: p95, kind: latency, class: island-dossier.submit, percentile: 95, max: 2s}
`

func TestParseLoadModel(t *testing.T) {
	s, err := Parse([]byte(surge), "s.yaml")
	require.NoError(t, err)
	assert.Equal(t, []string{"citizen-dossier.page", "citizen-dossier.login", "citizen-dossier.catalogue", "citizen-dossier.unit", "citizen-dossier.submit",
		"citizen-dossier.upload", "citizen-dossier.pay", "citizen-dossier.status",
		"island-dossier.page", "island-dossier.login", "island-dossier.catalogue", "island-dossier.unit", "island-dossier.submit",
		"island-dossier.upload", "island-dossier.pay", "island-dossier.status", "catalogue"}, s.ClassNames())
	assert.Equal(t, DefaultThink, s.Mix[1].Think.D, "journeys think 1s by default")
	assert.Equal(t, 1.0, s.Load.Population.Weights["special_zone"], "unset weights take the default")
	assert.Equal(t, DefaultRemoteCommunes, *s.Load.Population.RemoteCommunes)
	sp := s.Load.Shapes["office"].Events[0].Spike
	assert.Equal(t, 8*time.Hour, sp.At.Sub(s.Clock.Start.Time), "shape events resolve against clock.start")
	assert.Equal(t, [7]float64{0.5, 1.4, 1, 1, 1, 1, 1}, s.Load.Weekly.Factors())

	tests := []struct {
		name       string
		from, to   string
		field, msg string
	}{
		{"short diurnal", "diurnal: [1,1,1,1,1,1,1,1,", "diurnal: [1,1,1,1,1,1,1,", "load.diurnal", "want 24 hourly values"},
		{"negative diurnal", "diurnal: [1,1,", "diurnal: [-1,1,", "load.diurnal[0]", "must be between 0 and 1000000, got -1"},
		{"weekday typo", "mon: 1.4", "mom: 1.4", "load.weekly.mom", `unknown field "mom" (did you mean "mon"?)`},
		{"unknown unit type", "weights: {ward: 4,", "weights: {wards: 4,", "load.population.weights.wards", `unknown unit type "wards"`},
		{"unknown tier", "tiers: {special_zone: remote}", "tiers: {special_zone: island}", "load.population.tiers.special_zone", `unknown tier "island"`},
		{"bad unit code", `units: {"00004": remote}`, `units: {"4": remote}`, "load.population.units.4", "five-digit unit code"},
		{"spike without half-life", "peak: 3, half_life: 2h,", "peak: 3,", "load.shapes.office.events[0].spike.half_life", "must be a positive"},
		{"spike without at", "spike: {at: +8h, peak: 3,", "spike: {peak: 3,", "load.shapes.office.events[0].spike.at", "missing: the scenario time of the peak"},
		{"step without at", "spike: {at: +8h, peak: 3, half_life: 2h, label: launch}", "step: {factor: 2}", "load.shapes.office.events[0].step.at", "missing: the scenario time the step starts"},
		{"two kinds in one event", "- spike: {at: +8h,", "- step: {at: +1h, factor: 2}\n          spike: {at: +8h,", "load.shapes.office.events[0]", "one of step, ramp or spike"},
		{"unknown journey", "journey: citizen-dossier, rate: 2/s", "journey: citizen-dosier, rate: 2/s", "mix[0].journey", `unknown journey "citizen-dosier"`},
		{"journey twice without a name", "name: island-dossier, ", "", "mix[1].journey", "listed twice: give one a name"},
		{"unknown shape", "shape: office", "shape: offices", "mix[0].shape", `unknown shape "offices"`},
		{"unknown mix tier", "tier: remote}", "tier: island}", "mix[1].tier", `unknown tier "island"`},
		{"class and journey", "{class: catalogue, rate: 10/s}", "{class: catalogue, journey: citizen-lookup, rate: 10/s}", "mix[2]", "either a class or a journey"},
		{"weight and rate", "{class: catalogue, rate: 10/s}", "{class: catalogue, rate: 10/s, weight: 1}", "mix[2]", "not both"},
		{"weight without baseline", "{class: catalogue, rate: 10/s}", "{class: catalogue, weight: 1}", "load.baseline", "mix entries without a rate share it"},
		{"think on a class", "{class: catalogue, rate: 10/s}", "{class: catalogue, rate: 10/s, think: 1s}", "mix[2].think", "only a journey"},
		{"an area of no code", `units: {"00004": remote}`, `units: {"00004": remote}` + "\n    areas: {\"99\": {share: 5%}}", "load.population.areas.99", "no province (two digits) or commune-level unit"},
		{"areas over 100 %", `units: {"00004": remote}`, `units: {"00004": remote}` + "\n    areas: {\"01\": {share: 60%}, \"79\": {share: 50%}}", "load.population.areas", "add up to 110%, over 100%"},
		{"a unit's share over its province's", `units: {"00004": remote}`, `units: {"00004": remote}` + "\n    areas: {\"01\": {share: 1%}, \"00004\": {share: 2%}}", "load.population.areas.01.share", "less than its units' own shares"},
		{"an empty area", `units: {"00004": remote}`, `units: {"00004": remote}` + "\n    areas: {\"01\": {}}", "load.population.areas.01", "give share, online_ratio or both"},
		{"online over 100 % in an area", `units: {"00004": remote}`, `units: {"00004": remote}` + "\n    areas: {\"01\": {online_ratio: 2}}\n  channels: {online: [{at: 2025-07-01, share: 60%}]}", "load.population.areas.01.online_ratio", "is over 100%"},
		{"channel points out of order", `units: {"00004": remote}`, `units: {"00004": remote}` + "\n  channels: {online: [{at: 2025-07-02, share: 60%}, {at: 2025-07-01, share: 70%}]}", "load.channels.online[1].at", "not after the point before it"},
		{"no channel points", `units: {"00004": remote}`, `units: {"00004": remote}` + "\n  channels: {online: []}", "load.channels.online", "empty"},
		{"closed users on a class", "{class: catalogue, rate: 10/s}", "{class: catalogue, concurrent_users: 100}", "mix[2].concurrent_users", "only a journey has users"},
		{"closed users and a rate", "name: island-dossier, rate: 0.1/s,", "name: island-dossier, rate: 0.1/s, concurrent_users: 100,", "mix[1].concurrent_users", "not both"},
		{"closed users and a shape", "{journey: citizen-dossier, rate: 2/s, shape: office,", "{journey: citizen-dossier, concurrent_users: 6000, shape: office,", "mix[0].shape", "online the whole run"},
		{"closed users without a think", "name: island-dossier, rate: 0.1/s,", "name: island-dossier, concurrent_users: 6000, think: 0s,", "mix[1].think", "at least 1ms"},
		{"closed users under one in the run", "name: island-dossier, rate: 0.1/s,", "name: island-dossier, concurrent_users: 10,", "mix[1].concurrent_users", "are 0.0014 users in the run"},
		{"objective on an unknown step", "class: island-dossier.submit", "class: island-dossier.sign", "slos.objectives[0].class", `class "island-dossier.sign" is not in the mix`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(surge, tt.from, tt.to, 1)
			require.NotEqual(t, surge, src, "the edit applies")
			_, err := Parse([]byte(src), "bad.yaml")
			require.Error(t, err)
			es, ok := err.(Errors)
			require.True(t, ok, "%v", err)
			assertHasError(t, es, tt.field, tt.msg)
		})
	}
}

func TestParseSource(t *testing.T) {
	const replay = `name: r
clock: {start: 2025-07-01 08:00, end: +10m}
load:
  source: {log: logs/access.log, speed: 10}
slos:
  window: 1m
  objectives: [{name: c, kind: latency, class: catalogue, percentile: 95, max: 1s}]
`
	s, err := Parse([]byte(replay), "dir/r.yaml")
	require.NoError(t, err)
	assert.Equal(t, 10.0, s.Clock.Compress, "a replay's speed is its clock's compress")
	assert.Equal(t, "dir/logs/access.log", s.LogPath())
	assert.Equal(t, "auto", s.Load.Source.Format)
	assert.Contains(t, s.ClassNames(), "other")

	bad := []struct{ edit, field, msg string }{
		{strings.Replace(replay, "+10m}", "+10m, compress: 20}", 1), "load.source.speed", "a replay's speed is its clock's compress"},
		{strings.Replace(replay, "speed: 10}", "speed: 10, format: clf}", 1), "load.source.format", `unknown format "clf"`},
		{strings.Replace(replay, "speed: 10}", "speed: 10, rules: [{path: '(', class: x}]}", 1), "load.source.rules[0].path", "regular expression"},
		{strings.Replace(replay, "slos:", "mix: [{class: catalogue, weight: 1}]\nslos:", 1), "mix", "remove mix"},
	}
	for _, tt := range bad {
		_, err := Parse([]byte(tt.edit), "r.yaml")
		require.Error(t, err, tt.field)
		assertHasError(t, err.(Errors), tt.field, tt.msg)
	}
}

// assertHasError: the edit's error is there, located, and nothing unrelated is (a
// dangling reference an edit leaves, such as an objective's class, may follow it).
func assertHasError(t *testing.T, es Errors, field, msg string) {
	t.Helper()
	require.NotEmpty(t, es)
	assert.LessOrEqual(t, len(es), 2, "%v", es)
	for _, e := range es {
		assert.Positive(t, e.Line, "%v", e)
		if e.Field == field {
			assert.Contains(t, e.Msg, msg)
			return
		}
	}
	t.Errorf("no error on %s in:\n%v", field, es)
}

func TestParseReportsEveryProblem(t *testing.T) {
	src := strings.NewReplacer("weight: 3}", "weight: -3}", "latency: 100ms}", "}").Replace(valid)
	_, err := Parse([]byte(src), "bad.yaml")
	require.Error(t, err)
	es := err.(Errors)
	require.Len(t, es, 2, "%v", err)
	assert.Equal(t, "mix[0].weight", es[0].Field)
	assert.Equal(t, "faults[0].latency", es[1].Field)
}

func TestSyntaxErrorHasLine(t *testing.T) {
	_, err := Parse([]byte("name: t\nclock: [\n"), "broken.yaml")
	require.Error(t, err)
	assert.Regexp(t, `^broken.yaml:\d+: YAML syntax`, err.Error())
}

func TestOpenUnknownName(t *testing.T) {
	_, err := Open("no-such-scenario")
	require.Error(t, err)
	assert.False(t, isInvalid(err))
	assert.Contains(t, err.Error(), "smoke")
}

func TestValues(t *testing.T) {
	durations := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"150ms", 150 * time.Millisecond, true},
		{"3d", 72 * time.Hour, true},
		{"1d12h", 36 * time.Hour, true},
		{"-2s", -2 * time.Second, true},
		{"d", 0, false},
		{"", 0, false},
		{"5 s", 0, false},
	}
	for _, d := range durations {
		got, err := ParseDuration(d.in)
		if !d.ok {
			assert.Error(t, err, d.in)
			continue
		}
		require.NoError(t, err, d.in)
		assert.Equal(t, d.want, got, d.in)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(valid))
	smoke, _, _ := builtin("smoke")
	f.Add(smoke)
	f.Add([]byte(surge))
	surgeYAML, _, _ := builtin("july1-surge")
	f.Add(surgeYAML)
	f.Add([]byte("clock: {start: +1d, end: +1s}"))
	f.Add([]byte(withFaults("  - {at: +1m, link: remote->portal, toxic: down, flap: {period: 1m scenario, down_for: 0.5s, count: 3}}\n",
		"tiers:\n  remote: {latency: 600ms, shared_bandwidth: 5Mbps}\n")))
	f.Add([]byte(strings.NewReplacer("    data: accounts.csv\n", "", "data.user", "vu.id", "data.password", "vu.commune").Replace(journeyScenario(goodSteps))))
	// testdata/fuzz/FuzzParse holds the inputs the adversarial pass found (NaN, huge
	// users, a second document, written zeros…): plain `go test` runs them too.
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		s, err := Parse(data, "fuzz.yaml")
		// Never hangs: the most a scenario can be (1 MiB) parses in well under this.
		require.Less(t, time.Since(start), 10*time.Second)
		if err != nil {
			es, ok := err.(Errors)
			require.True(t, ok, "an error that is not located: %v", err)
			require.NotEmpty(t, es)
			for _, e := range es {
				require.Equal(t, "fuzz.yaml", e.File, "%v", e)
				require.Positive(t, e.Line, "every error has a line: %v", e)
				require.NotEmpty(t, e.Msg)
			}
			return
		}
		assertBounded(t, s)
		// Whatever parses must re-parse from its own resolved form, to the same form.
		out, err := Marshal(s)
		require.NoError(t, err)
		back, err := Parse(out, "again.yaml")
		require.NoError(t, err, "%s", out)
		again, err := Marshal(back)
		require.NoError(t, err)
		require.Equal(t, string(out), string(again))
	})
}

// isInvalid reports whether err means the scenario itself is wrong (as opposed to a
// file that could not be read).
func isInvalid(err error) bool {
	var es Errors
	return errors.As(err, &es)
}

// july1-long carries july1-surge's model on to 28 October: the same load and mix, so
// that the figures both reach agree and the later ones check the surge's model.
func TestJuly1LongCarriesTheSurgeModel(t *testing.T) {
	surge, err := Open("july1-surge")
	require.NoError(t, err)
	long, err := Open("july1-long")
	require.NoError(t, err)
	assert.Equal(t, surge.Load, long.Load, "load")
	assert.Equal(t, surge.Mix, long.Mix, "mix")
	assert.Equal(t, surge.Clock.Start, long.Clock.Start)
	assert.True(t, long.Clock.End.After(surge.Clock.End.Time))
}
