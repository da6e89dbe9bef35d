package harness

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/thongsuot/thongsuot/harness/health"
	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/harness/slo"
)

// How often progress is shown: a terminal gets one line rewritten in place every
// second; a log (CI, a file, a pipe) gets a new line every 10 s so it stays readable.
const (
	progressTTYEvery = time.Second
	progressLogEvery = 10 * time.Second
)

// progress shows where a run is while it runs: elapsed and total wall time, the
// scenario clock, the rate asked for and achieved, recent p95, error share, late sends
// the faults in force, and when the harness itself is saturated.
type progress struct {
	w      io.Writer
	tty    bool
	every  time.Duration
	width  func() int // terminal columns; 0 when unknown
	start  time.Time
	plan   *load.Plan
	rec    *metrics.Recorder
	faults activeFaults
	health lastHealth    // nil: the line says nothing of the harness's health
	limits slo.Limits    // what makes the harness saturated
	window time.Duration // wall length of a window
	// sessions counts the journeys in progress; nil, or a plan without journeys, shows none.
	sessions *load.SessionGauge
	last     metrics.Totals
	lastAt   time.Duration
}

// activeFaults says which faults are in force now: the fault schedule.
type activeFaults interface {
	Active() []journal.FaultWindow
}

// lastHealth is the harness's health over the last window: the health monitor.
type lastHealth interface {
	Last() *health.Window
}

func newProgress(w io.Writer, start time.Time, plan *load.Plan, rec *metrics.Recorder, faults activeFaults) *progress {
	p := &progress{w: w, every: progressLogEvery, start: start, plan: plan, rec: rec, faults: faults, width: func() int { return 0 }}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty, p.every = true, progressTTYEvery
		p.width = func() int {
			cols, _, err := term.GetSize(int(f.Fd()))
			if err != nil {
				return 0
			}
			return cols
		}
	}
	return p
}

// run shows progress until ctx ends, then finishes the terminal line.
func (p *progress) run(ctx context.Context) {
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if p.tty {
				fmt.Fprint(p.w, "\n")
			}
			return
		case now := <-t.C:
			line := p.line(now.Sub(p.start))
			if p.tty {
				if cols := p.width(); cols > 1 && len([]rune(line)) >= cols {
					line = string([]rune(line)[:cols-1]) // a wrapped line cannot be rewritten in place
				}
				fmt.Fprint(p.w, "\r\x1b[K"+line)
			} else {
				fmt.Fprintln(p.w, line)
			}
		}
	}
}

// line describes the interval since the previous line.
func (p *progress) line(elapsed time.Duration) string {
	tot := p.rec.Totals()
	interval := (elapsed - p.lastAt).Seconds()
	sent, failed := tot.Sent-p.last.Sent, tot.Failed-p.last.Failed
	p.last, p.lastAt = tot, elapsed

	// Asked and sent over the same interval, so the two compare.
	asked, achieved, errPct := 0.0, 0.0, 0.0
	if interval > 0 {
		from := elapsed - time.Duration(interval*float64(time.Second))
		for i := range p.plan.Classes {
			asked += p.plan.Expected(i, from, elapsed)
		}
		asked /= interval
		achieved = float64(sent) / interval
	}
	if sent > 0 {
		errPct = 100 * float64(failed) / float64(sent)
	}
	p95 := "—"
	if h := p.rec.IntervalLatency(); h.TotalCount() > 0 {
		p95 = (time.Duration(h.ValueAtQuantile(95)) * time.Microsecond).Round(100 * time.Microsecond).String()
	}
	c := p.plan.Clock
	format := "15:04"
	if c.End.Sub(c.Start) > 24*time.Hour {
		format = "2 Jan 15:04"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s/%s wall  scenario %s of %s→%s  asked %.0f/s  sent %.0f/s  p95 %s  errors %.1f%%  late %d",
		elapsed.Round(time.Second), c.WallDuration().Round(time.Second),
		c.ToScenario(min(elapsed, c.WallDuration())).Format(format), c.Start.Format(format), c.End.Format(format),
		asked, achieved, p95, errPct, tot.Late)
	if p.sessions != nil && p.hasJourneys() {
		fmt.Fprintf(&b, "  sessions %d", p.sessions.InFlight())
	}
	if p.health != nil {
		if h := p.health.Last(); h != nil {
			if why := slo.SaturatedBy(*h, p.limits, p.window); len(why) > 0 {
				b.WriteString("  HARNESS SATURATED: " + strings.Join(why, ", "))
			}
		}
	}
	if active := p.faults.Active(); len(active) > 0 {
		names := make([]string, len(active))
		for i, f := range active {
			names[i] = fmt.Sprintf("%s (%s)", f.Name, f.Summary())
		}
		b.WriteString("  faults: " + strings.Join(names, ", "))
	}
	return b.String()
}

// hasJourneys says whether the plan has journeys, whose sessions the line counts.
func (p *progress) hasJourneys() bool {
	for _, f := range p.plan.Flows {
		if f.Journey != nil {
			return true
		}
	}
	return false
}
