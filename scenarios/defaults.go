package scenarios

import "maps"

// Defaults are in place before decoding: a scenario decodes over defaultScenario(), so
// a field the YAML leaves out keeps its default and a field it writes replaces it — a
// written 0 included, which validation then keeps (min_requests: 0, users: 0, seed: 0)
// or rejects (compress: 0, window: 0s), but never turns into the default. A null
// (`users: ~`) leaves the default too.
//
// yaml.v3 makes each list item and each pointed-to struct it creates afresh, so faults
// and the source decode over their own defaults (UnmarshalYAML below). The two defaults
// that depend on another field — a journey's think time, and a replay's speed (its
// clock's compress) — are filled in by resolve, only where the YAML does not write them.

// defaultScenario is what a scenario is before its YAML is decoded over it.
func defaultScenario() Scenario {
	return Scenario{
		Version: SchemaVersion,
		Clock:   Clock{Zone: DefaultZone, Compress: DefaultCompress},
		Load: Load{
			Scale:      DefaultScale,
			Seed:       DefaultSeed,
			Users:      DefaultUsers,
			Timeout:    Duration{DefaultTimeout},
			MaxWorkers: DefaultMaxWorkers,
			LateAfter:  Duration{DefaultLateAfter},
			Population: defaultPopulation(),
		},
		SLOs: SLOs{
			Window:          Duration{DefaultWindow},
			MinRequests:     DefaultMinRequests,
			RecoveryWindows: DefaultRecoveryWindows,
		},
	}
}

// defaultPopulation is fresh on every call: decoding writes into its maps and pointer.
func defaultPopulation() *Population {
	remote := DefaultRemoteCommunes
	return &Population{
		Citizens:       DefaultCitizens,
		Weights:        maps.Clone(DefaultWeights),
		Tiers:          maps.Clone(DefaultUnitTiers),
		RemoteCommunes: &remote,
	}
}

// faultFields and sourceFields are Fault and Source without their UnmarshalYAML, to
// decode into. yaml.v3 hands the func form of UnmarshalYAML its own decoder, so strict
// field checking and line numbers carry through.
type (
	faultFields  Fault
	sourceFields Source
)

func (f *Fault) UnmarshalYAML(unmarshal func(any) error) error {
	toxicity := 1.0
	v := faultFields{Stream: DefaultStream, Toxicity: &toxicity}
	err := unmarshal(&v)
	*f = Fault(v)
	return err
}

func (src *Source) UnmarshalYAML(unmarshal func(any) error) error {
	malformed := DefaultMaxMalformed
	v := sourceFields{Format: "auto", MaxMalformed: &malformed}
	err := unmarshal(&v)
	*src = Source(v)
	return err
}

// written says whether the scenario's YAML writes a field ("mix[0].think").
type written func(path string) bool

func (idx pathIndex) written(path string) bool {
	_, ok := idx.lines[path]
	return ok
}
