package load

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Shard is one of Count generators that together send one run's plan: shard Index sends
// arrival g of every flow exactly when g mod Count == Index, at the time the whole plan
// has it due and with the choices the whole plan makes for it (user, unit, procedure,
// idempotency key), so the shards' requests together are the single run's, one each.
type Shard struct {
	Index, Count int
}

// Whole is the shard of a run that is not split.
var Whole = Shard{Index: 0, Count: 1}

// ParseShard reads "i/n" (0 ≤ i < n).
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(s, "/")
	index, err1 := strconv.Atoi(i)
	count, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("want i/n with 0 ≤ i < n (0/3 is the first of three), got %q", s)
	}
	sh := Shard{Index: index, Count: count}
	return sh, sh.Check()
}

// Check refuses an index outside the count.
func (sh Shard) Check() error {
	if sh.Count < 1 || sh.Count > MaxShards || sh.Index < 0 || sh.Index >= sh.Count {
		return fmt.Errorf("shard %d/%d: want 0 ≤ i < n ≤ %d", sh.Index, sh.Count, MaxShards)
	}
	return nil
}

// MaxShards bounds n: a shard of a run holds at least one window's share of nothing.
const MaxShards = 1000

func (sh Shard) String() string { return fmt.Sprintf("%d/%d", sh.Index, sh.Count) }

// Split reports whether the run is shared between generators.
func (sh Shard) Split() bool { return sh.Count > 1 }

// Shard keeps the plan's share for sh: every flow paces only its own arrivals, and the
// planned counts are the shard's (exact for arrivals; for a journey's later steps the
// shard's part of the expectation, so the shards' plans add up to the whole one). A
// replayed log is not split: its requests are one file's lines, replayed whole.
func (p *Plan) Shard(sh Shard) error {
	if err := sh.Check(); err != nil {
		return err
	}
	if !sh.Split() {
		return nil
	}
	for _, f := range p.Flows {
		if f.Replay != nil {
			return fmt.Errorf("a replayed log cannot be sharded: split the log, and run one scenario per part")
		}
	}
	for _, f := range p.Flows {
		a := &shardArrivals{whole: f.Arrivals, sh: sh}
		f.Arrivals = a
		first := f.Classes[0]
		p.intended[first], p.expected[first] = f.arrivalsIntended(a), hitsBetween(a)
		if f.Journey == nil {
			continue
		}
		for k, st := range f.Journey.Steps[1:] {
			step := stepIntended(a, f.Journey.offsets(k+1, f.Think), st.Share)
			p.intended[f.Classes[k+1]], p.expected[f.Classes[k+1]] = step, step
		}
	}
	return nil
}

// arrival is the number in the whole plan of the flow's arrival n as this generator
// counts them: every choice an arrival makes is drawn from that number.
func (f *Flow) arrival(n uint64) uint64 {
	if a, ok := f.Arrivals.(*shardArrivals); ok {
		return n*uint64(a.sh.Count) + uint64(a.sh.Index)
	}
	return n
}

// shard is the part of the run the flow's generator sends.
func (f *Flow) shard() Shard {
	if a, ok := f.Arrivals.(*shardArrivals); ok {
		return a.sh
	}
	return Whole
}

// shardArrivals are one shard's arrivals of a whole flow: its arrival k is the whole's
// arrival k·Count + Index, due when that one is.
type shardArrivals struct {
	whole Arrivals
	sh    Shard
}

func (a *shardArrivals) global(k uint64) uint64 {
	return k*uint64(a.sh.Count) + uint64(a.sh.Index)
}

func (a *shardArrivals) Intended(k uint64) (time.Duration, bool) {
	return a.whole.Intended(a.global(k))
}

// Pace is the whole's pace for this shard's next arrival.
func (a *shardArrivals) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	due, ok := a.Intended(hits)
	if !ok {
		return 0, true
	}
	if due <= elapsed {
		return 0, false
	}
	return due - elapsed, false
}

func (a *shardArrivals) Rate(elapsed time.Duration) float64 {
	return a.whole.Rate(elapsed) / float64(a.sh.Count)
}

// Hits is the shard's part of the whole's expected arrivals: whole arrival g is due when
// the expectation reaches g + ½, so this shard's k-th when it reaches k·n + i + ½; over
// the shards these add up to the whole's expectation exactly.
func (a *shardArrivals) Hits(elapsed time.Duration) float64 {
	return a.shifted(a.whole.Hits(elapsed))
}

func (a *shardArrivals) shifted(h float64) float64 {
	n := float64(a.sh.Count)
	return (h-float64(a.sh.Index)-0.5)/n + 0.5
}

func (a *shardArrivals) Total() float64 { return a.shifted(a.whole.Total()) }

// Count is how many of the shard's arrivals are due in [from, to): of the whole's
// arrivals due before t (numbers 0 … B−1), those ≡ Index mod Count.
func (a *shardArrivals) Count(from, to time.Duration) int {
	return a.before(to) - a.before(from)
}

func (a *shardArrivals) before(t time.Duration) int {
	b := a.whole.Count(0, t) // arrivals are due from offset 0 on
	return int(math.Ceil(float64(b-a.sh.Index) / float64(a.sh.Count)))
}
