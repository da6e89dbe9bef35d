package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/thongsuot/thongsuot/harness"
	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/scenarios"
)

func newFaultsCmd() *cobra.Command {
	var (
		out, api, start string
		shards          int
		quiet           bool
	)
	cmd := &cobra.Command{
		Use:   "faults SCENARIO --toxiproxy URL --start TIME --shards N",
		Short: "Apply a sharded run's faults once, to the system under test's toxiproxy, on the scenario clock",
		Long: `Faults is the fault controller of a sharded run: the shards (run --shard i/n) send
the load and apply no fault; this applies each of SCENARIO's faults once, at its
scenario time from the agreed --start, to the proxy of its link on the toxiproxy in
front of the system under test — the one 'thongsuot up' prints ("toxiproxy API"), whose
proxies carry the links' names (portal->registry is portal_to_registry). Every fault
window is journalled as applied in --out, which 'thongsuot merge' takes with the shards'
directories: the merged run's faults are these.

It breaks links only: a process fault needs the process that started the role, and a
link tier (urban->portal, …) is each shard's own proxy; both are refused (exit 2).
Ctrl-C removes every fault in force.

` + shardHelp,
		Example: `  START=$(date -u -d '+1 min' +%FT%TZ)
  thongsuot faults registry-brownout --toxiproxy http://127.0.0.1:8474 --start $START --shards 3 --out out/faults &
  for i in 0 1 2; do thongsuot run registry-brownout --shard $i/3 --start $START --portal url=… --identity url=… --out out/s$i -q & done; wait
  thongsuot merge out/s0 out/s1 out/s2 out/faults --out out/merged`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := scenarios.Open(args[0])
			if err != nil {
				return &exitError{code: slo.ExitError, err: err}
			}
			if api == "" {
				return &exitError{code: slo.ExitError, err: errors.New("--toxiproxy: the system under test's toxiproxy API, e.g. http://127.0.0.1:8474 (thongsuot up prints it)")}
			}
			if err := (load.Shard{Count: shards}).Check(); err != nil {
				return &exitError{code: slo.ExitError, err: fmt.Errorf("--shards %d: how many shards the run has (the n of their --shard i/n), 1 to %d", shards, load.MaxShards)}
			}
			at, err := parseStart(start)
			if err != nil {
				return err
			}
			if at.IsZero() {
				return &exitError{code: slo.ExitError, err: errors.New("--start: the shards' agreed start, RFC 3339")}
			}
			if out == "" {
				out = filepath.Join("out", time.Now().Format("20060102-150405")+"-"+s.Name+"-faults")
			}
			progress := cmd.ErrOrStderr()
			if quiet {
				progress = nil
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			runErr := harness.Control(ctx, s, harness.ControlOptions{Dir: out, Toxiproxy: api, Start: at, Shards: shards, Progress: progress, Version: version})
			rec, readErr := journal.Read(out)
			if readErr == nil {
				for _, f := range rec.Faults {
					state := fmt.Sprintf("%s → %s", f.Start.Round(time.Millisecond), f.End.Round(time.Millisecond))
					if f.Error != "" {
						state = "error: " + f.Error
					}
					fmt.Fprintf(cmd.OutOrStdout(), "  %-30s %-40s %s\n", f.Name, f.Summary(), state)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "faults of %s applied: %d windows, journalled in %s\n", s.Name, len(rec.Faults), out)
			}
			if runErr != nil {
				return &exitError{code: slo.ExitError, err: runErr}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&api, "toxiproxy", "", "the toxiproxy API in front of the system under test (http://HOST:PORT)")
	fl.StringVar(&start, "start", "", "the agreed wall time of the run's start, RFC 3339: the shards' --start")
	fl.IntVar(&shards, "shards", 0, "how many shards the run has (the n of their --shard i/n)")
	fl.StringVar(&out, "out", "", "run directory of the controller (default out/<timestamp>-<scenario>-faults)")
	fl.BoolVarP(&quiet, "quiet", "q", false, "no progress lines")
	return cmd
}
