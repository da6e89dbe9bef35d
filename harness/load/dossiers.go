package load

import (
	"time"

	"github.com/thongsuot/thongsuot/scenarios"
	"github.com/thongsuot/thongsuot/units"
)

// Dossiers is what the plan files at scale 1 over scenario time [from, to) at the units
// matching in: all dossiers, and those filed online. A dossier is a journey's submit
// step. Online are those of journeys that file online; without load.channels every
// dossier journey but official-counter's counts as online. This is the model the
// published figures are checked against (calibration_test.go, docs/calibration.md).
func (p *Plan) Dossiers(in func(units.Unit) bool, from, to time.Time) (total, online float64) {
	share, onlineShare := p.Population.Shares("", in)
	for _, f := range p.Flows {
		if f.Journey == nil {
			continue
		}
		submit, ok := f.Journey.Step("submit")
		if !ok {
			continue
		}
		perArrival := submit.Share * float64(submit.Repeat)
		here := share // the flow's arrivals that land in the area, per arrival
		var rate func(time.Time) float64
		switch f.Channel {
		case scenarios.ChannelOnline:
			// Online walks pick units by share × online ratio.
			here = onlineShare / p.Population.OnlineRatio
		case scenarios.ChannelCounter:
			// Counter walks pick by share × (1 − online × ratio): the area's part of
			// the counter curve changes with the online share.
			base := f.Curve
			base.Channel = nil
			rate = func(t time.Time) float64 { return base.At(t) * (share - f.online(t)*onlineShare) }
		}
		if f.Tier != "" {
			here, rate = p.Population.Share(f.Tier, in), nil // a tier's own picks: no channel split
		}
		var n float64
		if rate != nil {
			n = integrate(rate, from, to)
		} else {
			n = f.Curve.Integrate(from, to) * here
		}
		total += n * perArrival
		if f.Channel == scenarios.ChannelOnline || f.Channel == "" && f.Journey.Channel != scenarios.ChannelCounter {
			online += n * perArrival
		}
	}
	return total, online
}
