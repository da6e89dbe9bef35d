package load

import (
	"fmt"
	"sort"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/harness/clock"
	"github.com/thongsuot/thongsuot/scenarios"
)

// Arrivals is an open-model arrival process on the wall clock: vegeta's Pacer, plus
// when each arrival was meant to happen (the reference for late sends) and how many
// were meant to happen by a given moment (the reference for dropped ones).
type Arrivals interface {
	vegeta.Pacer
	Intended(n uint64) (time.Duration, bool)
	Hits(elapsed time.Duration) float64
	Count(from, to time.Duration) int // arrivals due in [from, to), exactly
	Total() float64
}

// Flow is one mix entry as a run sends it: a single request class paced along its
// curve, a journey whose arrivals are paced and whose steps follow at think-time
// intervals, or a replayed access log.
type Flow struct {
	Name    string
	Class   string        // a single request class; "" for a journey or a replay
	Journey *Journey      // the journey; nil otherwise
	Replay  *Replay       // the replayed log; nil otherwise
	Tier    string        // users only from units of this tier; "" for all
	Think   time.Duration // wall time before each step after the first
	// Session is how long one of the flow's journeys lasts in scenario time at its
	// expected thinks (session.go), a closed flow's with the think after its last step
	// (closed.go); 0 for a single class or a replay.
	Session time.Duration
	// Users is how many users a closed flow plays in the run, the whole run's (a shard
	// plays every Count-th); 0 for an open flow. Its Curve and Arrivals are then the
	// most its users can ask (closed.go).
	Users int
	// Channel is how the flow's dossiers are filed (its journey's channel) when the
	// scenario splits dossiers by channel, and online the online share over scenario
	// time; "" and nil otherwise.
	Channel  string
	online   func(time.Time) float64
	Curve    Curve // scale 1, scenario time; zero for a replay
	Arrivals Arrivals
	// Classes are the flow's indices into Plan.Classes: one for a single class, one
	// per step of a journey, one per rule class of a replay.
	Classes []int
}

// arrivalClass is the class index (into Plan.Classes) of the flow's arrival n: its one
// class, its journey's first step, or the class of the replayed request.
func (f *Flow) arrivalClass(n uint64) int {
	if f.Replay != nil {
		return f.Classes[f.Replay.classOf(n)]
	}
	return f.Classes[0]
}

// Plan is what a run will send: one flow per mix entry, and the request classes the
// metrics record. It knows how many requests of each class it asks for in any span of
// wall time.
type Plan struct {
	Clock   clock.Clock
	Scale   float64
	Classes []string
	Flows   []*Flow
	// Population is who sends: units, their weights and link tiers.
	Population *Population
	// intended[i] counts class i's requests planned in the wall span [from, to):
	// exactly for arrivals; expected[i] is the smooth expectation, for curves.
	intended, expected []func(from, to time.Duration) float64
}

// NewPlan lays each mix entry's curve (or the source log) over the scenario clock.
func NewPlan(s *scenarios.Scenario) (*Plan, error) {
	c := s.Clock.Map()
	p := &Plan{Clock: c, Scale: s.Load.Scale, Population: NewPopulation(s.Load.Population)}
	if s.Load.Source != nil {
		r, err := LoadReplay(s.LogPath(), s.Load.Source, c)
		if err != nil {
			return nil, err
		}
		p.addReplay(r)
		return p, nil
	}
	curves, err := NewCurves(s)
	if err != nil {
		return nil, err
	}
	for i, m := range s.Mix {
		curve, scale := curves[i], s.Load.Scale
		rate := func(wall time.Duration) float64 { return scale * curve.At(c.ToScenario(wall)) }
		f := &Flow{Name: m.EntryName(), Class: m.Class, Tier: m.Tier, Think: m.Think.OnWall(c),
			Curve: curve, Arrivals: NewPacer(rate, c.WallDuration())}
		if m.Journey == "" {
			f.Classes = []int{len(p.Classes)}
			p.Classes = append(p.Classes, f.Name)
			p.intended = append(p.intended, f.arrivalsIntended(f.Arrivals))
			p.expected = append(p.expected, hitsBetween(f.Arrivals))
		} else {
			j, err := newJourney(s, m.Journey)
			if err != nil {
				return nil, fmt.Errorf("mix[%d]: %w", i, err)
			}
			f.Journey = j
			f.Session = sessionLength(j.Journey, f.Think, c.Compress)
			if m.Closed() {
				f.Users = s.RunUsers(m)
				f.Session = closedCycle(j.Journey, f.Think, c.Compress) // the last page read too
			}
			if ch := s.Load.Channels; ch != nil && j.Channel != "" {
				f.Channel, f.online = j.Channel, ch.OnlineAt
			}
			for k, st := range j.Steps {
				f.Classes = append(f.Classes, len(p.Classes))
				p.Classes = append(p.Classes, scenarios.StepClass(f.Name, st.Name))
				if k == 0 { // the journey's arrival
					p.intended = append(p.intended, f.arrivalsIntended(f.Arrivals))
					p.expected = append(p.expected, hitsBetween(f.Arrivals))
					continue
				}
				step := stepIntended(f.Arrivals, j.offsets(k, f.Think), st.Share)
				p.intended = append(p.intended, step)
				p.expected = append(p.expected, step)
			}
		}
		p.Flows = append(p.Flows, f)
	}
	return p, nil
}

