package slo

import (
	"fmt"
	"strings"
	"time"

	"github.com/thongsuot/thongsuot/harness/health"
	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/scenarios"
)

// Default harness limits (scenarios.HarnessLimits overrides each).
const (
	// DefaultMaxLag: the probe wakes 1–5 ms late on a busy but working machine; tens of
	// milliseconds mean every response waited that long to be timed, and in the embedded
	// runtime the portal itself waited for a CPU.
	DefaultMaxLag = 25 * time.Millisecond
	// DefaultMaxStarved: the harness's threads waiting for a CPU most of the time they
	// could run: the host is giving it a fraction of what it needs.
	DefaultMaxStarved = 0.85
	// DefaultMaxLate: more than half of a window's sends leaving late means the load
	// did not go out on the scenario's schedule — the harness could not keep up.
	DefaultMaxLate = 0.50
	// DefaultMaxSaturated: a harness saturated for most of the run did not send the
	// scenario's load on its schedule, whatever it measured.
	DefaultMaxSaturated = 0.50
	// DefaultMaxDropped: the harness sends what the plan asks; dropping more than 1 % of
	// it means the load was not the scenario's.
	DefaultMaxDropped = 0.01
	// maxGCShare: stop-the-world pauses taking this share of a window.
	maxGCShare = 0.10
	// maxFileShare: this share of the process's file descriptors open at once; at the
	// limit connections fail to open (EMFILE), and in the embedded runtime the stubs'
	// and proxies' accepts stall, so requests time out for want of the harness's
	// descriptors, not the system's capacity.
	maxFileShare = 0.90
)

// Limits are the harness limits in force.
type Limits struct {
	MaxLag       time.Duration `json:"max_lag"`
	MaxStarved   float64       `json:"max_starved"`
	MaxLate      float64       `json:"max_late"`
	MaxSaturated float64       `json:"max_saturated"`
	MaxDropped   float64       `json:"max_dropped"`
}

// LimitsOf fills what the scenario leaves out with the defaults.
func LimitsOf(h *scenarios.HarnessLimits) Limits {
	l := Limits{MaxLag: DefaultMaxLag, MaxStarved: DefaultMaxStarved, MaxLate: DefaultMaxLate,
		MaxSaturated: DefaultMaxSaturated, MaxDropped: DefaultMaxDropped}
	if h == nil {
		return l
	}
	if h.MaxLag != nil {
		l.MaxLag = h.MaxLag.Duration
	}
	if h.MaxStarved != nil {
		l.MaxStarved = float64(*h.MaxStarved)
	}
	if h.MaxLate != nil {
		l.MaxLate = float64(*h.MaxLate)
	}
	if h.MaxSaturated != nil {
		l.MaxSaturated = float64(*h.MaxSaturated)
	}
	if h.MaxDropped != nil {
		l.MaxDropped = float64(*h.MaxDropped)
	}
	return l
}

// Harness is what the verdict says of the harness's own health.
type Harness struct {
	Limits    Limits            `json:"limits"`
	Measured  bool              `json:"measured"` // the journal has health figures
	Saturated []SaturatedWindow `json:"saturated,omitempty"`
	// TooSaturated: more of the run's windows were saturated than Limits allow.
	TooSaturated bool `json:"too_saturated"`
	// Peak figures over the run, for the reason a person reads.
	MaxLagP99 time.Duration `json:"max_lag_p99"`
	MaxLoad1  float64       `json:"max_load1"`
	Cores     int           `json:"cores,omitempty"`
}

// SaturatedWindow is a window the harness was too starved to judge, and why.
type SaturatedWindow struct {
	Index    int           `json:"index"`
	Start    time.Duration `json:"start"` // wall offset, ns
	Scenario time.Time     `json:"scenario_start"`
	Why      []string      `json:"why"`
	// Aftermath: the harness was not saturated in this window itself, but in one of the
	// few before it, and the system may still be recovering from that.
	Aftermath bool `json:"aftermath,omitempty"`
}

// Note says in a sentence how saturated the harness was, or nothing when it never was.
func (h Harness) Note() string {
	if len(h.Saturated) == 0 {
		return ""
	}
	n := h.starvedWindows()
	s := fmt.Sprintf("the harness was saturated in %d windows", n)
	if after := len(h.Saturated) - n; after > 0 {
		s += fmt.Sprintf(" (and %d right after them)", after)
	}
	first := h.Saturated[0]
	return s + fmt.Sprintf(", from %s: %s; what held there stands, what was missed there is not blamed on the system",
		first.Scenario.Format("02 Jan 15:04"), strings.Join(first.Why, ", "))
}

// starvedWindows counts the windows the harness was saturated in itself.
func (h Harness) starvedWindows() int {
	n := 0
	for _, w := range h.Saturated {
		if !w.Aftermath {
			n++
		}
	}
	return n
}

// aftermath is how many windows after a saturated one may still show what the harness
// did: the recovery windows an objective needs to hold again, and at least as many as
// the request timeout spans — a request sent while the harness was starved (or stuck
// for want of its file descriptors) can hold the system's connections and queues that
// long. Windows before a saturated one are excused for the timeout's span too
// (saturation): their requests were still in flight.
func aftermath(slos scenarios.SLOs, run journal.RunInfo) int {
	return max(slos.RecoveryWindows, 1, inFlightWindows(run))
}

