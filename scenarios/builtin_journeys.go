package scenarios

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// The built-in journeys are YAML journeys like any scenario's own, one file each in
// scenarios/journeys/, embedded in the binary: one mechanism walks them all.
//
//go:embed journeys/*.yaml
var builtinJourneyFS embed.FS

// builtinJourneyOrder is the order the built-in journeys are listed in (messages, docs).
var builtinJourneyOrder = []string{"citizen-dossier", "citizen-lookup", "birth-bundle", "death-bundle", "official-queue", "official-counter"}

// builtinSpecs are the built-in journeys by name. A file that does not decode or
// compile is left out, and TestBuiltinJourneysCompile names it.
var builtinSpecs = sync.OnceValue(func() map[string]*JourneySpec {
	specs, _ := readBuiltinJourneys()
	return specs
})

// readBuiltinJourneys decodes scenarios/journeys/*.yaml, strictly.
func readBuiltinJourneys() (map[string]*JourneySpec, error) {
	out := map[string]*JourneySpec{}
	entries, err := fs.ReadDir(builtinJourneyFS, "journeys")
	if err != nil {
		return nil, err
	}
	var errs []string
	for _, e := range entries {
		file := "scenarios/journeys/" + e.Name()
		data, err := builtinJourneyFS.ReadFile("journeys/" + e.Name())
		if err != nil {
			return nil, err
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		var spec JourneySpec
		if err := dec.Decode(&spec); err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", file, err))
			continue
		}
		if spec.Name+".yaml" != e.Name() {
			errs = append(errs, fmt.Sprintf("%s: names journey %q: a built-in journey's file is its name", file, spec.Name))
			continue
		}
		if _, ps := spec.compile("", "", 0, true); len(ps) > 0 {
			for _, p := range ps {
				errs = append(errs, fmt.Sprintf("%s: %s: %s", file, p.field, p.msg))
			}
			continue
		}
		out[spec.Name] = &spec
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return out, nil
}

// builtinJourneys are the built-in journeys as the plan counts them, in order.
func builtinJourneys() []Journey {
	specs := builtinSpecs()
	var out []Journey
	for _, name := range builtinJourneyOrder {
		if spec, ok := specs[name]; ok {
			out = append(out, spec.asJourney())
		}
	}
	return out
}
