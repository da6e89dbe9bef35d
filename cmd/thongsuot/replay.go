package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/harness/clock"
	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/scenarios"
)

// Files a replay writes into its directory.
const (
	replaySendsFile   = "sends.csv"
	replaySummaryFile = "replay.json"
)

type replayFlags struct {
	target, format, maxMalformed, out string
	speed                             float64
	rules                             []string
	timeout, lateAfter                time.Duration
	maxWorkers                        uint64
	dryRun                            bool
}

func newReplayCmd() *cobra.Command {
	var f replayFlags
	cmd := &cobra.Command{
		Use:   "replay LOG",
		Short: "Replay an access log against a local target at a speed factor",
		Long: `Replay reads an access log — nginx/Apache common or combined format, or JSON lines —
and sends its requests to --target with their logged timing, compressed by --speed
(2 plays an hour of log in 30 minutes). Requests are mapped to classes by path rules
(the portal's paths by default; --rule REGEX=CLASS, first match wins, "METHOD REGEX=CLASS"
to match a method too); requests no rule matches are "other".

Malformed lines are counted and reported, and skipped; the replay refuses to run only
when they are more than --max-malformed of the log. Each send's intended and actual time
is written to sends.csv, with its class, answer and latency; a send more than
--late-after behind its intended time is late, and late sends are counted per class.

Replay sends only to this machine: the target must be 127.0.0.1, [::1] or localhost.
In a scenario, load.source: {log: PATH, speed: N} replays a log against the system
the run brings up.

Ranges: --speed 0.01 to 1000000 (and the log's span at that speed at most 24h),
--timeout and --late-after above 0 and at most 24h, --max-workers 1 to 100000,
--max-malformed 0% to 100%.

The verdict, in replay.json and the exit code: pass (0) when every request the log
asked for was sent; inconclusive (3) when nothing was sent, or more than 1% of the
log's requests could not be sent (dropped: the target or this machine could not keep
up at that speed) — the replay then says nothing of the target; 2 for bad input, a log
with nothing to replay, or a replay that could not run. Failed answers (5xx, timeouts)
are counted, not judged: a replay has no SLOs.`,
		Example: `  thongsuot replay access.log --target http://127.0.0.1:8080
  thongsuot replay access.log --target http://127.0.0.1:8080 --speed 60 --out out/replay1
  thongsuot replay app.jsonl --format json --rule '^/api/v1/procedures=catalogue' --rule 'POST ^/api/v1/dossiers$=submit'
  thongsuot replay access.log --target http://127.0.0.1:8080 --dry-run   # read and schedule only`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			err := runReplay(cmd, args[0], f)
			switch {
			case errors.Is(err, errReplayInconclusive):
				return &exitError{code: slo.ExitInconclusive} // the reasons are printed
			case err != nil:
				return &exitError{code: slo.ExitError, err: err}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.target, "target", "", "base URL to send to (127.0.0.1, [::1] or localhost only)")
	fl.Float64Var(&f.speed, "speed", 1, "log seconds per wall second")
	fl.StringVar(&f.format, "format", "auto", "log format: "+strings.Join(scenarios.LogFormats, ", "))
	fl.StringArrayVar(&f.rules, "rule", nil, `path rule "REGEX=CLASS" or "METHOD REGEX=CLASS" (repeatable; default: the portal's paths)`)
	fl.StringVar(&f.maxMalformed, "max-malformed", "1%", "refuse to replay when more of the log's lines than this are malformed")
	fl.StringVar(&f.out, "out", "", "directory for sends.csv and replay.json (default out/<timestamp>-replay)")
	fl.DurationVar(&f.timeout, "timeout", scenarios.DefaultTimeout, "per request")
	fl.DurationVar(&f.lateAfter, "late-after", scenarios.DefaultLateAfter, "a send this far behind its intended time is late")
	fl.Uint64Var(&f.maxWorkers, "max-workers", scenarios.DefaultMaxWorkers, "requests in flight at most; beyond it sends wait (and are late)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "read the log and print the schedule; send nothing")
	return cmd
}

// parseRule reads "REGEX=CLASS" or "METHOD REGEX=CLASS".
func parseRule(s string) (scenarios.Rule, error) {
	i := strings.LastIndex(s, "=")
	if i <= 0 || i == len(s)-1 {
		return scenarios.Rule{}, fmt.Errorf("--rule %q: want REGEX=CLASS or METHOD REGEX=CLASS", s)
	}
	r := scenarios.Rule{Path: s[:i], Class: s[i+1:]}
	if m, p, ok := strings.Cut(r.Path, " "); ok && strings.ToUpper(m) == m && !strings.HasPrefix(m, "^") {
		r.Method, r.Path = m, p
	}
	return r, nil
}

func parsePercent(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "%"), 64)
	if err != nil || !(v >= 0 && v <= 100) {
		return 0, fmt.Errorf("--max-malformed %q: want a percentage between 0%% and 100%% such as 1%%", s)
	}
	return v / 100, nil
}

