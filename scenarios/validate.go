package scenarios

import (
	"fmt"
	"regexp"
	"time"
)

// Defaults applied to fields a scenario leaves out.
const (
	DefaultZone        = "Asia/Ho_Chi_Minh"
	DefaultCompress    = 1.0
	DefaultScale       = 1.0
	DefaultSeed        = 1
	DefaultUsers       = 100
	DefaultTimeout     = 10 * time.Second
	DefaultMaxWorkers  = 1000
	DefaultLateAfter   = 10 * time.Millisecond
	DefaultWindow      = time.Minute
	DefaultMinRequests = 10
	DefaultStream      = "downstream"
	// DefaultRecoveryWindows: held again for three windows in a row, so one lucky
	// window does not count as recovered.
	DefaultRecoveryWindows = 3

	// MaxWallDuration bounds a run: every load loop must end.
	MaxWallDuration = 24 * time.Hour
	// MaxWindows bounds the journal and the verdict.
	MaxWindows = 100_000
)

// resolve fills defaults and makes every time absolute.
func (s *Scenario) resolve() []problem {
	var ps []problem
	if s.Version == 0 {
		s.Version = SchemaVersion
	}
	c := &s.Clock
	if c.Zone == "" {
		c.Zone = DefaultZone
	}
	zone, err := time.LoadLocation(c.Zone)
	if err != nil {
		ps = append(ps, problemf("clock.zone", "unknown time zone %q (want an IANA name such as Asia/Ho_Chi_Minh)", c.Zone))
		zone = time.UTC
	}
	if c.Compress == 0 {
		c.Compress = DefaultCompress
	}
	if c.Start.relative != nil {
		ps = append(ps, problemf("clock.start", "must be an absolute time, not relative"))
	}
	c.Start.resolve(zone, time.Time{})
	start := c.Start.Time
	c.End.resolve(zone, start)

	l := &s.Load
	setDefault(&l.Scale, DefaultScale)
	setDefault(&l.Seed, DefaultSeed)
	setDefault(&l.Users, DefaultUsers)
	setDefault(&l.Timeout.Duration, DefaultTimeout)
	setDefault(&l.MaxWorkers, DefaultMaxWorkers)
	setDefault(&l.LateAfter.Duration, DefaultLateAfter)
	s.resolveLoad(zone)
	for i := range s.Faults {
		f := &s.Faults[i]
		f.At.resolve(zone, start)
		setDefault(&f.Stream, DefaultStream)
		if f.Toxicity == nil {
			one := 1.0
			f.Toxicity = &one
		}
		setDefault(&f.Name, f.Summary())
	}
	s.resolveFaults()
	s.resolveTiers()
	setDefault(&s.SLOs.Window.Duration, DefaultWindow)
	setDefault(&s.SLOs.MinRequests, DefaultMinRequests)
	setDefault(&s.SLOs.RecoveryWindows, DefaultRecoveryWindows)
	return ps
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

var nameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// validate checks a resolved scenario. Each problem names its field path.
func (s *Scenario) validate() []problem {
	var ps []problem
	add := func(field, format string, args ...any) { ps = append(ps, problemf(field, format, args...)) }

	if s.Version != SchemaVersion {
		add("version", "unsupported schema version %d (this thongsuot reads version %d)", s.Version, SchemaVersion)
	}
	if !nameRe.MatchString(s.Name) {
		add("name", "want a short name of lower-case letters, digits, '.', '_' or '-', got %q", s.Name)
	}

	c := s.Clock
	switch {
	case c.Start.IsZero():
		add("clock.start", "missing: when the scenario starts, e.g. 2025-07-01T08:00:00+07:00")
	case c.End.IsZero():
		add("clock.end", "missing: when the scenario ends, e.g. 2025-07-01T09:00:00+07:00 or +1h")
	case !c.End.After(c.Start.Time):
		add("clock.end", "%s is not after clock.start %s", c.End.Format(time.RFC3339), c.Start.Format(time.RFC3339))
	}
	if c.Compress < 0 {
		add("clock.compress", "must be positive (scenario seconds per wall second), got %v", c.Compress)
	}
	wall := s.WallDuration()
	if c.Compress > 0 && wall > MaxWallDuration {
		add("clock.compress", "the run would take %s of wall time; the limit is %s: raise compress", wall.Round(time.Second), MaxWallDuration)
	}

	l := s.Load
	if l.Scale < 0 {
		add("load.scale", "must be positive, got %v", l.Scale)
	}
	if l.Baseline < 0 {
		add("load.baseline", "must be a positive rate such as 300/s, got %v", float64(l.Baseline))
	}
	if l.Users < 0 {
		add("load.users", "must be positive, got %d", l.Users)
	}
	if l.Timeout.Duration < 0 {
		add("load.timeout", "must be positive, got %s", l.Timeout.Duration)
	}
	if l.MaxWorkers < 0 {
		add("load.max_workers", "must be positive, got %d", l.MaxWorkers)
	}
	if l.LateAfter.Duration < 0 {
		add("load.late_after", "must be positive, got %s", l.LateAfter.Duration)
	}
	for i, e := range l.Events {
		ps = append(ps, e.validate(fmt.Sprintf("load.events[%d]", i))...)
	}
	ps = append(ps, s.validateLoad()...)
	mixProblems, seen := s.validateMix()
	ps = append(ps, mixProblems...)

	clockOK := !c.Start.IsZero() && c.End.After(c.Start.Time)
	for i, f := range s.Faults {
		ps = append(ps, f.validate(fmt.Sprintf("faults[%d]", i), s, clockOK)...)
	}
	ps = append(ps, s.validateFaultNames()...)
	ps = append(ps, s.validateTiers()...)
	ps = append(ps, s.SLOs.validate(s, seen)...)
	return ps
}

// WallDuration is how long the run takes on the wall clock.
func (s *Scenario) WallDuration() time.Duration {
	if s.Clock.Compress <= 0 {
		return 0
	}
	return s.Clock.Map().WallDuration()
}

func (e Event) validate(p string) []problem {
	var ps []problem
	kinds := 0
	for _, set := range []bool{e.Step != nil, e.Ramp != nil, e.Spike != nil} {
		if set {
			kinds++
		}
	}
	switch {
	case kinds > 1:
		ps = append(ps, problemf(p, "an event is one of step, ramp or spike, not several"))
	case e.Spike != nil:
		ps = append(ps, e.Spike.validate(p)...)
	case e.Step != nil:
		if e.Step.Factor < 0 {
			ps = append(ps, problemf(p+".step.factor", "must not be negative, got %v", e.Step.Factor))
		}
		if e.Step.Until != nil && !e.Step.Until.After(e.Step.At.Time) {
			ps = append(ps, problemf(p+".step.until", "is not after step.at"))
		}
	case e.Ramp != nil:
		if e.Ramp.FromFactor < 0 || e.Ramp.ToFactor < 0 {
			ps = append(ps, problemf(p+".ramp", "factors must not be negative"))
		}
		if !e.Ramp.To.After(e.Ramp.From.Time) {
			ps = append(ps, problemf(p+".ramp.to", "is not after ramp.from"))
		}
	default:
		ps = append(ps, problemf(p, "empty event: want step: {...}, ramp: {...} or spike: {...}"))
	}
	return ps
}

func (o SLOs) validate(s *Scenario, classes map[string]bool) []problem {
	var ps []problem
	add := func(field, format string, args ...any) { ps = append(ps, problemf(field, format, args...)) }
	if o.Window.Duration <= 0 {
		add("slos.window", "must be a positive scenario-time duration, got %s", o.Window.Duration)
	} else if s.Clock.Compress > 0 {
		wallWindow := s.Clock.Map().WallSpan(o.Window.Duration)
		if wallWindow < 100*time.Millisecond {
			add("slos.window", "is %s of wall time at compress %v; the least is 100ms: widen the window", wallWindow, s.Clock.Compress)
		} else if n := s.WallDuration() / wallWindow; n > MaxWindows {
			add("slos.window", "gives %d windows; the limit is %d: widen the window", n, MaxWindows)
		}
	}
	if o.MinRequests < 0 {
		add("slos.min_requests", "must not be negative")
	}
	if o.RecoveryWindows < 0 {
		add("slos.recovery_windows", "must be positive")
	}
	if len(o.Objectives) == 0 {
		add("slos.objectives", "empty: a run needs at least one objective to give a verdict")
	}
	if h := o.Harness; h != nil {
		if h.MaxLag != nil && h.MaxLag.Duration <= 0 {
			add("slos.harness.max_lag", "must be positive, e.g. 25ms")
		}
		for field, v := range map[string]*Percent{"max_starved": h.MaxStarved, "max_saturated": h.MaxSaturated, "max_dropped": h.MaxDropped} {
			if v != nil && (*v < 0 || *v > 1) {
				add("slos.harness."+field, "must be between 0%% and 100%%")
			}
		}
	}
	names := map[string]bool{}
	for i, obj := range o.Objectives {
		p := fmt.Sprintf("slos.objectives[%d]", i)
		if obj.Name == "" {
			add(p+".name", "missing: every objective needs a name (it names the JUnit test case)")
		} else if names[obj.Name] {
			add(p+".name", "objective %q is listed twice", obj.Name)
		}
		names[obj.Name] = true
		if obj.Class != "" && !classes[obj.Class] {
			add(p+".class", "class %q is not in the mix", obj.Class)
		}
		switch obj.Kind {
		case KindAvailability:
			if obj.Availability != nil {
				add(p+".availability", "only a latency objective takes availability; this one's is target")
			}
			if obj.Target == nil {
				add(p+".target", `missing: availability needs a target such as "99.5%%"`)
			} else if *obj.Target <= 0 || *obj.Target > 1 {
				add(p+".target", "must be above 0%% and at most 100%%")
			}
			if obj.Max != nil || obj.Percentile != 0 {
				add(p, "availability takes target, not percentile or max")
			}
		case KindLatency:
			if obj.Percentile <= 0 || obj.Percentile >= 100 {
				add(p+".percentile", "want a percentile between 0 and 100 (e.g. 95), got %v", obj.Percentile)
			}
			if obj.Max == nil {
				add(p+".max", "missing: latency needs max, e.g. 500ms")
			} else if obj.Max.Duration <= 0 {
				add(p+".max", "must be positive")
			}
			if obj.Target != nil {
				add(p+".target", "latency takes percentile and max, not target (its class's availability is availability:)")
			}
			if a := obj.Availability; a != nil && (*a < 0 || *a > 1) {
				add(p+".availability", "must be between 0%% (latency alone) and 100%%")
			}
		case KindRecovery:
			if obj.OutsideFaults {
				add(p+".outside_faults", "only availability and latency objectives are judged per window")
			}
			if obj.Max == nil {
				add(p+".max", "missing: recovery needs max, the longest a recovery may take (wall time), e.g. 2m")
			} else if obj.Max.Duration <= 0 {
				add(p+".max", "must be positive")
			}
			if obj.Target != nil || obj.Percentile != 0 || obj.Class != "" || obj.Availability != nil {
				add(p, "recovery takes max only: it holds when every other objective holds again")
			}
			if len(s.Faults) == 0 {
				add(p, "a recovery objective needs faults to recover from: add faults or remove it")
			}
		case KindZeroLoss:
			if obj.OutsideFaults {
				add(p+".outside_faults", "only availability and latency objectives are judged per window")
			}
			if obj.Target != nil || obj.Max != nil || obj.Percentile != 0 || obj.Class != "" || obj.Availability != nil {
				add(p, "zero_loss takes no class, target, percentile or max: it checks every acknowledged dossier")
			}
		default:
			add(p+".kind", "unknown kind %q (known: %s, %s, %s, %s)", obj.Kind, KindAvailability, KindLatency, KindRecovery, KindZeroLoss)
		}
	}
	return ps
}
