// Package harness runs a scenario end to end: it brings the system up through a
// runtime, prepares virtual users, sends the load while the fault schedule runs on the
// same clock, and leaves everything in the run directory's journal. Verdicts and
// reports are read from that directory afterwards, never from memory.
package harness

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/harness/fault"
	"github.com/thongsuot/thongsuot/harness/health"
	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/harness/reconcile"
	"github.com/thongsuot/thongsuot/harness/runtime"
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/scenarios"
)

// Options for one run.
type Options struct {
	Dir      string    // run directory, created if missing
	Runtime  string    // runtime name; "" is what the scenario needs (scenarios.Scenario.Runtime)
	Progress io.Writer // progress lines while the load runs; nil for none
	Version  string    // of thongsuot, recorded in the journal
	// Results, when set, is a file to write every response to in vegeta's results
	// format (gob), for `vegeta report` and `vegeta plot`.
	Results string
	// Shard, when set, makes the run one part of a sharded run (shard.go): it sends
	// only its share of the arrivals, from Shard.Start when that is set.
	Shard *journal.Shard
	// AsWritten, when set, is the scenario scenario.yaml records in place of the one
	// run: a shard's, as its file has it — its faults (the controller's) and its sut.
	AsWritten *scenarios.Scenario

	// openJournal opens the journal's files; nil is the disk. Tests make it fail.
	openJournal journal.Opener
}

// Run executes s and records it in opts.Dir. An error means the harness could not run
// the scenario (exit code 2); whether the SLOs held is for the verdict to say.
// Cancelling ctx stops the load early; the journal then marks the run incomplete.
//
// The phases, in order: the run directory, bring-up, virtual users, recording, the
// load and faults on one clock, closing the record, and the end-of-run reconciliation.
func Run(ctx context.Context, s *scenarios.Scenario, opts Options) (err error) {
	if err := createRunDir(opts.Dir, cmp.Or(opts.AsWritten, s)); err != nil {
		return err
	}
	opts.Runtime = s.Runtime(opts.Runtime)
	rt, err := runtime.New(opts.Runtime, opts.Progress)
	if err != nil {
		return err
	}
	plan, err := load.NewPlan(s)
	if err != nil {
		return err
	}
	if err := startShard(s, plan, opts); err != nil {
		return err
	}
	stack, err := bringUp(ctx, rt, s, plan, opts)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, stack.Close()) }()
	ep, err := endpoints(s, stack)
	if err != nil {
		return err
	}
	unitRoutes(s, plan, stack, &ep)
	setup, err := prepareUsers(ctx, s, plan, stack, ep)
	if err != nil {
		return err
	}
	if err := awaitStart(ctx, opts); err != nil {
		return err
	}
	rec, err := startRecording(s, plan, stack, opts)
	if err != nil {
		return err
	}
	attackErr, faultErr := drive(ctx, s, plan, stack, ep, setup, rec, opts.Progress)
	var ended *time.Time
	if attackErr == nil {
		now := time.Now()
		ended = &now
	}
	stoppedAt := time.Now()
	if ended != nil {
		stoppedAt = *ended
	}
	sessionsErr := writeSessions(opts.Dir, rec.sessions.record(stoppedAt))
	closeErr := rec.close(ended)
	interrupted := errors.Is(attackErr, context.Canceled)
	var unrecorded *journalError
	if closeErr == nil && !interrupted && !errors.As(attackErr, &unrecorded) {
		reconcileStore(ctx, s, stack, ep, opts)
		collectProvinces(ctx, stack, opts)
	}
	if interrupted {
		attackErr = nil // the journal says incomplete; the report shows what ran
		say(opts.Progress, "interrupted after %s: the run is incomplete", time.Since(rec.start).Round(time.Second))
	}
	return errors.Join(attackErr, faultErr, sessionsErr, closeErr)
}

// createRunDir makes the run directory, which must be new, and writes the resolved
// scenario into it.
func createRunDir(dir string, s *scenarios.Scenario) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("run directory %s already holds a run: choose another --out or remove it", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("run directory: %w", err)
	}
	resolved, err := scenarios.Marshal(s)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, scenarios.ResolvedFile), resolved, 0o644); err != nil {
		return fmt.Errorf("run directory: %w", err)
	}
	return nil
}