// check holds every flag to its range: the same as a scenario's load.source and load.
func (f replayFlags) check() error {
	return errors.Join(
		inRange("speed", f.speed, scenarios.MinCompress, scenarios.MaxCompress),
		durationInRange("timeout", f.timeout, scenarios.MaxWallDuration),
		durationInRange("late-after", f.lateAfter, scenarios.MaxWallDuration),
		inRange("max-workers", float64(f.maxWorkers), 1, scenarios.MaxInFlight),
	)
}

// errReplayInconclusive: the replay ran but cannot say how the target took the log.
var errReplayInconclusive = errors.New("inconclusive")

func runReplay(cmd *cobra.Command, path string, f replayFlags) error {
	w := cmd.OutOrStdout()
	if !f.dryRun {
		if err := load.CheckLoopback(f.target); err != nil {
			return err
		}
	}
	if err := f.check(); err != nil {
		return err
	}
	maxBad, err := parsePercent(f.maxMalformed)
	if err != nil {
		return err
	}
	rules := scenarios.DefaultRules
	if len(f.rules) > 0 {
		rules = nil
		for _, s := range f.rules {
			r, err := parseRule(s)
			if err != nil {
				return err
			}
			rules = append(rules, r)
		}
	}
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	reqs, stats, err := load.ReadLog(file, f.format)
	file.Close()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s: %d lines, %d requests, %d malformed (%.2f%%)\n", path, stats.Lines, stats.Parsed, stats.Malformed, 100*stats.MalformedShare())
	for _, ex := range stats.Examples {
		fmt.Fprintf(w, "  malformed %s\n", ex)
	}
	if err := load.CheckMalformed(path, stats, maxBad); err != nil {
		return err
	}
	if len(reqs) == 0 {
		return fmt.Errorf("%s: none of its %d lines could be read: nothing to replay", path, stats.Lines)
	}
	first, last := reqs[0].At, reqs[0].At
	for _, q := range reqs {
		first, last = minTime(first, q.At), maxTime(last, q.At)
	}
	c := clock.Clock{Start: first, End: last.Add(time.Millisecond), Compress: f.speed}
	if span := last.Sub(first); float64(span)/f.speed > float64(scenarios.MaxWallDuration) {
		return fmt.Errorf("%s spans %s: at --speed %s the replay would take longer than %s; raise --speed",
			path, span, number(f.speed), scenarios.MaxWallDuration)
	}
	rep, err := load.NewReplay(reqs, stats, rules, c)
	if err != nil {
		return err
	}
	plan := load.NewReplayPlan(rep, c)
	fmt.Fprintf(w, "schedule: %d requests from %s to %s (%s of log) in %s of wall time at %g×\n",
		len(rep.Requests), first.Format(time.RFC3339), last.Format(time.RFC3339), last.Sub(first), c.WallDuration().Round(time.Millisecond), f.speed)
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	for _, ct := range plan.ClassTotals() {
		if ct.Requests > 0 {
			fmt.Fprintf(tw, "  %s\t%.0f\n", ct.Class, ct.Requests)
		}
	}
	tw.Flush()
	if f.dryRun {
		return nil
	}

	out := f.out
	if out == "" {
		out = filepath.Join("out", time.Now().Format("20060102-150405")+"-replay")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rec, err := newSendLog(filepath.Join(out, replaySendsFile), rep, plan, f.timeout, f.lateAfter)
	if err != nil {
		return err
	}
	attackErr := load.Attack(ctx, plan, load.Endpoints{Portal: strings.TrimSuffix(f.target, "/"), Identity: strings.TrimSuffix(f.target, "/")},
		&load.Setup{}, load.Options{Timeout: f.timeout, MaxWorkers: f.maxWorkers, Start: rec.began}, rec)
	sum, err := rec.close(path, f, stats)
	if err != nil {
		return err
	}
	sum.judge()
	data, _ := json.MarshalIndent(sum, "", "  ")
	if err := os.WriteFile(filepath.Join(out, replaySummaryFile), append(data, '\n'), 0o644); err != nil {
		return err
	}
	printReplay(w, sum)
	fmt.Fprintf(w, "sends: %s (intended and actual time of every send), summary: %s\n",
		filepath.Join(out, replaySendsFile), filepath.Join(out, replaySummaryFile))
	if attackErr != nil {
		return fmt.Errorf("replay stopped: %w", attackErr)
	}
	if sum.Verdict != slo.VerdictPass {
		return errReplayInconclusive
	}
	return nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// sendLog writes one CSV row per send and records every response in the run's
// windows (metrics.Recorder), from which replay.json's per-class figures come.
type sendLog struct {
	mu        sync.Mutex
	file      *os.File
	csv       *csv.Writer
	replay    *load.Replay
	classes   []string
	began     time.Time
	lateAfter time.Duration
	recorder  *metrics.Recorder
	windows   windowList
	maxBehind []time.Duration // per class: the furthest a send fell behind its intended time
}

// windowList keeps the recorder's windows in memory: a replay has no journal.
type windowList []*metrics.Window

func (l *windowList) AppendWindows(ws []*metrics.Window) error {
	*l = append(*l, ws...)
	return nil
}

// newSendLog starts the clock: offset 0 is now.
func newSendLog(path string, r *load.Replay, plan *load.Plan, timeout, lateAfter time.Duration) (*sendLog, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	l := &sendLog{file: f, csv: csv.NewWriter(f), replay: r, classes: plan.Classes, began: time.Now(), lateAfter: lateAfter,
		maxBehind: make([]time.Duration, len(plan.Classes))}
	// One window for the whole replay: the figures are totals.
	l.recorder = metrics.NewRecorder(&l.windows, metrics.RecorderConfig{Start: l.began,
		Width: plan.Clock.WallDuration() + timeout + time.Second, Windows: 1, Classes: plan.Classes,
		Clock: plan.Clock, Planned: plan.Intended, LateAfter: lateAfter, Grace: timeout + time.Second})
	return l, l.csv.Write([]string{"seq", "line", "class", "method", "path", "intended_ms", "sent_ms", "behind_ms", "late", "code", "latency_ms", "error"})
}

// Sent records one answer in the windows and sends.csv: the replay's load.Sink.
func (l *sendLog) Sent(class int, res *vegeta.Result, due time.Time) {
	l.recorder.Sent(class, res, due)
	late := metrics.IsLate(res.Timestamp, due, l.lateAfter)
	q := l.replay.Requests[res.Seq]
	intended := l.replay.Offsets[res.Seq]
	sent := res.Timestamp.Sub(l.began)
	behind := sent - intended
	l.mu.Lock()
	defer l.mu.Unlock()
	l.maxBehind[class] = max(l.maxBehind[class], behind)
	_ = l.csv.Write([]string{
		strconv.FormatUint(res.Seq, 10), strconv.Itoa(q.Line), l.classes[class], q.Method, q.Path,
		fmtMs(intended), fmtMs(sent), fmtMs(behind), strconv.FormatBool(late), strconv.Itoa(int(res.Code)),
		fmtMs(res.Latency), res.Error,
	})
}

// Dropped records a request the replay never sent.
func (l *sendLog) Dropped(class int, due time.Time) { l.recorder.Dropped(class, due) }

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func fmtMs(d time.Duration) string { return strconv.FormatFloat(msf(d), 'f', 3, 64) }

// close finishes sends.csv and sums the recorded windows up into replay.json's figures.
func (l *sendLog) close(path string, f replayFlags, stats load.LogStats) (replaySummary, error) {
	wall := time.Since(l.began)
	_, recErr := l.recorder.Close(time.Now())
	l.csv.Flush()
	err := errors.Join(recErr, l.csv.Error(), l.file.Close())
	s := replaySummary{Log: path, Target: f.target, Speed: f.speed, Lines: stats.Lines, Malformed: stats.Malformed,
		Examples: stats.Examples, WallMs: msf(wall)}
	for i, w := range l.windows {
		st := classStats{Class: w.Class, Intended: int(w.Due()), Sent: int(w.Sent), Late: int(w.Late), Dropped: int(w.Dropped),
			Failed: int(w.Failed()), P50ms: msf(w.Percentile(50)), P95ms: msf(w.Percentile(95)), P99ms: msf(w.Percentile(99)),
			MaxBehind: msf(l.maxBehind[i])}
		s.Intended += st.Intended
		s.Sent += st.Sent
		s.Late += st.Late
		s.Failed += st.Failed
		s.Dropped += st.Dropped
		if st.Intended > 0 {
			s.Classes = append(s.Classes, st)
		}
	}
	return s, err
}

// classStats are one class's figures in replay.json.
type classStats struct {
	Class     string  `json:"class"`
	Intended  int     `json:"intended"`
	Sent      int     `json:"sent"`
	Late      int     `json:"late"`
	Dropped   int     `json:"dropped"` // never sent: the replay ended before a worker was free
	Failed    int     `json:"failed"`  // transport errors, timeouts and 5xx
	P50ms     float64 `json:"p50_ms"`
	P95ms     float64 `json:"p95_ms"`
	P99ms     float64 `json:"p99_ms"`
	MaxBehind float64 `json:"max_behind_ms"` // the furthest a send fell behind its intended time
}

// replaySummary is replay.json.
type replaySummary struct {
	// Verdict is pass, or inconclusive when the replay did not send what the log asked;
	// Doubts say why.
	Verdict   string       `json:"verdict"`
	Doubts    []string     `json:"doubts,omitempty"`
	Log       string       `json:"log"`
	Target    string       `json:"target"`
	Speed     float64      `json:"speed"`
	Lines     int          `json:"lines"`
	Malformed int          `json:"malformed"`
	Examples  []string     `json:"malformed_examples,omitempty"`
	Intended  int          `json:"intended"`
	Sent      int          `json:"sent"`
	Late      int          `json:"late"`
	Failed    int          `json:"failed"`
	Dropped   int          `json:"dropped"`
	Classes   []classStats `json:"classes"`
	WallMs    float64      `json:"wall_ms"`
}

// judge gives the replay its verdict: like a run's, never a pass when nothing was sent or
// the log's requests could not all be sent (slo.DefaultMaxDropped of them at most).
func (s *replaySummary) judge() {
	s.Verdict, s.Doubts = slo.VerdictPass, nil
	switch {
	case s.Sent == 0:
		s.Doubts = append(s.Doubts, fmt.Sprintf("no request was sent of the %d the log asked for: there is nothing to judge", s.Intended))
	case float64(s.Intended-s.Sent) > slo.DefaultMaxDropped*float64(s.Intended):
		s.Doubts = append(s.Doubts, fmt.Sprintf("%d of the log's %d requests were not sent (%.1f%%, more than %.0f%%): the replay was not the log's — lower --speed or raise --max-workers",
			s.Intended-s.Sent, s.Intended, 100*float64(s.Intended-s.Sent)/float64(s.Intended), 100*slo.DefaultMaxDropped))
	}
	if len(s.Doubts) > 0 {
		s.Verdict = slo.VerdictInconclusive
	}
}

func printReplay(w io.Writer, s replaySummary) {
	fmt.Fprintf(w, "\nreplayed %d of %d requests in %.1fs: %d late, %d failed, %d malformed lines skipped\n",
		s.Sent, s.Intended, s.WallMs/1000, s.Late, s.Failed, s.Malformed)
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "class\tsent\tlate\tfailed\tp50 ms\tp95 ms\tp99 ms\tmax behind ms\t")
	for _, c := range s.Classes {
		fmt.Fprintf(tw, "%s\t%d/%d\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t\n", c.Class, c.Sent, c.Intended, c.Late, c.Failed, c.P50ms, c.P95ms, c.P99ms, c.MaxBehind)
	}
	tw.Flush()
	fmt.Fprintf(w, "verdict: %s\n", strings.ToUpper(s.Verdict))
	for _, d := range s.Doubts {
		fmt.Fprintf(w, "  ?    %s\n", d)
	}
}
