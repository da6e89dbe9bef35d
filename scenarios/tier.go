package scenarios

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Tier is the standing condition of one link tier's link ("<tier>->portal"), applied
// as toxics when the runtime comes up and kept for the whole run; faults on the link
// add to it. A zero value turns that part off.
type Tier struct {
	// Bandwidth caps each connection, both ways: no connection from a commune goes
	// faster than the commune's link. Off unless a scenario asks for it.
	Bandwidth *Bandwidth `yaml:"bandwidth,omitempty"`
	// SharedBandwidth is one unit's uplink, shared by all of that unit's connections,
	// each way. The tier's link carries Units such uplinks at once, so it is capped at
	// SharedBandwidth × Units (one token bucket each way).
	SharedBandwidth *Bandwidth `yaml:"shared_bandwidth,omitempty"`
	// Units is how many units' uplinks the tier's link stands for. Left out, the run
	// sets it (harness, at bring-up): the tier's units × clock.compress × load.scale,
	// as a compressed, scaled run moves that many times each unit's real traffic.
	Units *float64 `yaml:"units,omitempty" range:"(0,1000000000000]"`
	// Latency is added once per request/response exchange (on responses), ± Jitter.
	Latency *Duration `yaml:"latency,omitempty"`
	Jitter  *Duration `yaml:"jitter,omitempty"`
	// Loss is the share of packets lost, each way. TCP turns loss into delay: a lost
	// packet holds its connection up for one retransmission timeout (the loss toxic).
	Loss *Percent `yaml:"loss,omitempty"`
}

// DefaultTiers are the tier defaults. Sources are calibration figures (docs/calibration.md);
// the rest are assumptions, each with its reasoning.
var DefaultTiers = map[string]Tier{
	// source: calibration F28: 2,943 of 3,321 communes (88 %) got 200 Mbps dedicated links
	// to their province before 1 July, shared by the unit's office (shared_bandwidth).
	// The 687 wards (urban) and 2,256 communes (rural) of the default population are
	// those 2,943. assumption: 10 ± 2 ms across the dedicated government network to the
	// data centre (fibre, in-country); no loss on fibre.
	"urban": {SharedBandwidth: bw(200e6), Latency: ms(10), Jitter: ms(2), Loss: pct(0)},
	// source: calibration F28, as urban: upgraded to 200 Mbps. assumption: 30 ± 10 ms
	// over longer rural backhaul, 0.1 % loss.
	"rural": {SharedBandwidth: bw(200e6), Latency: ms(30), Jitter: ms(10), Loss: pct(0.001)},
	// derived: calibration F28 leaves 3,321 − 2,943 = 378 units not upgraded, at
	// ≤ 100 Mbps ("doubled to 200"); the default population's remote tier is those 378
	// (365 communes and 13 special zones). assumption (calibration notes on link tiers):
	// remote/mountain 20–50 Mbps, 30–80 ms, 1–2 % loss; island special zones 10–50 Mbps,
	// 50–600 ms (microwave, satellite); F31: hamlets with no signal reach the portal
	// through the commune office. The default takes the low end of bandwidth and the
	// high end of remote latency: 20 Mbps, 80 ± 40 ms, 1 % loss.
	"remote": {SharedBandwidth: bw(20e6), Latency: ms(80), Jitter: ms(40), Loss: pct(0.01)},
}

func bw(bits float64) *Bandwidth { b := Bandwidth(bits); return &b }
func ms(n int) *Duration         { return &Duration{time.Duration(n) * time.Millisecond} }
func pct(share float64) *Percent { p := Percent(share); return &p }
func orDefault[T any](v *T, def *T) *T {
	if v != nil {
		return v
	}
	if def == nil {
		return nil
	}
	c := *def
	return &c
}

// resolveTiers gives every tier its link condition: what the scenario says, defaults
// for the rest. Unknown tiers are left for validation.
func (s *Scenario) resolveTiers() {
	if s.Tiers == nil {
		s.Tiers = map[string]Tier{}
	}
	for _, name := range Tiers {
		t, def := s.Tiers[name], DefaultTiers[name]
		t.Bandwidth = orDefault(t.Bandwidth, def.Bandwidth)
		t.SharedBandwidth = orDefault(t.SharedBandwidth, def.SharedBandwidth)
		t.Latency = orDefault(t.Latency, def.Latency)
		t.Jitter = orDefault(t.Jitter, def.Jitter)
		t.Loss = orDefault(t.Loss, def.Loss)
		t.Units = orDefault(t.Units, def.Units)
		s.Tiers[name] = t
	}
}

func (s *Scenario) validateTiers() []problem {
	var ps []problem
	for _, name := range sortedKeys(s.Tiers) {
		p, t := "tiers."+name, s.Tiers[name]
		if !slices.Contains(Tiers, name) {
			ps = append(ps, problemf(p, "unknown tier %q (known: %s)", name, strings.Join(Tiers, ", ")))
			continue
		}
		for field, b := range map[string]*Bandwidth{".bandwidth": t.Bandwidth, ".shared_bandwidth": t.SharedBandwidth} {
			if b != nil && *b != 0 {
				ps = append(ps, validateBandwidth(p+field, *b)...)
			}
		}
		if t.Loss != nil && *t.Loss >= 1 {
			ps = append(ps, problemf(p+".loss", "must be at least 0%% and below 100%%, got %v%%", float64(*t.Loss)*100))
		}
	}
	return ps
}

// LinkBandwidth is the tier link's shared cap: one unit's uplink × the units it
// stands for (1 when Units is not set); 0 is none.
func (t Tier) LinkBandwidth() Bandwidth {
	if t.SharedBandwidth == nil || *t.SharedBandwidth <= 0 {
		return 0
	}
	n := 1.0
	if t.Units != nil {
		n = *t.Units
	}
	return Bandwidth(float64(*t.SharedBandwidth) * n)
}

// TierFaults are the standing toxics of a tier's link, written as faults so that the
// fault engine applies them like any other (without a window).
func (t Tier) TierFaults(tier string) []Fault {
	one := 1.0
	base := Fault{Link: TierLink(tier), Stream: StreamBoth, Toxicity: &one}
	var fs []Fault
	add := func(toxic string, set func(f *Fault)) {
		f := base
		f.Toxic, f.Name = toxic, fmt.Sprintf("tier %s %s", tier, toxic)
		set(&f)
		fs = append(fs, f)
	}
	if t.Bandwidth != nil && *t.Bandwidth > 0 {
		add(ToxicBandwidth, func(f *Fault) { f.Bandwidth = t.Bandwidth })
	}
	if cap := t.LinkBandwidth(); cap > 0 {
		add(ToxicSharedBandwidth, func(f *Fault) { f.Bandwidth = &cap })
	}
	if t.Latency != nil && t.Latency.Duration > 0 {
		add(ToxicLatency, func(f *Fault) { f.Stream, f.Latency, f.Jitter = StreamDownstream, t.Latency, t.Jitter })
	}
	if t.Loss != nil && *t.Loss > 0 {
		add(ToxicLoss, func(f *Fault) { f.Loss, f.Retransmit = t.Loss, &Duration{DefaultRetransmit} })
	}
	return fs
}
