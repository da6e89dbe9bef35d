package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/thongsuot/thongsuot/harness"
	"github.com/thongsuot/thongsuot/harness/runtime"
	"github.com/thongsuot/thongsuot/reports"
	"github.com/thongsuot/thongsuot/scenarios"
)

func newRunCmd() *cobra.Command {
	var (
		out, rt string
		seed    int64
		quiet   bool
	)
	cmd := &cobra.Command{
		Use:   "run SCENARIO",
		Short: "Run a scenario and judge it against its SLOs",
		Long: `Run brings the system up (the embedded runtime by default: everything in this
process, no Docker), replays the scenario's traffic on its clock, applies its faults,
and writes the run directory:

  scenario.yaml   the scenario as run (defaults filled in)
  journal/        what happened, window by window (append-only)
  summary.json    verdict, objectives, totals
  junit.xml       one test case per SLO
  latency.png     p50/p95/p99 per class over scenario time, SLOs, fault windows

SCENARIO is a file path or a built-in name (` + strings.Join(scenarios.BuiltinNames(), ", ") + `).
Ctrl-C stops the load; what ran is still written, marked incomplete.

Exit codes: 0 every SLO held, 1 an SLO failed, 2 bad input or the harness could not run.`,
		Example: `  thongsuot run smoke
  thongsuot run scenarios/smoke.yaml --out out/smoke-1 --seed 7`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := scenarios.Open(args[0])
			if err != nil {
				return &exitError{code: exitHarness, err: err}
			}
			if cmd.Flags().Changed("seed") {
				s.Load.Seed = seed
			}
			if out == "" {
				out = filepath.Join("out", time.Now().Format("20060102-150405")+"-"+s.Name)
			}
			var progress io.Writer = cmd.ErrOrStderr()
			if quiet {
				progress = nil
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			runErr := harness.Run(ctx, s, harness.Options{Dir: out, Runtime: rt, Progress: progress, Version: version})
			sum, renderErr := reports.Render(out)
			if runErr != nil {
				if renderErr == nil { // it got far enough to record something: say where
					fmt.Fprintf(cmd.ErrOrStderr(), "what was recorded is in %s\n", out)
				}
				return &exitError{code: exitHarness, err: runErr}
			}
			if renderErr != nil {
				return &exitError{code: exitHarness, err: renderErr}
			}
			printVerdict(cmd.OutOrStdout(), sum, out)
			if code := sum.ExitCode(); code != exitPass {
				return &exitError{code: code}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "run directory (default out/<timestamp>-<scenario>)")
	cmd.Flags().StringVar(&rt, "runtime", "embedded", "where the system under test runs: "+strings.Join(runtime.Names, ", "))
	cmd.Flags().Int64Var(&seed, "seed", scenarios.DefaultSeed, "seed for every random choice of the load (overrides load.seed)")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress lines")
	return cmd
}

func printVerdict(w io.Writer, s *reports.Summary, dir string) {
	fmt.Fprintf(w, "\n%s: %s — %d requests sent of %.0f asked, %d late, %d failed\n",
		s.Scenario, strings.ToUpper(s.Verdict), s.Totals.Sent, s.Totals.Intended, s.Totals.Late, s.Totals.Failed)
	for _, o := range s.Objectives {
		mark := "ok  "
		if !o.Met {
			mark = "FAIL"
		}
		worst := "no window judged"
		if o.Detail != "" {
			worst = o.Detail
		}
		if o.Worst != nil {
			worst = fmt.Sprintf("worst %s", formatValue(o.Unit, o.Worst.Value))
		}
		if o.Worst == nil {
			fmt.Fprintf(w, "  %s %-24s %s: %s\n", mark, o.Name, o.Objective, worst)
			continue
		}
		fmt.Fprintf(w, "  %s %-24s %-24s overall %-10s %s, %d/%d windows failed\n",
			mark, o.Name, o.Objective, formatValue(o.Unit, o.Overall), worst, len(o.Failed), o.Evaluated)
	}
	fmt.Fprintf(w, "report: %s (summary.json, junit.xml, latency.png)\n", dir)
}

func formatValue(unit string, v float64) string {
	if unit == "%" {
		return fmt.Sprintf("%.2f%%", v)
	}
	return fmt.Sprintf("%.1fms", v)
}
