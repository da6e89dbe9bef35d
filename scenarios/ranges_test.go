package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// boundedAtDecode are the scalar types that refuse out-of-range values while decoding.
var boundedAtDecode = map[reflect.Type]bool{
	reflect.TypeOf(Rate(0)): true, reflect.TypeOf(Percent(0)): true, reflect.TypeOf(Bandwidth(0)): true,
	reflect.TypeOf(ByteSize(0)): true, durationType: true, spanType: true, timeType: true,
}

// schemaField is one field of the schema, found by walking its types.
type schemaField struct {
	path string // with a placeholder for each list index and map key: "mix[0].weight"
	f    reflect.StructField
	leaf reflect.Type // the field's type under pointers, lists and maps
}

// mapKeys gives each map of the schema a key the walk (and the YAML it writes) can use.
var mapKeys = map[string]string{"load.shapes": "office", "tiers": "remote", "load.population.weights": "ward",
	"load.population.tiers": "ward", "load.population.units": "00001", "load.population.areas": "01", "sut.portal.env": "PORTAL_DB",
	"sut.identity.env": "IDP_KEYS", "sut.registries": "population", "sut.registries.population.env": "REGISTRY_DB",
	"journeys[0].steps[0].headers": "X-Csrf-Token", "journeys[0].steps[0].query": "q", "journeys[0].steps[0].form": "user",
	"journeys[0].steps[0].capture": "case_id", "journeys[0].steps[0].check.json": "status"}

func schemaFields(t *testing.T, typ reflect.Type, path string) []schemaField {
	var out []schemaField
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		p := path
		if opts != "inline" {
			p = joinPath(path, name)
		}
		leaf, lp := f.Type, p
		for {
			switch {
			case leaf.Kind() == reflect.Pointer:
				leaf = leaf.Elem()
				continue
			case leaf.Kind() == reflect.Slice && !boundedAtDecode[leaf]:
				leaf, lp = leaf.Elem(), lp+"[0]"
				continue
			case leaf.Kind() == reflect.Map:
				key, ok := mapKeys[lp]
				require.True(t, ok, "give the map %s a key in mapKeys", lp)
				leaf, lp = leaf.Elem(), lp+"."+key
				continue
			}
			break
		}
		if leaf.Kind() == reflect.Struct && !boundedAtDecode[leaf] {
			out = append(out, schemaFields(t, leaf, lp)...)
			continue
		}
		out = append(out, schemaField{path: lp, f: f, leaf: leaf})
	}
	return out
}

func isNumber(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Uint64 || k == reflect.Float32 || k == reflect.Float64
}

// A new number in the schema without a stated range fails here.
func TestEveryNumberHasARange(t *testing.T) {
	fields := schemaFields(t, reflect.TypeOf(Scenario{}), "")
	require.Greater(t, len(fields), 60, "the walk reaches the whole schema")
	numbers := 0
	for _, sf := range fields {
		if !isNumber(sf.leaf.Kind()) && !boundedAtDecode[sf.leaf] {
			continue
		}
		numbers++
		tag, tagged := sf.f.Tag.Lookup("range")
		switch {
		case boundedAtDecode[sf.leaf]:
			if tagged {
				assert.NotPanics(t, func() { fieldInterval(sf.f) }, sf.path)
			}
		case !tagged:
			t.Errorf("%s: a number without a range: give it a `range` tag (ranges.go)", sf.path)
		case tag == "-" || tag == "any":
			assert.Contains(t, []string{"version", "load.seed"}, sf.path, "only these are judged by a rule of their own or take any value")
		default:
			assert.NotPanics(t, func() { fieldInterval(sf.f) }, sf.path)
		}
	}
	assert.Greater(t, numbers, 40)
}

// The tags state the bounds bounds.go documents.
func TestRangeTagsMatchTheBounds(t *testing.T) {
	want := map[string][2]float64{
		"clock.compress": {MinCompress, MaxCompress}, "load.source.speed": {MinCompress, MaxCompress},
		"load.scale": {0, MaxScale}, "load.users": {0, MaxUsers}, "load.max_workers": {1, MaxInFlight},
		"load.population.citizens": {1, MaxCitizens}, "load.population.remote_communes": {0, CommuneUnits},
		"load.events[0].step.factor": {0, MaxFactor}, "load.events[0].spike.peak": {0, MaxFactor},
		"mix[0].weight": {0, MaxWeight}, "load.diurnal[0]": {0, MaxWeight}, "load.weekly.mon": {0, MaxWeight},
		"load.population.weights.ward": {0, MaxWeight}, "slos.min_requests": {0, MaxMinRequests},
		"slos.recovery_windows": {1, MaxWindows}, "faults[0].flap.count": {1, MaxFaultWindows},
	}
	seen := 0
	for _, sf := range schemaFields(t, reflect.TypeOf(Scenario{}), "") {
		if w, ok := want[sf.path]; ok {
			iv := fieldInterval(sf.f)
			require.NotNil(t, iv, sf.path)
			assert.Equal(t, w, [2]float64{iv.lo, iv.hi}, sf.path)
			seen++
		}
	}
	assert.Equal(t, len(want), seen, "every bound was found")
}