// bringUp starts the system under test with enough census citizens for the scenario's
// users, and tokens that outlive the run.
func bringUp(ctx context.Context, rt runtime.Runtime, s *scenarios.Scenario, plan *load.Plan, opts Options) (*runtime.Stack, error) {
	name := opts.Runtime
	say(opts.Progress, "bringing up the %s runtime", name)
	began := time.Now()
	stack, err := rt.Up(ctx, runtime.Options{
		Seed: s.Load.Seed, Citizens: max(10_000, 2*s.Load.Users, 2*plan.Population.Citizens),
		TokenTTL: plan.Clock.WallDuration() + time.Hour,
		DataDir:  filepath.Join(opts.Dir, "portal"),
		Tiers:    linkTiers(s, plan.Population),
		Subsets:  runtime.SubsetsOf(s),
		SUT:      s.SUT,
		BaseDir:  filepath.Dir(s.File),
	})
	if err != nil {
		return nil, fmt.Errorf("bringing up the %s runtime: %w", name, err)
	}
	say(opts.Progress, "up in %s: portal %s, identity %s, toxiproxy API %s",
		time.Since(began).Round(time.Millisecond), stack.Portal, stack.Identity, stack.ToxiproxyAPI)
	return stack, nil
}

// prepareUsers signs in load.users citizens, who each file one dossier so that status
// reads have something to read, and lists the citizens journeys sign in as.
func prepareUsers(ctx context.Context, s *scenarios.Scenario, plan *load.Plan, stack *runtime.Stack, ep load.Endpoints) (*load.Setup, error) {
	setup := &load.Setup{}
	// A mix of YAML journeys that read nothing of the reference portal's set-up sends
	// to a portal whose API may be unlike ours: nothing to sign in or read beforehand.
	if plan.NeedsReference() {
		var err error
		setup, err = load.Prepare(ctx, ep.Reach.Client(s.Load.Timeout.Duration), ep, submitters(stack, s.Load.Users), s.Load.Users)
		if err != nil {
			return nil, fmt.Errorf("preparing %d virtual users: %w", s.Load.Users, err)
		}
	}
	citizen := submitters(stack, plan.Population.Citizens)
	for i := range plan.Population.Citizens {
		setup.Citizens = append(setup.Citizens, citizen(i))
	}
	return setup, nil
}

// recording is where a run's responses go: the journal's windows, the reconciliation
// ledger and, when asked for, vegeta's results file.
type recording struct {
	start    time.Time
	width    time.Duration // of a window, wall time
	journal  *journal.Journal
	recorder *metrics.Recorder
	ledger   *reconcile.Ledger
	results  *resultsFile // nil unless Options.Results
	sessions *sessionSeries
	links    *linkSampler // nil when the runtime cannot read its links' meters
}

// startRecording opens the journal and starts the clock: offset 0 is now.
func startRecording(s *scenarios.Scenario, plan *load.Plan, stack *runtime.Stack, opts Options) (*recording, error) {
	wall := plan.Clock.WallDuration()
	width := plan.Clock.WallSpan(s.SLOs.Window.Duration)
	windows := int((wall + width - 1) / width)
	r := &recording{start: startTime(opts), width: width}
	r.sessions = newSessionSeries(r.start, width, plan)
	open := opts.openJournal
	if open == nil {
		open = journal.OpenFile
	}
	var err error
	r.journal, err = journal.CreateWith(opts.Dir, journal.RunInfo{
		ID: filepath.Base(opts.Dir), Scenario: s.Name, Runtime: stack.Runtime, Started: r.start,
		Window: width, Windows: windows, Timeout: s.Load.Timeout.Duration, Classes: plan.Classes, Intended: plan.Total(), Version: opts.Version,
		SUT: stack.Describe(opts.Version), Env: journal.CurrentEnvironment(),
		LinkCapacity: linkCapacity(linkTiers(s, plan.Population)),
	}, open)
	if err != nil {
		return nil, err
	}
	if r.ledger, err = reconcile.OpenLedger(opts.Dir); err != nil {
		return nil, errors.Join(err, r.journal.Close(nil, r.start, 0))
	}
	if opts.Results != "" {
		if r.results, err = createResults(opts.Results); err != nil {
			return nil, errors.Join(err, r.ledger.Close(), r.journal.Close(nil, r.start, 0))
		}
	}
	r.recorder = metrics.NewRecorder(r.journal, metrics.RecorderConfig{
		Start: r.start, Width: width, Windows: windows, Classes: plan.Classes, Clock: plan.Clock,
		Planned: plan.Intended, LateAfter: s.Load.LateAfter.Duration, Grace: s.Load.Timeout.Duration + time.Second,
		TierOf: tierOf(stack.Tiers, stack.IdentityTiers), ProvinceOf: provinceOf,
	})
	if r.links, err = startLinks(opts.Dir, stack, r.start, width, windows, plan.Clock); err != nil {
		return nil, errors.Join(err, r.ledger.Close(), r.journal.Close(nil, r.start, 0))
	}
	return r, nil
}

