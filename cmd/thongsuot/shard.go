package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/scenarios"
)

// shardFlags make a run one part of a sharded run: `run --shard i/n --start TIME`.
type shardFlags struct {
	shard          string
	start          string
	identity       string
	receiptsClient string
	receiptsSecret string
}

const shardHelp = `Scale out: n processes (or pods) each run SCENARIO --shard i/n against one system
under test, from one agreed --start; one 'thongsuot faults' applies the scenario's faults
to that system's toxiproxy on the same clock; 'thongsuot merge' adds the shards up. A shard
sends the arrivals g of every mix entry with g mod n = i, when and as the single run sends
them: the n shards together send the single run's requests, each once. A shard applies no
fault (the controller does). Name the running system with --portal url=URL and
--identity url=URL (as 'thongsuot up' prints them).`

func (f *shardFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.shard, "shard", "", "send shard i of n of the arrivals (i/n, 0 ≤ i < n): one part of a sharded run, merged with 'thongsuot merge'")
	fl.StringVar(&f.start, "start", "", "the agreed wall time of the run's start, RFC 3339 (2026-12-02T08:00:00Z): every shard and the fault controller start then")
	fl.StringVar(&f.identity, "identity", "", "the identity provider: reference, or url=URL for one already running (the one a --portal url= portal trusts); overrides sut.identity")
	fl.StringVar(&f.receiptsClient, "receipts-client", "", "the service client zero_loss reads a running portal's receipts listing as (thongsuot up's: thongsuot-harness); with --receipts-secret-env")
	fl.StringVar(&f.receiptsSecret, "receipts-secret-env", "", "the environment variable holding --receipts-client's secret (thongsuot up prints it as the admin token)")
}

// apply makes s a part of a sharded run when the flags say so: its faults go to the
// controller, and the part's record says which share it sends from when. It runs
// before the sut: checks, which then see the shard without faults.
func (f *shardFlags) apply(cmd *cobra.Command, s *scenarios.Scenario) (*journal.Shard, error) {
	if cmd.Flags().Changed("identity") {
		if err := s.SetIdentity("--identity", f.identity); err != nil {
			return nil, &exitError{code: slo.ExitError, err: err}
		}
	}
	if f.receiptsClient != "" || f.receiptsSecret != "" {
		if f.receiptsClient == "" || f.receiptsSecret == "" {
			return nil, &exitError{code: slo.ExitError, err: fmt.Errorf("--receipts-client and --receipts-secret-env go together: the client zero_loss reads the listing as, and where its secret is")}
		}
		s.SetReceiptsClient("--receipts-client", f.receiptsClient, f.receiptsSecret)
	}
	if f.shard == "" && f.start == "" {
		return nil, nil
	}
	sh := load.Whole
	if f.shard != "" {
		var err error
		if sh, err = load.ParseShard(f.shard); err != nil {
			return nil, &exitError{code: slo.ExitError, err: fmt.Errorf("--shard: %w", err)}
		}
	}
	start, err := parseStart(f.start)
	if err != nil {
		return nil, err
	}
	if sh.Split() && start.IsZero() {
		return nil, &exitError{code: slo.ExitError, err: fmt.Errorf("--shard %s needs --start: the shards must agree on when the run begins (e.g. --start %s)",
			sh, time.Now().Add(2*time.Minute).UTC().Truncate(time.Second).Format(time.RFC3339))}
	}
	// The faults are the controller's, applied once for every shard.
	faults := s.ControlFaults("--shard")
	return &journal.Shard{Index: sh.Index, Count: sh.Count, Start: start, Faults: len(faults)}, nil
}

// maxStartAhead bounds --start: a typo of a day should not hold a cluster's pods.
const maxStartAhead = 24 * time.Hour

// parseStart reads --start: RFC 3339, within the next day.
func parseStart(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, &exitError{code: slo.ExitError, err: fmt.Errorf("--start %q: want RFC 3339, e.g. %s", v, time.Now().Add(2*time.Minute).UTC().Truncate(time.Second).Format(time.RFC3339))}
	}
	if ahead := time.Until(t); ahead > maxStartAhead {
		return time.Time{}, &exitError{code: slo.ExitError, err: fmt.Errorf("--start %s is %s away; at most %s", v, ahead.Round(time.Minute), maxStartAhead)}
	}
	return t, nil
}

// partExit is a run's exit code when it is a part of a sharded run: a shard's own
// verdict judges its share alone, so pass, fail and inconclusive are for the merge to
// say (exit 0); an incomplete shard or one that could not run is still exit 2.
func partExit(w io.Writer, part *journal.Shard, code int) int {
	if part == nil || code == slo.ExitError || code == slo.ExitPass {
		return code
	}
	fmt.Fprintf(w, "shard %d/%d: its own share's verdict only; the run's verdict is the merge's (thongsuot merge)\n", part.Index, part.Count)
	return slo.ExitPass
}

// written is the scenario a part's scenario.yaml records: as its file has it, with the
// faults the controller applies and without the running system its flags name, so that
// the run directory reads back (a running portal's outbound links cannot be faulted in
// one scenario); nil for a run that is no part.
func written(part *journal.Shard, asWritten *scenarios.Scenario) *scenarios.Scenario {
	if part == nil {
		return nil
	}
	return asWritten
}
