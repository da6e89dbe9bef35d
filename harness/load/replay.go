package load

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/thongsuot/thongsuot/harness/clock"
	"github.com/thongsuot/thongsuot/scenarios"
)

// Replay is an access log laid on a clock: every request inside the clock's span is
// due at (log time − clock start) / compress, and its path rules give its class. It is
// the arrival process of a replay (it implements Arrivals).
type Replay struct {
	Requests []LogRequest    // in time order
	Offsets  []time.Duration // Offsets[i]: wall offset at which Requests[i] is due
	Classes  []string        // the rule classes, then "other"
	class    []int           // class index of each request
	perClass [][]time.Duration
	Stats    LogStats
	Outside  int // requests read but outside the clock's span
	duration time.Duration
}

// compiledRule is a scenarios.Rule ready to match.
type compiledRule struct {
	path   *regexp.Regexp
	method string
	class  int
}

// LoadReplay reads the source's log and lays it on c.
func LoadReplay(path string, src *scenarios.Source, c clock.Clock) (*Replay, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load.source.log: %w", err)
	}
	defer f.Close()
	reqs, stats, err := ReadLog(f, src.Format)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	max := 1.0
	if src.MaxMalformed != nil {
		max = float64(*src.MaxMalformed)
	}
	if err := CheckMalformed(path, stats, max); err != nil {
		return nil, err
	}
	return NewReplay(reqs, stats, src.EffectiveRules(), c)
}

// CheckMalformed fails when more than max (a fraction) of the log's lines are malformed.
func CheckMalformed(path string, stats LogStats, max float64) error {
	if stats.Lines == 0 {
		return fmt.Errorf("%s: no requests in the log", path)
	}
	if stats.MalformedShare() > max {
		return fmt.Errorf("%s: %d of %d lines (%.1f%%) are malformed, more than the %.1f%% allowed (raise the threshold to replay the rest); first: %s",
			path, stats.Malformed, stats.Lines, 100*stats.MalformedShare(), 100*max, strings.Join(stats.Examples, "; "))
	}
	return nil
}

// NewReplay lays requests on c and classifies them by rules.
func NewReplay(reqs []LogRequest, stats LogStats, rules []scenarios.Rule, c clock.Clock) (*Replay, error) {
	r := &Replay{Stats: stats, duration: c.WallDuration()}
	var compiled []compiledRule
	for i, rule := range rules {
		re, err := regexp.Compile(rule.Path)
		if err != nil {
			return nil, fmt.Errorf("rule %d: path %q: %w", i, rule.Path, err)
		}
		idx := -1
		for k, name := range r.Classes {
			if name == rule.Class {
				idx = k
			}
		}
		if idx < 0 {
			idx = len(r.Classes)
			r.Classes = append(r.Classes, rule.Class)
		}
		compiled = append(compiled, compiledRule{path: re, method: strings.ToUpper(rule.Method), class: idx})
	}
	other := len(r.Classes)
	r.Classes = append(r.Classes, scenarios.OtherClass)
	r.perClass = make([][]time.Duration, len(r.Classes))

	sort.SliceStable(reqs, func(a, b int) bool { return reqs[a].At.Before(reqs[b].At) })
	for _, q := range reqs {
		if q.At.Before(c.Start) || !q.At.Before(c.End) {
			r.Outside++
			continue
		}
		cls := other
		path, _, _ := strings.Cut(q.Path, "?")
		for _, rule := range compiled {
			if (rule.method == "" || rule.method == q.Method) && rule.path.MatchString(path) {
				cls = rule.class
				break
			}
		}
		off := c.ToWall(q.At)
		r.Requests = append(r.Requests, q)
		r.Offsets = append(r.Offsets, off)
		r.class = append(r.class, cls)
		r.perClass[cls] = append(r.perClass[cls], off)
	}
	if len(r.Requests) == 0 {
		return nil, fmt.Errorf("none of the log's %d requests fall between %s and %s: set the clock to the log's span",
			len(reqs), c.Start.Format(time.RFC3339), c.End.Format(time.RFC3339))
	}
	return r, nil
}

// Pace says how long to wait before request number hits; it stops after the last.
func (r *Replay) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	if hits >= uint64(len(r.Offsets)) {
		return 0, true
	}
	if due := r.Offsets[hits]; due > elapsed {
		return due - elapsed, false
	}
	return 0, false
}

