package harness

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/harness/sizing"
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/scenarios"
)

// Prober runs a scenario as the probes of `thongsuot size`: all its traffic over one
// tier's link, the link's bandwidth shared by every connection (shared_bandwidth) at
// the probed value, the load multiplied by Units (the link carries that many units'
// traffic), judged by the scenario's own SLOs.
type Prober struct {
	Scenario *scenarios.Scenario
	Units    int    // the load × Units; 0 is 1
	Dir      string // each probe's run directory is Dir/<tier>-<n>-<Mbps>
	Runtime  string
	Version  string
	n        int
}

// Probe runs one probe: sizing.Prober.
func (p *Prober) Probe(ctx context.Context, tier string, mbps float64) (sizing.Probe, error) {
	s, err := ProbeScenario(p.Scenario, tier, mbps, p.Units)
	if err != nil {
		return sizing.Probe{}, err
	}
	p.n++
	dir := filepath.Join(p.Dir, fmt.Sprintf("%s-%02d-%s", tier, p.n, mbpsName(mbps)))
	began := time.Now()
	if err := Run(ctx, s, Options{Dir: dir, Runtime: p.Runtime, Version: p.Version}); err != nil {
		return sizing.Probe{}, err
	}
	rec, err := journal.Read(dir)
	if err != nil {
		return sizing.Probe{}, err
	}
	pr := Judge(s.SLOs, rec, tier)
	pr.Dir, pr.Wall = dir, time.Since(began)
	return pr, nil
}

// ProbeScenario is s as a probe of tier at mbps runs it: a copy, every mix entry's
// users on tier's units, the tier's link shared at mbps (0: uncapped) with no cap per
// connection, and the load × units.
func ProbeScenario(s *scenarios.Scenario, tier string, mbps float64, units int) (*scenarios.Scenario, error) {
	data, err := scenarios.Marshal(s)
	if err != nil {
		return nil, err
	}
	c, err := scenarios.Parse(data, s.File)
	if err != nil {
		return nil, fmt.Errorf("copying the scenario: %w", err)
	}
	t := c.Tiers[tier]
	perConn, shared, one := scenarios.Bandwidth(0), scenarios.Bandwidth(mbps*1e6), 1.0
	t.Bandwidth, t.SharedBandwidth, t.Units = &perConn, &shared, &one // the link's cap is mbps
	c.Tiers[tier] = t
	for i := range c.Mix {
		c.Mix[i].Tier = tier
	}
	if units > 1 {
		c.Load.Scale *= float64(units)
	}
	return c, nil
}

// Judge reads one probe's run: the verdict of its SLOs, its p95 and availability, and
// what tier's link carried each way on average.
func Judge(slos scenarios.SLOs, rec *journal.Record, tier string) sizing.Probe {
	v := slo.Evaluate(slos, rec)
	pr := sizing.Probe{Verdict: sizing.Held}
	switch name := v.Name(); {
	case name == slo.VerdictFail:
		pr.Verdict = sizing.Failed
	case name == slo.VerdictPass:
	case heldThroughSaturation(v):
		// A starved harness only makes answers slower: objectives that held in every
		// window despite it held.
		pr.Why = "held with the harness saturated in some windows"
	default:
		pr.Verdict = sizing.Inconclusive
		pr.Why = strings.Join(v.Doubts, "; ")
		if v.Harness.TooSaturated {
			pr.Why = strings.TrimPrefix(strings.Join([]string{pr.Why, v.Harness.Note()}, "; "), "; ")
		}
	}
	var failed []string
	for _, o := range v.Objectives {
		if o.Status == slo.StatusFailed {
			failed = append(failed, o.Name)
		}
		switch {
		case o.Kind == scenarios.KindLatency && pr.Latency == "":
			pr.Latency, pr.P95Limit = o.Name, time.Duration(o.Limit*float64(time.Millisecond))
			pr.P95 = time.Duration(o.Overall * float64(time.Millisecond))
		case o.Kind == scenarios.KindAvailability && o.ImpliedBy == "" && pr.Target == 0:
			pr.Target, pr.Availability = o.Limit, o.Overall
		}
	}
	if len(failed) > 0 {
		pr.Why = "failed: " + strings.Join(failed, ", ")
	}
	all := metrics.Sum("all", rec.Windows...)
	if all == nil {
		pr.Verdict, pr.Why = sizing.Inconclusive, "nothing was recorded"
		return pr
	}
	if pr.Latency == "" {
		pr.P95 = all.Percentile(95)
	}
	if pr.Target == 0 {
		pr.Availability = all.Availability()
	}
	span := time.Duration(rec.Run.Windows) * rec.Run.Window
	var up, down int64
	link := scenarios.TierLink(tier)
	for _, l := range rec.Links {
		if l.Link == link {
			up, down = up+l.Up, down+l.Down
		}
	}
	if up+down == 0 { // no meters: what the load counted over the tier
		for _, w := range rec.Windows {
			up, down = up+w.TierBytes[tier].Out, down+w.TierBytes[tier].In
		}
	}
	pr.UpMbps, pr.DownMbps = metrics.Mbps(up, span), metrics.Mbps(down, span)
	return pr
}

// heldThroughSaturation says whether every objective was judged and held, nothing
// missed while the harness was saturated, and saturation is the only doubt.
func heldThroughSaturation(v slo.Verdict) bool {
	if !v.Complete || !v.Harness.TooSaturated {
		return false
	}
	for _, o := range v.Objectives {
		if o.Status != slo.StatusMet || o.Saturated > 0 {
			return false
		}
	}
	for _, d := range v.Doubts {
		if !strings.Contains(d, "saturated") {
			return false
		}
	}
	return true
}

// mbpsName is a bandwidth in a directory name.
func mbpsName(mbps float64) string {
	if mbps <= 0 {
		return "uncapped"
	}
	return strings.ReplaceAll(fmt.Sprintf("%.4gMbps", mbps), ".", "_")
}
