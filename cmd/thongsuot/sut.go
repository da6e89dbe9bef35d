package main

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/thongsuot/thongsuot/harness/runtime"
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/scenarios"
)

// sutFlags say which system to judge, over what the scenario's sut: section says:
// run and up take them.
type sutFlags struct {
	portal   string
	receipts string
	allow    []string
	runtime  string
}

const sutHelp = `The system under test is the reference portal, identity provider and registries
unless the scenario's sut: section or --portal says otherwise:

  --portal reference            thongsuot's reference portal (the default)
  --portal naive                the reference portal without its protections (no timeouts,
                                breakers, bulkheads or shedding): a gate that passes it is not a gate
  --portal image=NAME:TAG       your portal's image, on the Docker engine (never pulled), started
                                on the run's private network on the containers runtime; it finds
                                the other roles in THONGSUOT_IDENTITY_URL, THONGSUOT_REGISTRY_URL, …
  --portal url=URL              your portal already running; a local proxy stands in front of it
                                (its identity provider: sut.identity.url). Off this machine only
                                with --allow-target HOST.

zero_loss reads the portal's receipts listing: the reference has one; your portal opts in
with sut.portal.receipts or --receipts PATH. Reports name the system judged, per role
(an image with its digest).`

func (f *sutFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.portal, "portal", "", "the portal to judge: reference, naive, image=NAME:TAG or url=URL; overrides sut.portal")
	fl.StringVar(&f.receipts, "receipts", "", "the portal's receipts listing, e.g. /admin/v1/receipts (zero_loss reconciles against it); overrides sut.portal.receipts.path")
	fl.StringArrayVar(&f.allow, "allow-target", nil, "a host off this machine the run may send load to (repeatable); also sut.allow")
	fl.StringVar(&f.runtime, "runtime", "", "where the system under test runs: "+strings.Join(runtime.Names, ", ")+" (default embedded, or containers when a role is an image)")
}

// apply puts the flags into s and checks what a run of s may do here: every problem as
// file:line: field: what is wrong (or the flag that set it), exit 2.
func (f *sutFlags) apply(cmd *cobra.Command, s *scenarios.Scenario) error {
	if cmd.Flags().Changed("portal") {
		if err := s.SetPortal("--portal", f.portal); err != nil {
			return &exitError{code: slo.ExitError, err: err}
		}
	}
	if cmd.Flags().Changed("receipts") {
		s.SetReceipts("--receipts", f.receipts)
	}
	if err := s.CheckRun(scenarios.RunOptions{Runtime: f.runtime, Allow: f.allow}); err != nil {
		var es scenarios.Errors
		if errors.As(err, &es) {
			return &exitError{code: slo.ExitError, err: es}
		}
		return &exitError{code: slo.ExitError, err: err}
	}
	return nil
}