// Sent records one response: the load's Sink.
func (r *recording) Sent(class int, res *vegeta.Result, due time.Time) {
	r.recorder.Sent(class, res, due)
	r.ledger.Observe(res)
	if r.results != nil {
		r.results.add(res)
	}
}

// Dropped records a request that fell due and was never sent.
func (r *recording) Dropped(class int, due time.Time) { r.recorder.Dropped(class, due) }

// close writes the last windows and closes every file; the run is complete when ended
// is set, and was stopped now when it is not.
func (r *recording) close(ended *time.Time) error {
	stopped := time.Now()
	if ended != nil {
		stopped = *ended
	}
	reopened, err := r.recorder.Close(stopped)
	err = errors.Join(err, r.links.close(), r.journal.Close(ended, stopped, reopened), r.ledger.Close())
	if r.results != nil {
		err = errors.Join(err, r.results.Close())
	}
	return err
}

// journalError is a failure to write the journal: the run stops on it.
type journalError struct{ err error }

func (e *journalError) Error() string {
	return "the load was stopped: the journal could not be written: " + e.err.Error()
}

func (e *journalError) Unwrap() error { return e.err }

// keepOnDisk flushes the recorder's windows and syncs the ledger every flush interval
// until ctx ends, so that a run killed loses at most one interval of either. On the
// first error writing any of the journal's files it stops the load: a run that cannot
// record must not go on sending for the rest of the scenario.
func (r *recording) keepOnDisk(ctx context.Context, stopLoad context.CancelCauseFunc) {
	t := time.NewTicker(r.recorder.FlushEvery())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if err := cmp.Or(r.recorder.Flush(now), r.ledger.Sync(), r.journal.Err()); err != nil {
				stopLoad(&journalError{err})
				return
			}
		}
	}
}

// drive sends the load while the fault schedule, the recorder's flushes and the
// progress line run beside it on the same clock, and returns when the load is done or
// was stopped (ctx cancelled, or the journal could not be written).
func drive(ctx context.Context, s *scenarios.Scenario, plan *load.Plan, stack *runtime.Stack, ep load.Endpoints,
	setup *load.Setup, rec *recording, progressTo io.Writer) (attackErr, faultErr error) {
	loadCtx, stopLoad := context.WithCancelCause(ctx)
	defer stopLoad(nil)
	bg, stopBackground := context.WithCancel(ctx)
	defer stopBackground()
	go rec.keepOnDisk(bg, stopLoad)
	go rec.links.run(bg)
	monitor := health.NewMonitor(rec.start, rec.width, rec.journal)
	healthDone := make(chan error, 1)
	go func() { healthDone <- monitor.Run(bg) }()

	proxies := map[string]fault.Proxy{}
	for link, p := range stack.Proxies {
		proxies[link] = p
	}
	schedule := &fault.Schedule{Faults: s.Faults, Clock: plan.Clock, Proxies: proxies, Roles: stack.Roles, Knobs: stack.Knobs, Journal: rec.journal}
	go rec.sessions.run(bg)
	faultsDone := make(chan error, 1)
	go func() { faultsDone <- schedule.Run(bg, rec.start) }()
	progressDone := make(chan struct{})
	go func() {
		defer close(progressDone)
		if progressTo != nil {
			p := newProgress(progressTo, rec.start, plan, rec.recorder, schedule)
			p.health, p.limits, p.window = monitor, slo.LimitsOf(s.SLOs.Harness), rec.width
			p.sessions = rec.sessions.gauge
			p.run(bg)
		}
	}()

	say(progressTo, "running %s: %s of scenario time in %s of wall time, %.0f requests planned",
		s.Name, plan.Clock.End.Sub(plan.Clock.Start), plan.Clock.WallDuration().Round(time.Second), plan.Total())
	attackErr = load.Attack(loadCtx, plan, ep, setup, load.Options{
		Seed: s.Load.Seed, Timeout: s.Load.Timeout.Duration,
		MaxWorkers: uint64(s.Load.MaxWorkers), Start: rec.start, Sessions: rec.sessions.gauge,
	}, rec)
	var unrecorded *journalError
	if errors.As(context.Cause(loadCtx), &unrecorded) {
		attackErr = unrecorded
	}
	stopBackground()
	faultErr = errors.Join(<-faultsDone, <-healthDone)
	<-progressDone
	return attackErr, faultErr
}

