package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/thongsuot/thongsuot/harness/merge"
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/reports"
)

func newMergeCmd() *cobra.Command {
	var (
		out  string
		wait time.Duration
	)
	cmd := &cobra.Command{
		Use:   "merge DIR... --out DIR",
		Short: "Merge the shards of a sharded run (and its fault controller) into one run, and judge it",
		Long: `Merge adds up the run directories of one sharded run — every shard (run --shard i/n)
and the fault controller (thongsuot faults) — into --out, window by window: each class's
latency histograms merged exactly (HDR histograms add bucket by bucket, so the merged
p95 is the p95 of every request the shards sent, not an average of theirs), requests,
codes, late, dropped and bytes summed, the faults as the controller applied them, the
harness's health the worst of the shards' in each window. The merged run is then judged
and rendered like a single run (summary.json, junit.xml, report.html, plots; the same
exit codes), and 'thongsuot compare' and 'thongsuot report' take it like any run.

A DIR that is no run but holds parts (the shared volume of the Kubernetes Job:
/results/shard-0, …, /results/faults) stands for them. --wait waits for every part to
be there and finished first: the merge Job starts with the shards.

Directories that are not the parts of one run are refused (exit 2), each reason said:
another scenario or version of it, another seed, another shard count, another --start
or window, a shard given twice or missing, no controller for a scenario with faults.

` + shardHelp,
		Example: `  thongsuot merge out/s0 out/s1 out/s2 out/faults --out out/merged
  thongsuot merge /results --out /results/merged --wait 30m   # the Kubernetes merge Job: every part under /results
  thongsuot compare out/single out/merged`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return &exitError{code: slo.ExitError, err: errors.New("--out: the directory of the merged run")}
			}
			if wait > 0 {
				awaitParts(cmd.ErrOrStderr(), args, out, wait)
			}
			dirs, err := merge.Expand(args, out)
			if err != nil {
				return &exitError{code: slo.ExitError, err: err}
			}
			res, err := merge.Runs(dirs, out)
			if err != nil {
				return &exitError{code: slo.ExitError, err: err}
			}
			faults := "no fault controller (the scenario has no faults)"
			if res.Controller != nil {
				faults = fmt.Sprintf("faults from %s", res.Controller.Dir)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "merged %d shards of %s (%s) into %s\n", len(res.Shards), res.Info.Scenario, faults, out)
			sum, err := reports.Render(out)
			if err != nil {
				return &exitError{code: slo.ExitError, err: err}
			}
			printVerdict(cmd.OutOrStdout(), sum, out)
			if code := sum.ExitCode(); code != slo.ExitPass {
				return &exitError{code: code}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory of the merged run (new)")
	cmd.Flags().DurationVar(&wait, "wait", 0, "wait up to this long for every part to be there and finished (a merge Job started with the shards), e.g. 30m")
	return cmd
}

// awaitParts polls until the parts under args are all there and finished, or wait
// passes; then the merge says what is missing, if anything still is.
func awaitParts(progress io.Writer, args []string, out string, wait time.Duration) {
	deadline := time.Now().Add(wait)
	said := time.Time{}
	for time.Now().Before(deadline) {
		dirs, err := merge.Expand(args, out)
		if err == nil {
			if err = merge.Ready(dirs); err == nil {
				return
			}
		}
		if time.Since(said) > 30*time.Second {
			fmt.Fprintf(progress, "waiting for the parts (%s left): %v\n", time.Until(deadline).Round(time.Second), err)
			said = time.Now()
		}
		time.Sleep(2 * time.Second)
	}
}