// setPath writes v at a field path ("mix[0].weight", "tiers.remote.loss") in a
// scenario decoded into maps and lists, creating what is missing.
func setPath(t *testing.T, doc map[string]any, path string, v any) {
	t.Helper()
	var cur any = doc
	segs := strings.Split(path, ".")
	for i, seg := range segs {
		key, idx := seg, -1
		if m := regexp.MustCompile(`^(.*)\[(\d+)\]$`).FindStringSubmatch(seg); m != nil {
			key = m[1]
			idx, _ = strconv.Atoi(m[2])
		}
		m := cur.(map[string]any)
		last := i == len(segs)-1
		if idx < 0 {
			if last {
				m[key] = v
				return
			}
			if _, ok := m[key].(map[string]any); !ok {
				m[key] = map[string]any{}
			}
			cur = m[key]
			continue
		}
		list, _ := m[key].([]any)
		for len(list) <= idx {
			list = append(list, map[string]any{})
		}
		m[key] = list
		if last {
			list[idx] = v
			return
		}
		cur = list[idx]
	}
}

// Every number of the schema, plain or a scalar type, refuses NaN and the infinities
// with its own file:line and field.
func TestNaNAndInfinityRejectedEverywhere(t *testing.T) {
	src := withFaults("  - {at: +5m, for: 2s, link: portal->registry, toxic: latency, latency: 100ms}\n", "")
	floats := 0
	for _, sf := range schemaFields(t, reflect.TypeOf(Scenario{}), "") {
		if k := sf.leaf.Kind(); k != reflect.Float32 && k != reflect.Float64 {
			continue
		}
		floats++
		for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
			t.Run(fmt.Sprintf("%s=%v", sf.path, v), func(t *testing.T) {
				var doc map[string]any
				require.NoError(t, yaml.Unmarshal([]byte(src), &doc))
				setPath(t, doc, sf.path, v)
				data, err := yaml.Marshal(doc)
				require.NoError(t, err)
				_, err = Parse(data, "nan.yaml")
				require.Error(t, err, "%s", data)
				es, ok := err.(Errors)
				require.True(t, ok, "%v", err)
				for _, e := range es {
					if e.Field != sf.path {
						continue
					}
					assert.Positive(t, e.Line)
					if sf.leaf == reflect.TypeOf(float64(0)) {
						// a plain number: its range, stated
						assert.Regexp(t, `^must be (between|above|at least) .*, got (NaN|[+-]Inf)`, e.Msg)
					}
					return
				}
				t.Errorf("no error on %s in:\n%v\n%s", sf.path, es, data)
			})
		}
	}
	assert.GreaterOrEqual(t, floats, 20, "every float of the schema was tried")
}

func TestIntervalDescribesItsBounds(t *testing.T) {
	tests := []struct {
		tag     string
		in, out []float64
		got     float64 // the value the message is about
		want    string
	}{
		{"[0,100]", []float64{0, 50, 100}, []float64{-1, 101, math.NaN()}, math.NaN(), "must be between 0 and 100, got NaN"},
		{"(0,1000]", []float64{0.001, 1000}, []float64{0, 1001}, 0, "must be above 0 and at most 1000, got 0"},
		{"[0.01,1000000]", []float64{0.01, 1e6}, []float64{0, 1e6 + 1}, 0, "must be between 0.01 and 1000000, got 0"},
		{"(0,100) or 0", []float64{0, 95}, []float64{100, -1}, 100, "must be above 0 and below 100, got 100"},
		{"[1,100000]", []float64{1}, []float64{0, math.Inf(1)}, math.Inf(1), "must be between 1 and 100000, got +Inf"},
	}
	for _, tt := range tests {
		iv, err := parseInterval(tt.tag, numberBound)
		require.NoError(t, err, tt.tag)
		for _, v := range tt.in {
			assert.True(t, iv.contains(v), "%s contains %v", tt.tag, v)
		}
		for _, v := range tt.out {
			assert.False(t, iv.contains(v), "%s does not contain %v", tt.tag, v)
		}
		assert.Equal(t, tt.want, iv.outside(tt.got, formatNumber), tt.tag)
	}
	for _, bad := range []string{"0,100", "[0;100]", "[a,1]", "[0,1"} {
		_, err := parseInterval(bad, numberBound)
		assert.Error(t, err, bad)
	}
}
