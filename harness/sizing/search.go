// Package sizing finds, for each link tier, the least uplink bandwidth at which a
// scenario's SLOs hold: short probe runs through the tier's shared bandwidth, bisected
// between a bandwidth that fails and one that holds, with the analytic estimate (the
// bytes the load moves per second) beside the measured answer. It knows nothing of how
// a probe is run: the caller hands it a Prober (the harness runs the scenario).
package sizing

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"time"
)

// Verdicts a probe can have.
const (
	Held         = "held"
	Failed       = "failed"
	Inconclusive = "inconclusive" // nothing could be judged: the harness was saturated, or too little was sent
)

// Probe is one short run with the tier's uplink at Mbps (0: no cap).
type Probe struct {
	Tier    string  `json:"tier"`
	Mbps    float64 `json:"mbps"`
	Verdict string  `json:"verdict"`
	// P95 is the latency the plot follows over the whole probe: the first latency
	// objective's (Latency names it), else all answered requests'; P95Limit is that
	// objective's limit (0: none).
	P95      time.Duration `json:"p95_ns"`
	P95Limit time.Duration `json:"p95_limit_ns,omitempty"`
	Latency  string        `json:"latency_objective,omitempty"`
	// Availability is the share answered over the whole probe, percent; Target the
	// availability objective's (0: none).
	Availability float64 `json:"availability"`
	Target       float64 `json:"availability_target,omitempty"`
	// UpMbps and DownMbps are what the load moved on average each way, bytes on the
	// wire over the probe's length.
	UpMbps   float64       `json:"up_mbps"`
	DownMbps float64       `json:"down_mbps"`
	Wall     time.Duration `json:"wall_ns"`
	// Retry marks a probe repeated because its answer contradicted another (it failed
	// at or above a bandwidth that held), or because the first could not be judged.
	Retry bool   `json:"retry,omitempty"`
	Why   string `json:"why,omitempty"` // what failed, or why it could not be judged
	Dir   string `json:"dir,omitempty"` // the probe's run directory
}

// Prober runs one probe of tier with its uplink at mbps (0: uncapped).
type Prober interface {
	Probe(ctx context.Context, tier string, mbps float64) (Probe, error)
}

// ProberFunc is a Prober of one function.
type ProberFunc func(ctx context.Context, tier string, mbps float64) (Probe, error)

func (f ProberFunc) Probe(ctx context.Context, tier string, mbps float64) (Probe, error) {
	return f(ctx, tier, mbps)
}

// Search says how a tier is sized.
type Search struct {
	// High is the bandwidth of the first probe, Mbps (0: uncapped): the SLOs must hold
	// there, or no bandwidth is the answer. Its bytes give the analytic estimate.
	High float64
	// Low, Mbps, is where bisection starts from below (0: three quarters of the
	// analytic estimate — a link much slower than what the load moves cannot carry it
	// for long): taken to fail until a probe says otherwise.
	Low float64
	// Precision stops the bisection when the bracket is within this ratio (0.1: 10 %).
	Precision float64
	// MaxProbes bounds the probes of one tier, retries included.
	MaxProbes int
	// Deadline, when set, stops probing; the answer so far is kept and marked.
	Deadline time.Time
	// Progress gets one line per probe; nil for none.
	Progress io.Writer
}

// Defaults of Search.
const (
	DefaultPrecision = 0.1
	DefaultMaxProbes = 8
)

// Result is one tier's answer.
type Result struct {
	Tier string `json:"tier"`
	// Minimum is the least bandwidth that held, Mbps; 0 when none was found.
	Minimum float64 `json:"minimum_mbps"`
	// Bracket is the bandwidth below Minimum taken or seen to fail: the answer lies
	// between the two.
	Bracket float64 `json:"failed_below_mbps"`
	Found   bool    `json:"found"`
	// Analytic is the bytes the load moves per second at the peak, the busier way,
	// in Mbps: the least a link could carry it at, with no room for bursts.
	Analytic float64 `json:"analytic_mbps"`
	UpMbps   float64 `json:"up_mbps"`
	DownMbps float64 `json:"down_mbps"`
	Probes   []Probe `json:"probes"`
	// Retried counts probes repeated because they contradicted another, or could
	// not be judged.
	Retried int `json:"retried"`
	// Unjudged are bandwidths whose probe could not be judged twice (the harness was
	// saturated): taken as not holding, so the answer errs high.
	Unjudged []float64 `json:"unjudged_mbps,omitempty"`
	Note     string    `json:"note,omitempty"`
}

