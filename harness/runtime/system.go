package runtime

import (
	"fmt"

	"github.com/thongsuot/thongsuot/scenarios"
)

// System is one role of the system under test as a stack brought it up: what a verdict
// is about. Reports name it so that a gate's verdict is tied to the build it judged.
type System struct {
	Role   string // portal, identity, registries (the reference server), registry.<name>
	Source string // reference, image or url (scenarios.Source…)
	Naive  bool   // the reference portal without its protections
	Image  string // NAME:TAG, as the scenario names it
	Digest string // the Docker engine's: the registry digest, else the image ID
	URL    string // of a system already running
}

// Describe is the system in one line: "image npsp/portal:1.4.2 (sha256:…)", "url
// https://…", "reference, thongsuot v1.2.0".
func (s System) Describe(version string) string {
	switch s.Source {
	case scenarios.SourceImage:
		return fmt.Sprintf("image %s (%s)", s.Image, s.Digest)
	case scenarios.SourceURL:
		return "url " + s.URL
	}
	if s.Naive {
		return "reference, naive (protections off), thongsuot " + version
	}
	return "reference, thongsuot " + version
}

// Describe names each role of the stack's system under test, for run.json and the
// reports; registries the portal keeps to itself are said to be its own.
func (st *Stack) Describe(version string) map[string]string {
	out := map[string]string{}
	for _, s := range st.Systems {
		out[s.Role] = s.Describe(version)
	}
	if _, ok := out["registries"]; !ok {
		out["registries"] = "the portal's own (not started by thongsuot)"
	}
	return out
}

// systemOf describes a role the runtime started (digest: an image's) or stands in front of.
func systemOf(r roleSpec, digest string) System {
	name := r.name
	if name == roleRegistry {
		name = "registries"
	}
	return System{Role: name, Source: r.src.Source(), Naive: r.name == rolePortal && r.src.Mode == scenarios.ModeNaive,
		Image: r.src.Image, Digest: digest, URL: r.src.URL}
}