// endpoints are where the load goes, and how: the names behind the proxies in front
// of a system already running, the certificate authorities the scenario names, and
// how users get tokens.
func endpoints(s *scenarios.Scenario, stack *runtime.Stack) (load.Endpoints, error) {
	var cas []string
	for _, name := range slices.Sorted(maps.Keys(s.SUT.Roles())) {
		if ca := s.SUT.Roles()[name].CA; ca != "" {
			cas = append(cas, scenarios.RelativeTo(s.File, ca))
		}
	}
	if t := s.SUT.Token; t != nil && t.CA != "" {
		cas = append(cas, scenarios.RelativeTo(s.File, t.CA))
	}
	roots, err := load.RootsWith(cas...)
	if err != nil {
		return load.Endpoints{}, err
	}
	token := s.SUT.TokenEndpoint()
	return load.Endpoints{Portal: stack.Portal, Identity: stack.Identity, Tiers: stack.Tiers, IdentityTiers: stack.IdentityTiers,
		Reach: load.Reach{Names: stack.Names, RootCAs: roots}, Token: &token}, nil
}

// reconcileStore asks the portal, with every fault off, which dossiers it holds, and
// records the comparison with what it acknowledged — when the portal has a listing.
func reconcileStore(ctx context.Context, s *scenarios.Scenario, stack *runtime.Stack, ep load.Endpoints, opts Options) {
	rc := s.SUT.ReceiptsListing()
	if rc == nil {
		return // no listing: validation let no zero_loss objective through
	}
	client := ep.Reach.Client(30 * time.Second)
	listing := reconcile.Listing{URL: strings.TrimSuffix(stack.Portal, "/") + rc.Path}
	switch rc.Auth {
	case scenarios.AuthService:
		id, secret, endpoint := rc.ClientID, os.Getenv(rc.ClientSecretEnv), load.TokenEndpoint(*ep.Token, stack.Identity)
		if id == "" { // the harness's own client, at the identity provider the runtime started
			id, secret, endpoint = stack.ServiceClient(), stack.AdminToken, strings.TrimSuffix(stack.Identity, "/")+scenarios.DefaultTokenPath
		}
		tokens := load.ServiceTokens(endpoint, id, secret, client)
		listing.Bearer = func(ctx context.Context) (string, error) { return tokens.Token(ctx, "") }
	case scenarios.AuthBearer:
		token := os.Getenv(rc.TokenEnv)
		listing.Bearer = func(context.Context) (string, error) { return token, nil }
	}
	r := reconcile.Check(ctx, client, listing, opts.Dir)
	if r.Error != "" {
		say(opts.Progress, "reconciliation could not be made: %s", r.Error)
		return
	}
	say(opts.Progress, "reconciled: %d dossiers acknowledged, %d stored, %d lost, %d duplicated",
		r.Acknowledged, r.Stored, len(r.Missing), len(r.Duplicated))
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

func say(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}