// Ratio is the measured minimum over the analytic estimate (0 when either is missing).
func (r Result) Ratio() float64 {
	if r.Minimum <= 0 || r.Analytic <= 0 {
		return 0
	}
	return r.Minimum / r.Analytic
}

// Run sizes tier with p.
func (s Search) Run(ctx context.Context, tier string, p Prober) (Result, error) {
	if s.Precision <= 0 {
		s.Precision = DefaultPrecision
	}
	if s.MaxProbes <= 0 {
		s.MaxProbes = DefaultMaxProbes
	}
	r := Result{Tier: tier}
	run := &runner{s: s, tier: tier, p: p, r: &r}

	top, err := run.judged(ctx, s.High, false)
	if err != nil {
		return r, err
	}
	r.UpMbps, r.DownMbps = top.UpMbps, top.DownMbps
	r.Analytic = math.Max(top.UpMbps, top.DownMbps)
	if top.Verdict != Held {
		r.Note = fmt.Sprintf("the SLOs did not hold at %s: %s", mbpsText(s.High), top.Why)
		return r, nil
	}
	hi := s.High
	if hi <= 0 { // uncapped: the first cap to try is twice what the load moves
		hi = math.Max(2*r.Analytic, 0.01)
	}
	lo := s.Low
	if lo <= 0 {
		lo = r.Analytic * 3 / 4
	}
	if lo <= 0 || lo >= hi {
		lo = hi / 8
	}
	r.Found, r.Minimum, r.Bracket = true, hi, lo
	if s.High <= 0 {
		// The uncapped probe says nothing of hi: confirm it before bisecting under it.
		r.Found = false
	}
	for {
		if r.Found && hi/lo <= 1+s.Precision {
			break
		}
		if run.out() {
			r.Note = run.why()
			return r, nil
		}
		m := math.Sqrt(lo * hi)
		if !r.Found {
			m = hi
		}
		// The first cap is twice what the load moves: failing there contradicts
		// the uncapped probe, as a failure above a bandwidth that held does.
		pr, err := run.judged(ctx, m, !r.Found)
		if err != nil {
			return r, err
		}
		switch pr.Verdict {
		case Held:
			hi, r.Found = m, true
			r.Minimum = hi
		case Failed:
			if !r.Found { // the first cap failed: move it up
				lo, hi = hi, hi*4
				r.Bracket = lo
				continue
			}
			lo = m
			r.Bracket = lo
		default:
			// Twice unjudged: it is not shown to hold, so the answer stays above it.
			if !r.Found {
				r.Note = fmt.Sprintf("a probe at %s could not be judged: %s", mbpsText(m), pr.Why)
				return r, nil
			}
			lo = m
			r.Bracket = lo
			r.Unjudged = append(r.Unjudged, m)
		}
	}
	// Confirm the answer: bisection only ever probes below a bandwidth that held, so
	// this is where a noisy pass would otherwise go unchecked.
	for !run.out() {
		pr, err := run.probe(ctx, hi, false)
		if err != nil {
			return r, err
		}
		if pr.Verdict == Held {
			return r, nil
		}
		// It failed where it had held: once more decides, and is reported.
		again, err := run.probe(ctx, hi, true)
		if err != nil {
			return r, err
		}
		if again.Verdict == Held {
			r.Note = fmt.Sprintf("%s held, failed and held again: taken as held (retried)", mbpsText(hi))
			return r, nil
		}
		// The first pass was the fluke: the answer is above it, up to the next that held.
		next := run.heldAbove(hi)
		r.Note = fmt.Sprintf("%s held once and then failed twice: not used", mbpsText(hi))
		if next <= 0 {
			r.Found, r.Minimum = false, 0
			return r, nil
		}
		lo, hi = hi, next
		r.Bracket, r.Minimum = lo, hi
		for hi/lo > 1+s.Precision && !run.out() {
			m := math.Sqrt(lo * hi)
			pr, err := run.judged(ctx, m, false)
			if err != nil {
				return r, err
			}
			if pr.Verdict == Held {
				hi = m
			} else {
				lo = m
				if pr.Verdict == Inconclusive {
					r.Unjudged = append(r.Unjudged, m)
				}
			}
			r.Bracket, r.Minimum = lo, hi
		}
	}
	if r.Note == "" {
		r.Note = run.why() + "; the answer was not confirmed"
	}
	return r, nil
}

