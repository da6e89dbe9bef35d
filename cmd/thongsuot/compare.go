package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/reports"
)

func newCompareCmd() *cobra.Command {
	var (
		out        string
		latency    float64
		minLatency time.Duration
		points     float64
	)
	cmd := &cobra.Command{
		Use:   "compare BASE RUN",
		Short: "Compare a run with a base run; exit 1 on a regression",
		Long: `Compare sets RUN against BASE (two run directories): for every SLO its overall value,
and for every request class (and all together) p95, p99 and availability, with the
change. It writes compare.json and an overlay plot (compare.png, compare.svg) into
--out, RUN's directory by default.

A regression is:
  a latency (p95, p99, a latency SLO, any SLO where lower is better) that rose by more
    than --max-regression percent of the base AND by more than --min-latency;
  an availability (or any SLO in %, where higher is better) that fell by more than
    --max-availability-drop percentage points.

Both runs must have a verdict of their own: a run that is incomplete (cut short) or
inconclusive (the harness saturated, or too little sent or judged) measured something
other than the scenario, and a comparison with it would pass or fail on that. compare
refuses it, saying which and why, with the exit code the run's own verdict gives.

Exit codes: 0 no regression, 1 a regression beyond the limits, 2 a directory is not a
run or a run is incomplete, 3 a run is inconclusive.`,
		Example: `  thongsuot compare out/main-smoke out/branch-smoke
  thongsuot compare base run --max-regression 20 --min-latency 5ms --max-availability-drop 0.5`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			lim := reports.CompareLimits{Latency: latency / 100, MinLatency: minLatency, Availability: points}
			base, err := reports.Read(args[0])
			if err != nil {
				return &exitError{code: slo.ExitError, err: err}
			}
			run, err := reports.Read(args[1])
			if err != nil {
				return &exitError{code: slo.ExitError, err: err}
			}
			if err := comparable(args[0], base, args[1], run); err != nil {
				return err
			}
			if out == "" {
				out = args[1]
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return &exitError{code: slo.ExitError, err: err}
			}
			c := reports.Compare(base, run, lim)
			if err := c.Write(filepath.Join(out, reports.CompareFile)); err != nil {
				return &exitError{code: slo.ExitError, err: err}
			}
			if err := reports.WriteCompareFigure(base, run, out); err != nil {
				return &exitError{code: slo.ExitError, err: err}
			}
			printComparison(cmd.OutOrStdout(), c, out)
			if len(c.Regressions()) > 0 {
				return &exitError{code: slo.ExitFail}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory for compare.json, compare.png and compare.svg (default RUN)")
	cmd.Flags().Float64Var(&latency, "max-regression", 100*reports.DefaultCompareLimits.Latency, "largest allowed latency rise, in percent of the base")
	cmd.Flags().DurationVar(&minLatency, "min-latency", reports.DefaultCompareLimits.MinLatency, "latency rises smaller than this are noise, never a regression")
	cmd.Flags().Float64Var(&points, "max-availability-drop", reports.DefaultCompareLimits.Availability, "largest allowed availability fall, in percentage points")
	return cmd
}

// comparable refuses a run without a verdict of its own: an incomplete one first (exit
// 2, as report gives it), then an inconclusive one (exit 3).
func comparable(baseDir string, base *reports.Run, runDir string, run *reports.Run) error {
	for _, want := range []string{slo.VerdictIncomplete, slo.VerdictInconclusive} {
		for _, r := range []struct {
			dir, role string
			run       *reports.Run
		}{{baseDir, "base", base}, {runDir, "run", run}} {
			if r.run.Verdict.Name() != want {
				continue
			}
			why := "it was cut short: its journal holds only part of the scenario"
			if want == slo.VerdictInconclusive {
				why = strings.Join(r.run.Verdict.Doubts, "; ")
			}
			return &exitError{code: slo.VerdictExitCode(want),
				err: fmt.Errorf("cannot compare: the %s %s is %s (%s); run it again", r.role, r.dir, want, why)}
		}
	}
	return nil
}

func printComparison(w io.Writer, c *reports.Comparison, out string) {
	fmt.Fprintf(w, "base %s (%s) → run %s (%s)\n", c.Base, c.BaseVerdict, c.Run, c.RunVerdict)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\tscope\tname\tmetric\tbase\trun\tchange")
	for _, ch := range c.Changes {
		mark := ""
		if ch.Regressed {
			mark = "REGRESSED"
		}
		base, run := reports.FormatValue(ch.Unit, ch.Base), reports.FormatValue(ch.Unit, ch.Run)
		switch ch.Missing {
		case "base":
			base = "—"
		case "run":
			run = "—"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", mark, ch.Scope, ch.Name, ch.Metric, base, run, ch.Describe())
	}
	tw.Flush()
	n := len(c.Regressions())
	verdict := "no regression"
	if n > 0 {
		verdict = fmt.Sprintf("%d regression%s beyond the limits", n, map[bool]string{true: "s"}[n > 1])
	}
	fmt.Fprintf(w, "%s (latency +%.0f%% and +%s, availability −%g points); %s\n", verdict,
		100*c.Limits.Latency, c.Limits.MinLatency, c.Limits.Availability, strings.Join(reports.CompareFiles(out), ", "))
}
