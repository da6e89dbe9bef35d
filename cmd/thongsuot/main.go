// Command thongsuot is the load-testing and resilience harness for Vietnam's National
// Public Service Portal and the systems behind it. See README.md.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/thongsuot/thongsuot/harness/slo"
)

// version is set at build time: -ldflags "-X main.version=...".
var version = "dev"

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error // nil: the command already said what happened
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func main() {
	stopProfile := startCPUProfile()
	root := newRootCmd()
	err := root.Execute()
	stopProfile()
	if err == nil {
		return
	}
	code := slo.ExitError
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
		err = ee.err
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "thongsuot:", err)
	}
	os.Exit(code)
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "thongsuot",
		Short: "Load-testing and resilience harness for the National Public Service Portal",
		Long: `thongsuot brings up a reference portal with VNeID identity and national registry
stubs, replays the traffic of the 1 July 2025 switch to two-level local government at
any scale and time compression, injects link faults through toxiproxy, and says —
in plots, JUnit XML, summary.json and its exit code — whether the stability targets held.

Exit codes: 0 pass (every SLO held), 1 fail (an SLO failed), 2 bad input, the harness
could not run or the run was cut short, 3 inconclusive (the harness was saturated, or
too little was sent or judged to say: run it again where the harness has room).`,
		Example: `  thongsuot run smoke                      # the built-in smoke scenario, about 20 s
  thongsuot run my.yaml --out out/try1     # your scenario, into a chosen directory
  thongsuot validate scenarios/*.yaml      # check scenario files without running them
  thongsuot report out/try1                # render a run's report.html, plots, junit.xml again
  thongsuot compare out/base out/try1      # exit 1 when try1 regressed against base`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newRunCmd(), newValidateCmd(), newPlanCmd(), newReplayCmd(), newUpCmd(), newVersionCmd(), newStubCmd())
	root.AddCommand(newReportCmd(), newCompareCmd())
	root.AddCommand(newFaultsCmd(), newMergeCmd())
	root.AddCommand(newSizeCmd())
	return root
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "thongsuot", version)
		},
	}
}