// runner keeps one tier's probes and budget.
type runner struct {
	s    Search
	tier string
	p    Prober
	r    *Result
}

// out says whether the budget is spent: the probes, or the time — a probe that would
// end after the deadline (as long as the longest so far) is not started.
func (run *runner) out() bool {
	if len(run.r.Probes) >= run.s.MaxProbes {
		return true
	}
	if run.s.Deadline.IsZero() {
		return false
	}
	var longest time.Duration
	for _, p := range run.r.Probes {
		longest = max(longest, p.Wall)
	}
	return time.Now().Add(longest).After(run.s.Deadline)
}

func (run *runner) why() string {
	if len(run.r.Probes) >= run.s.MaxProbes {
		return fmt.Sprintf("stopped after %d probes (--max-probes)", run.s.MaxProbes)
	}
	return "stopped at the time budget (--budget)"
}

// probe runs one probe and records it.
func (run *runner) probe(ctx context.Context, mbps float64, retry bool) (Probe, error) {
	began := time.Now()
	pr, err := run.p.Probe(ctx, run.tier, mbps)
	if err != nil {
		return pr, fmt.Errorf("probing %s at %s: %w", run.tier, mbpsText(mbps), err)
	}
	pr.Tier, pr.Mbps, pr.Retry = run.tier, mbps, retry
	if pr.Wall == 0 {
		pr.Wall = time.Since(began)
	}
	if retry {
		run.r.Retried++
	}
	run.r.Probes = append(run.r.Probes, pr)
	if w := run.s.Progress; w != nil {
		again := ""
		if retry {
			again = " (retry)"
		}
		fmt.Fprintf(w, "%s: probe %d/%d at %s%s: p95 %s, availability %.2f %%, moved %.2f up / %.2f down Mbps: %s (%s)\n",
			run.tier, len(run.r.Probes), run.s.MaxProbes, mbpsText(mbps), again, pr.P95.Round(time.Millisecond),
			pr.Availability, pr.UpMbps, pr.DownMbps, pr.Verdict, pr.Wall.Round(100*time.Millisecond))
	}
	return pr, nil
}

// judged runs a probe and, when it contradicts what is known (it fails at or above a
// bandwidth that held, or where suspect says a failure would) or could not be judged,
// runs it once more; the second answer counts, both are reported.
func (run *runner) judged(ctx context.Context, mbps float64, suspect bool) (Probe, error) {
	pr, err := run.probe(ctx, mbps, false)
	if err != nil {
		return pr, err
	}
	contradicts := pr.Verdict == Failed && (suspect || run.heldAtOrBelow(mbps, len(run.r.Probes)-1))
	if (contradicts || pr.Verdict == Inconclusive) && !run.out() {
		return run.probe(ctx, mbps, true)
	}
	return pr, nil
}

// heldAtOrBelow says whether a probe before the n-th held at or below mbps (0 is
// uncapped, above everything).
func (run *runner) heldAtOrBelow(mbps float64, n int) bool {
	for _, p := range run.r.Probes[:n] {
		if p.Verdict == Held && p.Mbps > 0 && (mbps == 0 || p.Mbps <= mbps) {
			return true
		}
	}
	return false
}

// heldAbove is the least bandwidth above mbps that held, 0 when none did.
func (run *runner) heldAbove(mbps float64) float64 {
	var above []float64
	for _, p := range run.r.Probes {
		if p.Verdict == Held && p.Mbps > mbps {
			above = append(above, p.Mbps)
		}
	}
	if len(above) == 0 {
		return 0
	}
	sort.Float64s(above)
	return above[0]
}

// mbpsText writes a bandwidth for people.
func mbpsText(mbps float64) string {
	switch {
	case mbps <= 0:
		return "uncapped"
	case mbps >= 1000:
		return fmt.Sprintf("%.3g Gbps", mbps/1000)
	case mbps < 1:
		return fmt.Sprintf("%.3g kbps", mbps*1000)
	}
	return fmt.Sprintf("%.3g Mbps", mbps)
}