// arrivalsIntended is what the plan asks of the flow's arrivals a in [from, to): exactly
// the arrivals due, or for a closed flow the most its users can ask (closed.go), an
// expectation.
func (f *Flow) arrivalsIntended(a Arrivals) func(from, to time.Duration) float64 {
	if f.Users > 0 {
		return hitsBetween(a)
	}
	return arrivalsBetween(a)
}

// hitsBetween is the expected number of arrivals in [from, to): the smooth curve.
func hitsBetween(a Arrivals) func(from, to time.Duration) float64 {
	return func(from, to time.Duration) float64 { return a.Hits(to) - a.Hits(from) }
}

// arrivalsBetween counts the arrivals due in [from, to), exactly.
func arrivalsBetween(a Arrivals) func(from, to time.Duration) float64 {
	return func(from, to time.Duration) float64 { return float64(a.Count(from, to)) }
}

// stepIntended is the expected number of a later journey step in [from, to): the step
// follows its journey's arrival by each of offsets, share of the journeys take it.
func stepIntended(a Arrivals, offsets []time.Duration, share float64) func(from, to time.Duration) float64 {
	return func(from, to time.Duration) float64 {
		n := 0.0
		for _, off := range offsets {
			n += a.Hits(to-off) - a.Hits(from-off)
		}
		return share * n
	}
}

// Intended is how many requests of class i the plan asks for in the wall span [from, to):
// exactly, for a class that arrives on its own curve; the expectation, for a later step
// of a journey.
func (p *Plan) Intended(i int, from, to time.Duration) float64 {
	return p.intended[i](from, to)
}

// Expected is the smooth expectation of class i's requests in the wall span [from,
// to): what a curve of the plan draws.
func (p *Plan) Expected(i int, from, to time.Duration) float64 {
	return p.expected[i](from, to)
}

// Total is how many requests the whole run asks for.
func (p *Plan) Total() float64 {
	t := 0.0
	for i := range p.Classes {
		t += p.Intended(i, 0, p.Clock.WallDuration())
	}
	return t
}

// Point is the plan's request rate over one span of the run.
type Point struct {
	Wall     time.Duration // start of the span
	Scenario time.Time
	Rate     float64 // requests per wall second, all classes
}

// Series is the planned request rate in n equal spans of the run.
func (p *Plan) Series(n int) []Point {
	wall := p.Clock.WallDuration()
	pts := make([]Point, n)
	for k := range pts {
		from, to := wall*time.Duration(k)/time.Duration(n), wall*time.Duration(k+1)/time.Duration(n)
		sum := 0.0
		for i := range p.Classes {
			sum += p.Expected(i, from, to)
		}
		pts[k] = Point{Wall: from, Scenario: p.Clock.ToScenario(from), Rate: sum / (to - from).Seconds()}
	}
	return pts
}

// Peak is the highest point of Series(n).
func Peak(series []Point) Point { return highest(series, func(p Point) float64 { return p.Rate }) }

// highest is the point of series whose value is the highest (the zero point for none).
func highest[T any](series []T, value func(T) float64) T {
	var best T
	for _, pt := range series {
		if value(pt) > value(best) {
			best = pt
		}
	}
	return best
}

// ClassTotals are the planned requests per class over the run, largest first.
func (p *Plan) ClassTotals() []ClassTotal {
	out := make([]ClassTotal, len(p.Classes))
	for i, c := range p.Classes {
		out[i] = ClassTotal{Class: c, Requests: p.Intended(i, 0, p.Clock.WallDuration())}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Requests > out[b].Requests })
	return out
}

// ClassTotal is one class's planned requests.
type ClassTotal struct {
	Class    string
	Requests float64
}
