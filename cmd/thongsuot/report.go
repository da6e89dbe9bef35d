package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/reports"
)

func newReportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "report RUN_DIR",
		Short: "Render a run directory's reports again from its journal",
		Long: `Report re-renders everything a run writes — report.html, summary.json, junit.xml and
the plots (PNG and SVG) — from the run directory alone: scenario.yaml and journal/.
Use it after changing thongsuot, on a run copied from another machine, or on a run
that was killed: what its journal holds renders, marked incomplete.

Exit codes: 0 every SLO held, 1 an SLO failed, 2 the run is incomplete (interrupted
or killed: no verdict) or RUN_DIR is not a run directory, 3 inconclusive.`,
		Example: `  thongsuot report out/20261124-150102-smoke
  thongsuot report out/killed-run; echo $?     # 2: incomplete, but report.html shows what ran`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sum, err := reports.Render(args[0])
			if err != nil {
				return &exitError{code: slo.ExitError, err: err}
			}
			printVerdict(cmd.OutOrStdout(), sum, args[0])
			if code := sum.ExitCode(); code != slo.ExitPass {
				return &exitError{code: code}
			}
			return nil
		},
	}
}

// printVerdict is the verdict on the terminal: one line per objective, then where the
// reports are.
func printVerdict(w io.Writer, s *reports.Summary, dir string) {
	fmt.Fprintf(w, "\n%s: %s — %d requests sent of %d due (%d late, %d dropped), %d failed\n",
		s.Scenario, strings.ToUpper(s.Verdict), s.Totals.Sent, s.Totals.Intended, s.Totals.Late, s.Totals.Dropped, s.Totals.Failed)
	if s.Verdict == slo.VerdictIncomplete {
		fmt.Fprintf(w, "  the run did not finish: %d of %d windows recorded, no verdict\n", s.Windows.Recorded, s.Windows.Planned)
	}
	for _, d := range s.Doubts {
		fmt.Fprintf(w, "  ?    %s\n", d)
	}
	if note := s.Harness.Note(); note != "" && !s.Harness.TooSaturated {
		fmt.Fprintf(w, "  %s\n", note)
	}
	for _, o := range s.Objectives {
		mark := "ok  "
		switch {
		case s.Verdict == slo.VerdictIncomplete:
			mark = "--  "
		case o.Status == slo.StatusUnjudged:
			mark = "??  "
		case o.Status == slo.StatusFailed:
			mark = "FAIL"
		}
		if o.Worst == nil && o.Detail != "" { // not judged per window (zero_loss)
			fmt.Fprintf(w, "  %s %-24s %s: %s\n", mark, o.Name, o.Objective, o.Detail)
			continue
		}
		worst := "no window judged"
		if o.Worst != nil {
			worst = fmt.Sprintf("worst %s", reports.FormatValue(o.Unit, o.Worst.Value))
		}
		name := o.Name
		if o.ImpliedBy != "" {
			name += " *"
		}
		fmt.Fprintf(w, "  %s %-24s %-24s overall %-10s %s; %s\n",
			mark, name, o.Objective, reports.FormatValue(o.Unit, o.Overall), worst, reports.JudgedText(o))
	}
	for _, o := range s.Objectives {
		if o.ImpliedBy != "" {
			fmt.Fprintln(w, "  * judged with a latency objective: latency counts answered requests only, so their share is judged too")
			break
		}
	}
	fmt.Fprintf(w, "report: %s/%s (also %s, %s, *.png, *.svg)\n", strings.TrimSuffix(dir, "/"), reports.HTMLFile, reports.SummaryFile, reports.JUnitFile)
}
