package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKnobAndUnitFaults(t *testing.T) {
	tests := []struct {
		spec  string
		field string // "" when valid
		msg   string
	}{
		{"{at: +5m, for: 2s, knob: identity, set: {capacity: 8, queue_limit: 16, error_rate: 2%}}", "", ""},
		{"{at: +5m, for: 2s, knob: registry.population, set: {latency_median: 300ms, latency_p99: 2s}}", "", ""},
		{"{at: +5m, for: 2s, knob: province.79, set: {maintenance: true}}", "", ""},
		{"{at: +5m, for: 2s, knob: registry.bank, set: {down: true}}", "faults[0].knob", `unknown knob "registry.bank"`},
		{"{at: +5m, for: 2s, knob: identity}", "faults[0].set", "missing: what to set"},
		{"{at: +5m, for: 2s, knob: identity, set: {}}", "faults[0].set", "missing: what to set"},
		{"{at: +5m, for: 2s, knob: identity, set: {down: true}, link: client->identity}", "faults[0]", "leave out link"},
		{"{at: +5m, for: 2s, knob: identity, set: {down: true}, latency: 1s}", "faults[0].latency", "write it under set"},
		{"{at: +5m, for: 2s, knob: identity, set: {capacity: -1}}", "faults[0].set.capacity", "must be"},
		{"{at: +5m, for: 2s, link: client->portal, toxic: down, units: [\"79\", \"00004\"]}", "", ""},
		{"{at: +5m, for: 2s, link: remote->portal, toxic: latency, latency: 1s, units: [\"26732\"]}", "", ""},
		{"{at: +5m, for: 2s, link: portal->registry, toxic: down, units: [\"79\"]}", "faults[0].units", "carries no unit's traffic"},
		{"{at: +5m, for: 2s, link: client->portal, toxic: down, units: [\"99\"]}", "faults[0].units[0]", `has code "99"`},
		{"{at: +5m, for: 2s, link: client->portal, toxic: down, units: [\"79\", \"79\"]}", "faults[0].units[1]", "listed twice"},
		{"{at: +5m, for: 2s, role: portal, action: kill, units: [\"79\"]}", "faults[0].units", "only a fault on a link"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			s, err := Parse([]byte(withFaults("  - "+tt.spec+"\n", "")), "t.yaml")
			if tt.field == "" {
				require.NoError(t, err)
				assert.NotEmpty(t, s.Faults[0].Name)
				return
			}
			require.Error(t, err)
			es := err.(Errors)
			require.NotEmpty(t, es)
			assert.Equal(t, tt.field, es[0].Field, "%v", err)
			assert.Contains(t, es[0].Msg, tt.msg)
		})
	}
}

// A unit reaches the portal over one link: two faults cannot both claim it, whether
// by the same code or by a unit and its province.
func TestFaultUnitsDoNotOverlap(t *testing.T) {
	spec := `  - {at: +5m, for: 2s, link: client->portal, toxic: down, units: ["79"]}
  - {at: +6m, for: 2s, link: client->portal, toxic: down, units: ["25750", "01"]}
  - {at: +7m, for: 2s, link: client->portal, toxic: down, units: ["01"]}
`
	_, err := Parse([]byte(withFaults(spec, "")), "t.yaml")
	require.Error(t, err)
	es := err.(Errors)
	require.Len(t, es, 2, "%v", err)
	assert.Equal(t, "faults[1].units[0]", es[0].Field) // 25750 is in Ho Chi Minh City
	assert.Equal(t, "faults[2].units[0]", es[1].Field) // 01 again
}

// A knob fault is named after its knob, and a fault on units says which.
func TestKnobAndUnitFaultNames(t *testing.T) {
	s, err := Parse([]byte(withFaults(`  - {at: +5m, for: 2s, knob: identity, set: {capacity: 4}}
  - {at: +6m, for: 2s, link: client->portal, toxic: down, units: ["79"]}
`, "")), "t.yaml")
	require.NoError(t, err)
	assert.Equal(t, "knob identity", s.Faults[0].Name)
	assert.Equal(t, "down on client->portal (units 79)", s.Faults[1].Name)
	assert.Equal(t, map[string]any{"capacity": 4}, s.Faults[0].Set.Fields())
}

// Knobs are the reference stubs': a knob of a role the scenario replaces is refused.
func TestKnobFaultsNeedTheReferenceStub(t *testing.T) {
	tests := []struct {
		sut, knob, msg string
	}{
		{"sut: {identity: {url: \"https://vneid.example.gov.vn\"}, portal: {url: \"https://npsp.example.gov.vn\"}}\n", "identity", "the identity role is url"},
		{"sut: {registries: {land: {image: \"land:1\"}}}\n", "registry.land", "registry land is image"},
		{"sut: {portal: {url: \"https://npsp.example.gov.vn\"}, identity: {url: \"https://vneid.example.gov.vn\"}}\n", "province.79", "the portal is already running"},
	}
	for _, tt := range tests {
		t.Run(tt.knob, func(t *testing.T) {
			_, err := Parse([]byte(withFaults("  - {at: +5m, for: 2s, knob: "+tt.knob+", set: {down: true}}\n", "")+tt.sut), "t.yaml")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}
