package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/scenarios"
)

func newValidateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate SCENARIO...",
		Short: "Check scenario files without running them",
		Long: `Validate reads each scenario (a file path or a built-in name), applies defaults and
checks every field: every number against its range, every list against its limit
(README "Scenarios"). Each problem is printed as file:line: field: what is wrong.
A file over 1 MiB is refused unread. Exit code 2 if any scenario is invalid.

Built-in scenarios: ` + strings.Join(scenarios.BuiltinNames(), ", "),
		Example: `  thongsuot validate smoke
  thongsuot validate scenarios/*.yaml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			bad := 0
			for _, arg := range args {
				s, err := scenarios.Open(arg)
				if err != nil {
					fmt.Fprintln(cmd.ErrOrStderr(), err)
					bad++
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok (%s, %s of scenario time in %s of wall time)\n",
					s.File, s.Name, s.Clock.End.Sub(s.Clock.Start.Time), s.WallDuration())
			}
			if bad > 0 {
				return &exitError{code: slo.ExitError}
			}
			return nil
		},
	}
}
