package load

import (
	"sort"
	"time"
)

// WireSize is a class's mean bytes per request on the wire, headers included: In the
// answer, Out the request.
type WireSize struct{ In, Out float64 }

// Traffic is bytes per second of real time, each way: Up the requests, Down the answers.
type Traffic struct{ Up, Down float64 }

// Mbps is t in megabits per second, each way.
func (t Traffic) Mbps() (up, down float64) { return t.Up * 8 / 1e6, t.Down * 8 / 1e6 }

// TrafficAt is what the plan moves at scenario time t, in the world the scenario models
// (the plan's scale, real time): each flow's arrivals per second × its requests' sizes
// (a journey's steps by their share and repeats), spread over the units its users come
// from by their share of the traffic, and summed per link tier and per province code.
// Classes with no size are left out and named in missing.
func (p *Plan) TrafficAt(t time.Time, sizes map[string]WireSize) (tiers, provinces map[string]Traffic, missing []string) {
	tiers, provinces = map[string]Traffic{}, map[string]Traffic{}
	absent := map[string]bool{}
	pop := p.Population
	for _, f := range p.Flows {
		if f.Replay != nil || pop == nil {
			continue
		}
		rate := p.Scale * f.Curve.At(t)
		var per WireSize // bytes per arrival
		add := func(class string, times float64) {
			s, ok := sizes[class]
			if !ok {
				absent[class] = true
				return
			}
			per.In += s.In * times
			per.Out += s.Out * times
		}
		if f.Journey != nil {
			for k, st := range f.Journey.Steps {
				add(p.Classes[f.Classes[k]], st.Share*float64(st.Repeat))
			}
		} else {
			add(p.Classes[f.Classes[0]], 1)
		}
		cum := pop.cum[f.Tier]
		total := cum[len(cum)-1]
		if total <= 0 {
			continue
		}
		for i, u := range pop.Units {
			if f.Tier != "" && pop.Tiers[i] != f.Tier {
				continue
			}
			share := pop.weights[i] / total
			if share == 0 {
				continue
			}
			up, down := rate*share*per.Out, rate*share*per.In
			tr := tiers[pop.Tiers[i]]
			tr.Up, tr.Down = tr.Up+up, tr.Down+down
			tiers[pop.Tiers[i]] = tr
			pr := provinces[u.ProvinceCode]
			pr.Up, pr.Down = pr.Up+up, pr.Down+down
			provinces[u.ProvinceCode] = pr
		}
	}
	for c := range absent {
		missing = append(missing, c)
	}
	sort.Strings(missing)
	return tiers, provinces, missing
}