// Rate is the replay's average rate around elapsed (over one second).
func (r *Replay) Rate(elapsed time.Duration) float64 {
	return r.Hits(elapsed+500*time.Millisecond) - r.Hits(elapsed-500*time.Millisecond)
}

// Intended is when request n is due.
func (r *Replay) Intended(n uint64) (time.Duration, bool) {
	if n >= uint64(len(r.Offsets)) {
		return 0, false
	}
	return r.Offsets[n], true
}

// Hits is how many requests are due before elapsed.
func (r *Replay) Hits(elapsed time.Duration) float64 {
	return float64(countBefore(r.Offsets, elapsed))
}

// Count is how many requests are due in the wall span [from, to).
func (r *Replay) Count(from, to time.Duration) int {
	return countBefore(r.Offsets, to) - countBefore(r.Offsets, from)
}

// Total is how many requests the replay sends.
func (r *Replay) Total() float64 { return float64(len(r.Offsets)) }

// Duration is the wall time the replay's clock spans.
func (r *Replay) Duration() time.Duration { return r.duration }

func countBefore(offsets []time.Duration, t time.Duration) int {
	return sort.Search(len(offsets), func(i int) bool { return offsets[i] >= t })
}

// classOf is the class index (into Classes) of request n.
func (r *Replay) classOf(n uint64) int {
	if n >= uint64(len(r.class)) {
		return len(r.Classes) - 1
	}
	return r.class[n]
}

// ClassOf is the class name of request n.
func (r *Replay) ClassOf(n uint64) string { return r.Classes[r.classOf(n)] }

// identityPaths go to the identity provider when the run has one.
var identityPaths = []string{"/oauth2/", "/.well-known/"}

// run sends the replay's requests, each when it is due, to the portal (or identity)
// with its logged method and path. A log has no bodies and no credentials: requests
// carry none, except a signed-in virtual user's token when the run has users. Its own
// dispatcher, not vegeta's attacker, sends them, so that each answer is known to be
// request n's (vegeta numbers results apart from the targeter's calls).
func (r *Replay) run(ctx context.Context, f *Flow, x *executor) {
	dispatch(ctx, f, x, func(n uint64, due time.Time) {
		q := r.Requests[n]
		base := x.env.ep.Portal
		for _, p := range identityPaths {
			if strings.HasPrefix(q.Path, p) && x.env.ep.Identity != "" {
				base = x.env.ep.Identity
			}
		}
		h := http.Header{}
		if users := x.env.setup.Users; len(users) > 0 {
			h.Set("Authorization", "Bearer "+users[n%uint64(len(users))].Token)
		}
		class := f.arrivalClass(n)
		res, _ := x.send(hit{method: q.Method, url: base + q.Path, header: h}, x.classes[class], n)
		x.sink.Sent(class, res, due)
	})
}

// addReplay makes the replay the plan's one flow.
func (p *Plan) addReplay(r *Replay) {
	f := &Flow{Name: "replay", Replay: r, Arrivals: r}
	for i, c := range r.Classes {
		f.Classes = append(f.Classes, len(p.Classes))
		p.Classes = append(p.Classes, c)
		offsets := r.perClass[i]
		count := func(from, to time.Duration) float64 {
			return float64(countBefore(offsets, to) - countBefore(offsets, from))
		}
		p.intended, p.expected = append(p.intended, count), append(p.expected, count)
	}
	p.Flows = append(p.Flows, f)
}

// CheckLoopback refuses a target that is not on this machine: replayed traffic goes
// to 127.0.0.0/8, [::1] or localhost only.
func CheckLoopback(target string) error {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("target %q: want a URL such as http://127.0.0.1:8080", target)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("target %q: replay sends only to this machine (127.0.0.1, [::1] or localhost), not to %s", target, host)
}

// NewReplayPlan is the plan of a replay outside a scenario (thongsuot replay): the
// replay's one flow on clock c.
func NewReplayPlan(r *Replay, c clock.Clock) *Plan {
	p := &Plan{Clock: c, Scale: 1, Population: NewPopulation(nil)}
	p.addReplay(r)
	return p
}
