package scenarios

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// SetIdentity puts the identity provider `run --identity` names in place: reference, or
// url=URL for one already running (the one a running portal trusts). Shards of one run
// name the system under test on their command line, so that one scenario file — its
// faults on any link of that system — serves every shard and the fault controller.
func (s *Scenario) SetIdentity(flag, value string) error {
	kind, arg, _ := strings.Cut(value, "=")
	switch {
	case value == ModeReference:
		s.SUT.Identity = Role{}
	case kind == SourceURL && arg != "":
		s.SUT.Identity = Role{URL: arg}
	default:
		return fmt.Errorf("%s %q: want reference or url=URL", flag, value)
	}
	s.SUT.Identity.resolve()
	s.override("sut.identity", flag)
	return nil
}

// Digest names what a run of s sends and judges — its clock, load, mix, tiers and
// objectives — leaving out where it sends (sut) and its faults, which a sharded run's
// fault controller applies: every part of one sharded run must have the same.
func (s *Scenario) Digest() (string, error) {
	c := *s
	c.Faults, c.SUT = nil, SUT{}
	data, err := Marshal(&c)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// ControlFaults hands the scenario's faults to a fault controller in another process
// (`thongsuot faults`): a shard of a sharded run applies none, while its objectives
// that need faults (recovery) still stand, judged on the controller's faults once the
// shards are merged. flag names the option that asked, for messages.
func (s *Scenario) ControlFaults(flag string) []Fault {
	faults := s.Faults
	s.Faults = nil
	s.override("faults", flag)
	return faults
}

// faultsControlled says whether ControlFaults handed the faults to a controller.
func (s *Scenario) faultsControlled() bool {
	_, ok := s.flags["faults"]
	return ok
}

// SetReceiptsClient names the service client the harness reads a running portal's
// receipts listing as (`run --receipts-client ID --receipts-secret-env NAME`): at a
// running reference identity provider, thongsuot-harness with its admin token, as
// `thongsuot up` prints it. The listing's path stays the scenario's or --receipts'.
func (s *Scenario) SetReceiptsClient(flag, id, secretEnv string) {
	rc := Receipts{}
	if s.SUT.Portal.Receipts != nil {
		rc = *s.SUT.Portal.Receipts
	}
	rc.Auth, rc.ClientID, rc.ClientSecretEnv = AuthService, id, secretEnv
	s.SUT.Portal.Receipts = &rc
	s.SUT.Portal.resolve()
	s.override("sut.portal.receipts", flag)
}
