package harness

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/thongsuot/thongsuot/harness/clock"
	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/scenarios"
)

// A sharded run is n generators, each a `thongsuot run --shard i/n` sending its share of
// the arrivals to one system under test from an agreed start, one fault controller
// (`thongsuot faults`, controller.go) applying the scenario's faults once on the same
// clock, and `thongsuot merge` adding their journals up (harness/merge).

// startShard keeps the plan's share of a shard and records the shard in the journal;
// nothing for a run that is not one.
func startShard(s *scenarios.Scenario, plan *load.Plan, opts Options) error {
	if opts.Shard == nil {
		return nil
	}
	if err := plan.Shard(load.Shard{Index: opts.Shard.Index, Count: opts.Shard.Count}); err != nil {
		return err
	}
	rec, err := partOf(s, plan, *opts.Shard)
	if err != nil {
		return err
	}
	rec.Role = journal.RoleShard
	return journal.WriteShard(opts.Dir, rec)
}

// partOf fills in what every part of one sharded run must agree on.
func partOf(s *scenarios.Scenario, plan *load.Plan, rec journal.Shard) (journal.Shard, error) {
	digest, err := s.Digest()
	if err != nil {
		return rec, err
	}
	rec.Scenario, rec.Digest, rec.Seed = s.Name, digest, s.Load.Seed
	rec.Window = plan.Clock.WallSpan(s.SLOs.Window.Duration)
	return rec, nil
}

// startTime is the wall time of the run's offset 0: the agreed start, or now.
func startTime(opts Options) time.Time {
	if opts.Shard != nil && !opts.Shard.Start.IsZero() {
		return opts.Shard.Start
	}
	return time.Now()
}

// awaitStart waits for the agreed start, if there is one. A part ready after it would
// send its first arrivals late in a burst: it is refused instead, and says by how much.
func awaitStart(ctx context.Context, opts Options) error {
	if opts.Shard == nil || opts.Shard.Start.IsZero() {
		return nil
	}
	return waitFor(ctx, opts.Shard.Start, opts.Progress, fmt.Sprintf("%s %d/%d", opts.Shard.Role, opts.Shard.Index, opts.Shard.Count))
}

func waitFor(ctx context.Context, start time.Time, progress io.Writer, who string) error {
	wait := time.Until(start)
	if wait < 0 {
		return fmt.Errorf("%s was ready %s after the agreed start %s: give --start a time further ahead, past bring-up and set-up",
			who, (-wait).Round(time.Millisecond), start.UTC().Format(time.RFC3339))
	}
	say(progress, "%s ready: waiting %s for the agreed start %s", who, wait.Round(time.Millisecond), start.UTC().Format(time.RFC3339))
	if !clock.Sleep(ctx, wait) {
		return fmt.Errorf("%s: stopped before the agreed start: %w", who, ctx.Err())
	}
	return nil
}