// inFlightWindows is how many windows the request timeout spans: how long after its
// window a request may still be in flight (0 when the journal does not say).
func inFlightWindows(run journal.RunInfo) int {
	if run.Window <= 0 || run.Timeout <= 0 {
		return 0
	}
	return int((run.Timeout + run.Window - 1) / run.Window)
}

// saturation reads the journal's health figures and late sends against the limits:
// which windows the harness was saturated in, by index. In the embedded runtime the
// system under test starves with the harness, and like after a fault it takes a while to
// come back (a breaker that opened on timeouts stays open for its cool-down), so the
// after windows following a saturated one count as saturated too: their misses may be the
// harness's doing.
func saturation(rec *journal.Record, byIndex [][]*metrics.Window, l Limits, after int) (Harness, map[int]bool) {
	h := Harness{Limits: l, Measured: len(rec.Health) > 0}
	width := rec.Run.Window
	why := map[int][]string{}
	for _, w := range rec.Health {
		if w.Index < 0 || w.Index >= rec.Run.Windows {
			continue
		}
		h.MaxLagP99, h.MaxLoad1, h.Cores = max(h.MaxLagP99, w.LagP99), max(h.MaxLoad1, w.Load1), w.Cores
		why[w.Index] = SaturatedBy(w, l, width)
	}
	for i, ws := range byIndex {
		var sent, late int64
		for _, w := range ws {
			sent, late = sent+w.Sent, late+w.Late
		}
		// Too few sends say nothing of the schedule.
		if sent >= minLateSample && float64(late) > l.MaxLate*float64(sent) {
			why[i] = append([]string{fmt.Sprintf("%.0f%% of sends left late", 100*float64(late)/float64(sent))}, why[i]...)
		}
	}
	starved := map[int]bool{}
	for i, w := range why {
		starved[i] = len(w) > 0
	}
	last := -1 // the last window the harness was saturated in
	for i := range rec.Run.Windows {
		switch {
		case starved[i]:
			last = i
		case last >= 0 && i-last <= after:
			why[i] = []string{fmt.Sprintf("%d windows after the harness was saturated: the system may still be recovering", i-last)}
		}
	}
	// A request due in a window may still be waiting for its answer up to the request
	// timeout later: when the harness was saturated within that span, what became of the
	// window's requests is not the system's alone either.
	if inFlight := inFlightWindows(rec.Run); inFlight > 0 {
		next := -1 // the next window the harness was saturated in
		for i := rec.Run.Windows - 1; i >= 0; i-- {
			switch {
			case starved[i]:
				next = i
			case len(why[i]) == 0 && next >= 0 && next-i <= inFlight:
				why[i] = []string{fmt.Sprintf("the harness was saturated %d windows later, while requests due here could still be waiting for their answers", next-i)}
			}
		}
	}
	out := map[int]bool{}
	for i := range rec.Run.Windows {
		if len(why[i]) == 0 {
			continue
		}
		out[i] = true
		h.Saturated = append(h.Saturated, SaturatedWindow{Index: i, Start: time.Duration(i) * width, Why: why[i], Aftermath: !starved[i]})
	}
	return h, out
}

// minLateSample is the fewest sends a window needs for its late share to count.
const minLateSample = 20

// SaturatedBy says why the harness was saturated in a window of the given width, or
// nothing when it was not: the one definition of a saturated window.
func SaturatedBy(w health.Window, l Limits, width time.Duration) []string {
	var why []string
	if w.LagP99 > l.MaxLag {
		why = append(why, fmt.Sprintf("scheduling lag p99 %s > %s", w.LagP99.Round(time.Millisecond), l.MaxLag))
	}
	if w.Starved > l.MaxStarved {
		why = append(why, fmt.Sprintf("waited for a CPU %.0f%% of the time", 100*w.Starved))
	}
	if width > 0 && float64(w.GCPause) > maxGCShare*float64(width) {
		why = append(why, fmt.Sprintf("GC paused %s", w.GCPause.Round(time.Millisecond)))
	}
	if w.FileLimit > 0 && float64(w.OpenFiles) > maxFileShare*float64(w.FileLimit) {
		why = append(why, fmt.Sprintf("%d of the %d file descriptors it may open were open", w.OpenFiles, w.FileLimit))
	}
	if len(why) > 0 && w.Cores > 0 {
		why = append(why, fmt.Sprintf("host load %.1f on %d cores, %.0f%% busy", w.Load1, w.Cores, 100*w.HostBusy))
	}
	return why
}

// saturationDoubt says why too much of the run was saturated, naming when it began.
func (h Harness) saturationDoubt(windows int, zone func(time.Time) string) string {
	first := h.Saturated[0]
	return fmt.Sprintf("the harness was saturated in %d of %d windows (more than %.0f%%), from %s: %s — run it again where the harness has room",
		h.starvedWindows(), windows, 100*h.Limits.MaxSaturated, zone(first.Scenario), strings.Join(first.Why, ", "))
}
