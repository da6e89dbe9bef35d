// Package harness runs a scenario end to end: it brings the system up through a
// runtime, prepares virtual users, sends the load while the fault schedule runs on the
// same clock, and leaves everything in the run directory's journal. Verdicts and
// reports are read from that directory afterwards, never from memory.
package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/harness/fault"
	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/harness/reconcile"
	"github.com/thongsuot/thongsuot/harness/runtime"
	"github.com/thongsuot/thongsuot/scenarios"
)

// Options for one run.
type Options struct {
	Dir      string    // run directory, created if missing
	Runtime  string    // runtime name; "" is embedded
	Progress io.Writer // progress lines while the load runs; nil for none
	Version  string    // of thongsuot, recorded in the journal
	// Results, when set, is a file to write every response to in vegeta's results
	// format (gob), for `vegeta report` and `vegeta plot`.
	Results string
}

// Run executes s and records it in opts.Dir. An error means the harness could not run
// the scenario (exit code 2); whether the SLOs held is for the verdict to say.
// Cancelling ctx stops the load early; the journal then marks the run incomplete.
func Run(ctx context.Context, s *scenarios.Scenario, opts Options) (err error) {
	if entries, err := os.ReadDir(opts.Dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("run directory %s already holds a run: choose another --out or remove it", opts.Dir)
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return fmt.Errorf("run directory: %w", err)
	}
	resolved, err := scenarios.Marshal(s)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(opts.Dir, scenarios.ResolvedFile), resolved, 0o644); err != nil {
		return fmt.Errorf("run directory: %w", err)
	}

	rt, err := runtime.New(opts.Runtime, opts.Progress)
	if err != nil {
		return err
	}
	plan, err := load.NewPlan(s)
	if err != nil {
		return err
	}
	wall := plan.Clock.WallDuration()
	say(opts.Progress, "bringing up the %s runtime", orDefault(opts.Runtime, "embedded"))
	broughtUp := time.Now()
	stack, err := rt.Up(ctx, runtime.Options{
		Seed: s.Load.Seed, Citizens: max(10_000, 2*s.Load.Users, 2*plan.Population.Citizens), TokenTTL: wall + time.Hour,
		DataDir: filepath.Join(opts.Dir, "portal"),
		Tiers:   s.Tiers,
	})
	if err != nil {
		return fmt.Errorf("bringing up the %s runtime: %w", orDefault(opts.Runtime, "embedded"), err)
	}
	defer func() { err = errors.Join(err, stack.Close()) }()
	say(opts.Progress, "up in %s: portal %s, identity %s, toxiproxy API %s",
		time.Since(broughtUp).Round(time.Millisecond), stack.Portal, stack.Identity, stack.ToxiproxyAPI)

	ep := load.Endpoints{Portal: stack.Portal, Identity: stack.Identity, Tiers: stack.Tiers}
	setup, err := load.Prepare(ctx, load.NewClient(s.Load.Timeout.Duration), ep, submitters(stack, s.Load.Users), s.Load.Users)
	if err != nil {
		return fmt.Errorf("preparing %d virtual users: %w", s.Load.Users, err)
	}
	citizen := submitters(stack, plan.Population.Citizens)
	for i := range plan.Population.Citizens {
		setup.Citizens = append(setup.Citizens, citizen(i))
	}

	width := plan.Clock.WallSpan(s.SLOs.Window.Duration)
	windows := int((wall + width - 1) / width)
	start := time.Now()
	journal, err := metrics.CreateJournal(opts.Dir, metrics.RunInfo{
		ID: filepath.Base(opts.Dir), Scenario: s.Name, Runtime: stack.Runtime, Started: start,
		Window: width, Windows: windows, Classes: plan.Classes, Intended: plan.Total(), Version: opts.Version,
		Env: metrics.CurrentEnvironment(),
	})
	if err != nil {
		return err
	}
	ledger, err := reconcile.OpenLedger(opts.Dir)
	if err != nil {
		return err
	}
	rec := metrics.NewRecorder(journal, metrics.RecorderConfig{
		Start: start, Width: width, Windows: windows, Classes: plan.Classes, Clock: plan.Clock,
		Intended: plan.Intended, Grace: s.Load.Timeout.Duration + time.Second,
	})

	sink := load.Sink(rec.Add)
	var results *resultsFile
	if opts.Results != "" {
		if results, err = createResults(opts.Results); err != nil {
			return errors.Join(err, rec.Close(nil))
		}
		sink = func(class int, res *vegeta.Result, late bool) {
			rec.Add(class, res, late)
			results.add(res)
		}
	}

	bg, stopBackground := context.WithCancel(ctx)
	defer stopBackground()
	go rec.Run(bg)
	faultsDone := make(chan error, 1)
	proxies := map[string]fault.Proxy{}
	for link, p := range stack.Proxies {
		proxies[link] = p
	}
	go func() {
		faultsDone <- (&fault.Schedule{Faults: s.Faults, Clock: plan.Clock, Proxies: proxies, Roles: stack.Roles, Journal: journal}).Run(bg, start)
	}()
	progressDone := make(chan struct{})
	go func() {
		defer close(progressDone)
		if opts.Progress != nil {
			newProgress(opts.Progress, start, plan, rec, journal).run(bg)
		}
	}()

	say(opts.Progress, "running %s: %s of scenario time in %s of wall time, %.0f requests planned",
		s.Name, plan.Clock.End.Sub(plan.Clock.Start), wall.Round(time.Second), plan.Total())
	attackErr := load.Attack(ctx, plan, ep, setup, load.Options{
		Seed: s.Load.Seed, Timeout: s.Load.Timeout.Duration,
		MaxWorkers: uint64(s.Load.MaxWorkers), LateAfter: s.Load.LateAfter.Duration,
	}, func(class int, res *vegeta.Result, late bool) {
		sink(class, res, late)
		ledger.Observe(res)
	})
	stopBackground()
	faultErr := <-faultsDone
	<-progressDone

	var ended *time.Time
	if attackErr == nil {
		now := time.Now()
		ended = &now
	}
	closeErr := errors.Join(rec.Close(ended), ledger.Close())
	if results != nil {
		closeErr = errors.Join(closeErr, results.Close())
	}
	if closeErr == nil && !errors.Is(attackErr, context.Canceled) {
		// Faults are off now: ask the portal what it holds.
		r := reconcile.Check(ctx, load.NewClient(30*time.Second), stack.Portal, stack.Identity, stack.AdminToken, opts.Dir)
		if r.Error != "" {
			say(opts.Progress, "reconciliation could not be made: %s", r.Error)
		} else {
			say(opts.Progress, "reconciled: %d dossiers acknowledged, %d stored, %d lost, %d duplicated",
				r.Acknowledged, r.Stored, len(r.Missing), len(r.Duplicated))
		}
	}
	if errors.Is(attackErr, context.Canceled) {
		attackErr = nil // interrupted: the journal says incomplete, the report shows what ran
		say(opts.Progress, "interrupted after %s: the run is incomplete", time.Since(start).Round(time.Second))
	}
	return errors.Join(attackErr, faultErr, closeErr)
}

// submitters picks the first n citizens with level-2 accounts: only they may file
// dossiers, and every virtual user files one during set-up.
func submitters(stack *runtime.Stack, n int) func(i int) string {
	ids := make([]string, 0, n)
	for i := 0; len(ids) < n; i++ {
		if c := stack.Citizen(i); c.Level >= 2 {
			ids = append(ids, c.PersonalID)
		}
	}
	return func(i int) string { return ids[i] }
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func say(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}
