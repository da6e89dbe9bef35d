package main

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/thongsuot/thongsuot/harness"
	"github.com/thongsuot/thongsuot/harness/sizing"
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/scenarios"
)

func newSizeCmd() *cobra.Command {
	var (
		out       string
		tiers     []string
		units     int
		maxProbes int
		budget    time.Duration
		precision float64
		quiet     bool
	)
	cmd := &cobra.Command{
		Use:   "size SCENARIO",
		Short: "Find, per link tier, the least uplink bandwidth at which the SLOs hold",
		Long: `Size answers a telecom partner's question: how much bandwidth does a link of each tier
need for the scenario's SLOs to hold at its peak?

The scenario is read as the traffic one link carries (write it as a short run of the
peak in real time, compress 1: scenarios/bandwidth-sizing.yaml is one commune office at
07:30). For each tier, size runs it as short probes, all of it over that tier's link
(the tier's latency, jitter and loss stay), the link's bandwidth shared by all its
connections (shared_bandwidth, each way) at the probed value:

  1. uncapped: the SLOs must hold here, and the bytes moved give the analytic estimate
     (bytes on the wire per second, headers included, the busier way);
  2. four times the estimate, then bisection (geometric) between a bandwidth that
     failed and one that held, until they are within --precision;
  3. the answer probed once more. A probe that fails at or above a bandwidth that held
     is run again and both are reported; one that cannot be judged (the harness was
     saturated) likewise.

Progress: one line per probe on stderr. The output directory holds sizing.csv (every
probe), sizing.json, sizing.png (p95 and availability against bandwidth per tier, the
objectives' limits, the chosen point) and report.html; each probe's run directory is
under probes/.

Exit codes: 0 every tier sized; 1 a tier's SLOs did not hold even uncapped, or no
answer was confirmed within the probes or budget; 2 bad input or a probe could not run.

SCENARIO is a file path or a built-in name (` + strings.Join(scenarios.BuiltinNames(), ", ") + `).`,
		Example: `  thongsuot size bandwidth-sizing
  thongsuot size bandwidth-sizing --tier remote --max-probes 10
  thongsuot size bandwidth-sizing --units 20 --budget 10m   # a link carrying 20 offices`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := scenarios.Open(args[0])
			if err != nil {
				return &exitError{code: slo.ExitError, err: err}
			}
			if len(tiers) == 0 {
				tiers = scenarios.Tiers
			}
			for _, t := range tiers {
				if !slices.Contains(scenarios.Tiers, t) {
					return &exitError{code: slo.ExitError, err: fmt.Errorf("--tier: unknown tier %q (known: %s)", t, strings.Join(scenarios.Tiers, ", "))}
				}
			}
			if units < 1 || maxProbes < 2 || budget <= 0 || precision <= 0 {
				return &exitError{code: slo.ExitError, err: fmt.Errorf("--units must be at least 1, --max-probes at least 2, --budget and --precision above 0")}
			}
			if out == "" {
				out = filepath.Join("out", time.Now().Format("20060102-150405")+"-size-"+s.Name)
			}
			if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 {
				return &exitError{code: slo.ExitError, err: fmt.Errorf("%s already holds files: choose another --out", out)}
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return &exitError{code: slo.ExitError, err: err}
			}
			progress := cmd.ErrOrStderr()
			if quiet {
				progress = nil
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			wall := s.Clock.Map().WallDuration()
			if progress != nil {
				fmt.Fprintf(progress, "sizing %s for %s: each probe runs %s of wall time; at most %d probes a tier, %s in all\n",
					s.Name, strings.Join(tiers, ", "), wall.Round(time.Second), maxProbes, budget)
			}
			began := time.Now()
			result := sizing.Sizing{Scenario: s.Name, Units: units, Started: began}
			prober := &harness.Prober{Scenario: s, Units: units, Dir: filepath.Join(out, "probes"), Version: version}
			for i, tier := range tiers {
				// Each tier gets its share of what is left of the budget.
				deadline := began.Add(budget * time.Duration(i+1) / time.Duration(len(tiers)))
				search := sizing.Search{Precision: precision, MaxProbes: maxProbes, Deadline: deadline, Progress: progress}
				r, err := search.Run(ctx, tier, prober)
				if err != nil {
					return &exitError{code: slo.ExitError, err: err}
				}
				result.Results = append(result.Results, r)
			}
			result.Took = time.Since(began).Seconds()
			for _, write := range []func() error{
				func() error { return result.WriteCSV(filepath.Join(out, "sizing.csv")) },
				func() error { return result.WriteJSON(filepath.Join(out, "sizing.json")) },
				func() error { return result.WritePNG(filepath.Join(out, "sizing.png")) },
				func() error { return result.WriteHTML(filepath.Join(out, "report.html")) },
			} {
				if err := write(); err != nil {
					return &exitError{code: slo.ExitError, err: err}
				}
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "\n%s: least uplink bandwidth per tier at the peak (%s)\n", s.Name, time.Since(began).Round(time.Second))
			if err := result.WriteTable(w); err != nil {
				return err
			}
			fmt.Fprintf(w, "files: %s (sizing.csv, sizing.json, sizing.png, report.html)\n", out)
			for _, r := range result.Results {
				if !r.Found || r.Note != "" && strings.Contains(r.Note, "not confirmed") {
					return &exitError{code: slo.ExitFail}
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "output directory (default out/<timestamp>-size-<scenario>)")
	cmd.Flags().StringSliceVar(&tiers, "tier", nil, "tier(s) to size (default all: "+strings.Join(scenarios.Tiers, ", ")+")")
	cmd.Flags().IntVar(&units, "units", 1, "the link carries this many units' traffic: the scenario's load × N")
	cmd.Flags().IntVar(&maxProbes, "max-probes", 8, "probes per tier at most, retries included (a confirmation's retry may take one more)")
	cmd.Flags().DurationVar(&budget, "budget", 5*time.Minute, "wall time for all tiers; each gets its share, and the answer so far is kept")
	cmd.Flags().Float64Var(&precision, "precision", 0.15, "stop bisecting when the bandwidth that held is within this ratio of one that failed")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress lines")
	return cmd
}
