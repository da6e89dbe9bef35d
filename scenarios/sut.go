package scenarios

import (
	"slices"
	"strings"
)

// SUT says what the system under test is, role by role. Left out, each role is
// thongsuot's reference stub.
type SUT struct {
	Portal Role `yaml:"portal,omitempty"`
}

// Role is where one role of the system under test comes from.
type Role struct {
	// Mode picks a variant of the reference role: "reference" (the default) or, for the
	// portal, "naive" — the reference portal without its protections (no timeouts,
	// breakers, bulkheads or shedding; registry calls inline), so that a gate can be
	// shown to fail what should fail.
	Mode string `yaml:"mode,omitempty"`
}

// Portal modes.
const (
	ModeReference = "reference"
	ModeNaive     = "naive"
)

// PortalModes are the modes the portal role takes.
var PortalModes = []string{ModeReference, ModeNaive}

// Naive says whether the portal is the reference portal without its protections.
func (s SUT) Naive() bool { return s.Portal.Mode == ModeNaive }

// Describe names the system under test per role, as reports write it.
func (s SUT) Describe() map[string]string {
	portal := "reference"
	if s.Naive() {
		portal = "reference, naive (protections off)"
	}
	return map[string]string{"portal": portal, "identity": "reference", "registries": "reference"}
}

func (s SUT) validate() []problem {
	if m := s.Portal.Mode; m != "" && !slices.Contains(PortalModes, m) {
		return []problem{problemf("sut.portal.mode", "unknown mode %q (known: %s)", m, strings.Join(PortalModes, ", "))}
	}
	return nil
}
