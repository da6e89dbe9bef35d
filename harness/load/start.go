package load

import (
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// fromStart paces a flow for vegeta's attacker on the run's schedule, whose offset 0
// is Options.Start, rather than from the moment the attacker begins: a generator that
// gets going late (a shard woken at an agreed start on a busy machine) sends what fell
// due meanwhile at once, counted late, and is then back on the schedule — where pacing
// from its own beginning would shift every arrival by the delay.
type fromStart struct {
	Arrivals
	lag time.Duration // how long after the schedule's offset 0 the attacker began
}

func (p fromStart) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	return p.Arrivals.Pace(elapsed+p.lag, hits)
}

// paced is the flow's pacer for an attacker beginning now.
func (x *executor) paced(f *Flow) vegeta.Pacer {
	return fromStart{Arrivals: f.Arrivals, lag: time.Since(x.began)}
}
