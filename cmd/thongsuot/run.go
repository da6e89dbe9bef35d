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
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/reports"
	"github.com/thongsuot/thongsuot/scenarios"
)

func newRunCmd() *cobra.Command {
	var (
		out     string
		seed    int64
		quiet   bool
		results string
		sut     sutFlags
		shard   shardFlags
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
  junit.xml       one test suite, one test case per SLO
  report.html     the report to read: verdict, SLO table, plots, faults, scenario, environment
  *.png, *.svg    latency, throughput, codes, availability, budget, sends, faults

Progress goes to stderr: on a terminal one line updated every second (wall and
scenario clocks, rate asked and sent, p95, errors, late sends, faults in force); in a
log, a line every 10 s.

SCENARIO is a file path or a built-in name (` + strings.Join(scenarios.BuiltinNames(), ", ") + `).
Ctrl-C stops the load; what ran is still written, marked incomplete.

The verdict: pass (exit 0) when every objective held; fail (1) when one did not, where
the harness could measure; inconclusive (3) when the harness itself was saturated for
too much of the run, or too little was sent or judged to say; incomplete (2) when the
run was cut short. Bad input or a harness that could not run: 2.

` + sutHelp + "\n\n" + shardHelp,
		Example: `  thongsuot run smoke
  thongsuot run scenarios/smoke.yaml --out out/smoke-1 --seed 7
  thongsuot run smoke --out out/s --results out/s.bin && vegeta report out/s.bin
  thongsuot run july1-gate --portal naive                    # exit 1: the gate catches it
  thongsuot run july1-gate --portal image=npsp/portal:1.4.2 --receipts /admin/v1/receipts
  thongsuot run smoke --portal url=https://staging.npsp.example --allow-target staging.npsp.example
  thongsuot run registry-brownout --shard 0/3 --start 2026-12-02T08:00:00Z --portal url=http://127.0.0.1:41001 --identity url=http://127.0.0.1:41002 --out out/s0`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := scenarios.Open(args[0])
			if err != nil {
				return &exitError{code: slo.ExitError, err: err}
			}
			if cmd.Flags().Changed("seed") {
				s.Load.Seed = seed
			}
			asWritten := *s // what scenario.yaml records: a shard's faults are the controller's
			part, err := shard.apply(cmd, s)
			if err != nil {
				return err
			}
			if err := sut.apply(cmd, s); err != nil {
				return err
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
			runErr := harness.Run(ctx, s, harness.Options{Dir: out, Runtime: sut.runtime, Progress: progress, Version: version, Results: results, Shard: part, AsWritten: written(part, &asWritten)})
			sum, renderErr := reports.Render(out)
			if runErr != nil {
				if renderErr == nil { // it got far enough to record something: say where
					fmt.Fprintf(cmd.ErrOrStderr(), "what was recorded is in %s\n", out)
				}
				return &exitError{code: slo.ExitError, err: runErr}
			}
			if renderErr != nil {
				return &exitError{code: slo.ExitError, err: renderErr}
			}
			printVerdict(cmd.OutOrStdout(), sum, out)
			if code := partExit(cmd.OutOrStdout(), part, sum.ExitCode()); code != slo.ExitPass {
				return &exitError{code: code}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "run directory (default out/<timestamp>-<scenario>)")
	cmd.Flags().Int64Var(&seed, "seed", scenarios.DefaultSeed, "seed for every random choice of the load (overrides load.seed)")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress lines")
	sut.add(cmd)
	shard.add(cmd)
	cmd.Flags().StringVar(&results, "results", "", "also write every response to FILE in vegeta's results format (gob), for vegeta report/plot")
	return cmd
}
