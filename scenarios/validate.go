package scenarios

import (
	"fmt"
	"reflect"
	"regexp"
	"time"
)

// Defaults of fields a scenario leaves out (defaults.go puts them in place).
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

// resolve fills the defaults that depend on other fields, where the YAML does not
// write them, and makes every time absolute.
func (s *Scenario) resolve(given written) []problem {
	var ps []problem
	c := &s.Clock
	zone, err := time.LoadLocation(c.Zone)
	if err != nil || c.Zone == "" { // "" would be UTC
		ps = append(ps, problemf("clock.zone", "unknown time zone %q (want an IANA name such as Asia/Ho_Chi_Minh)", c.Zone))
		zone = time.UTC
	}
	if c.Start.relative != nil {
		ps = append(ps, problemf("clock.start", "must be an absolute time, not relative"))
	}
	c.Start.resolve(zone, time.Time{})
	start := c.Start.Time
	c.End.resolve(zone, start)

	s.resolveLoad(zone, given)
	for i := range s.Faults {
		f := &s.Faults[i]
		f.At.resolve(zone, start)
		if f.Toxicity == nil { // toxicity: ~
			one := 1.0
			f.Toxicity = &one
		}
		setDefault(&f.Name, f.Summary())
	}
	s.resolveFaults()
	s.resolveTiers()
	s.SUT.resolveSUT()
	s.resolveJourneys()
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
	// Every number against its range (ranges.go), every list against its limit
	// (bounds.go); what follows may count on both.
	def := defaultScenario()
	ps = append(ps, checkRanges("", reflect.ValueOf(s).Elem(), reflect.ValueOf(&def).Elem(), nil)...)
	ps = append(ps, s.validateCounts()...)
	ps = append(ps, s.validateTimes()...)
	clockOK := !c.Start.IsZero() && c.End.After(c.Start.Time) && c.End.Sub(c.Start.Time) <= MaxDuration &&
		c.Compress >= MinCompress && c.Compress <= MaxCompress
	if wall := s.WallDuration(); clockOK && wall > MaxWallDuration {
		add("clock.compress", "the run would take %s of wall time; the limit is %s: raise compress", wall.Round(time.Second), MaxWallDuration)
	}

	l := s.Load
	for i, e := range l.Events {
		ps = append(ps, e.validate(fmt.Sprintf("load.events[%d]", i))...)
	}
	ps = append(ps, s.validateLoad()...)
	ps = append(ps, s.validateJourneys()...)
	mixProblems, seen := s.validateMix()
	ps = append(ps, mixProblems...)

	for i, f := range s.Faults {
		p := fmt.Sprintf("faults[%d]", i)
		var long []problem
		if clockOK {
			long = f.validateFaultLength(p, c.Compress)
			ps = append(ps, long...)
		}
		// A fault too long for a time.Duration is not placed on the clock.
		ps = append(ps, f.validate(p, s, clockOK && long == nil)...)
	}
	ps = append(ps, s.validateFaultNames()...)
	ps = append(ps, s.validateSubsets()...)
	ps = append(ps, s.validateTiers()...)
	ps = append(ps, s.validateSUT()...)
	ps = append(ps, s.SLOs.validate(s, seen, clockOK)...)
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
		if e.Step.At.IsZero() { // else the step holds from the year 1
			ps = append(ps, problemf(p+".step.at", "missing: the scenario time the step starts, e.g. +8m"))
		}
		if e.Step.Until != nil && !e.Step.Until.After(e.Step.At.Time) {
			ps = append(ps, problemf(p+".step.until", "is not after step.at"))
		}
	case e.Ramp != nil:
		if !e.Ramp.To.After(e.Ramp.From.Time) {
			ps = append(ps, problemf(p+".ramp.to", "is not after ramp.from"))
		}
	default:
		ps = append(ps, problemf(p, "empty event: want step: {...}, ramp: {...} or spike: {...}"))
	}
	return ps
}

// clockOK: the clock is within its bounds, so wall spans derived from it are sound.
func (o SLOs) validate(s *Scenario, classes map[string]bool, clockOK bool) []problem {
	var ps []problem
	add := func(field, format string, args ...any) { ps = append(ps, problemf(field, format, args...)) }
	if o.Window.Duration <= 0 {
		add("slos.window", "must be a positive scenario-time duration, e.g. %s (the default), got %s", formatDurationNumber(float64(DefaultWindow)), o.Window.Duration)
	} else if !clockOK {
		// The clock's own problem is reported; a window cannot be measured against it.
	} else if s.Clock.Compress > 0 {
		wallWindow := s.Clock.Map().WallSpan(o.Window.Duration)
		if wallWindow < 100*time.Millisecond {
			add("slos.window", "is %s of wall time at compress %v; the least is 100ms: widen the window", wallWindow, s.Clock.Compress)
		} else if n := s.WallDuration() / wallWindow; n > MaxWindows {
			add("slos.window", "gives %d windows; the limit is %d: widen the window", n, MaxWindows)
		}
	}
	if len(o.Objectives) == 0 {
		add("slos.objectives", "empty: a run needs at least one objective to give a verdict")
	}
	if h := o.Harness; h != nil {
		if h.MaxLag != nil && h.MaxLag.Duration <= 0 {
			add("slos.harness.max_lag", "must be positive, e.g. 25ms")
		}
		for field, v := range map[string]*Percent{"max_starved": h.MaxStarved, "max_late": h.MaxLate, "max_saturated": h.MaxSaturated, "max_dropped": h.MaxDropped} {
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
		if w := obj.Window; w != nil {
			switch {
			case obj.Kind != KindAvailability && obj.Kind != KindLatency && obj.Kind != KindCodes && obj.Kind != KindChecks:
				add(p+".window", "only availability, latency, codes and checks objectives are judged per window")
			case o.Window.Duration <= 0 || w.Duration < o.Window.Duration || w.Duration%o.Window.Duration != 0:
				add(p+".window", "must be a whole number of slos.window (%s), e.g. %s", o.Window.Duration, 24*o.Window.Duration)
			}
		}
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
			if obj.Percentile == 0 { // out of range: checkRanges says
				add(p+".percentile", "missing: latency needs a percentile above 0 and below 100, e.g. 95")
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
			if len(s.Faults) == 0 && !s.faultsControlled() {
				add(p, "a recovery objective needs faults to recover from: add faults or remove it")
			}
		case KindZeroLoss:
			if obj.OutsideFaults {
				add(p+".outside_faults", "only availability and latency objectives are judged per window")
			}
			if obj.Target != nil || obj.Max != nil || obj.Percentile != 0 || obj.Class != "" || obj.Availability != nil {
				add(p, "zero_loss takes no class, target, percentile or max: it checks every acknowledged dossier")
			}
		case KindCodes:
			if obj.Class == "" {
				add(p+".class", "missing: a codes objective judges one class's answers, e.g. class: forged-token")
			}
			if len(obj.Codes) == 0 {
				add(p+".codes", "missing: the statuses that count, e.g. [401]")
			} else if len(obj.Codes) > maxCodes {
				add(p+".codes", "has %d statuses; the limit is %d", len(obj.Codes), maxCodes)
			}
			if obj.Target == nil {
				add(p+".target", `missing: the share of the class's answers that must have one of codes, e.g. "100%%"`)
			} else if *obj.Target <= 0 || *obj.Target > 1 {
				add(p+".target", "must be above 0%% and at most 100%%")
			}
			if obj.Max != nil || obj.Percentile != 0 || obj.Availability != nil {
				add(p, "codes takes class, codes and target, not percentile, max or availability")
			}
		case KindChecks:
			if obj.Target == nil {
				add(p+".target", `missing: the share of requests whose checks must hold, e.g. "99.5%%"`)
			} else if *obj.Target <= 0 || *obj.Target > 1 {
				add(p+".target", "must be above 0%% and at most 100%%")
			}
			if obj.Max != nil || obj.Percentile != 0 || obj.Availability != nil {
				add(p, "checks takes class and target, not percentile, max or availability")
			}
			if (obj.Class == "" || classes[obj.Class]) && !s.hasChecks(obj.Class) { // an unknown class is said above
				add(p, "no step of a journey in the mix checks anything%s: add check: to a step (docs/journeys.md)", map[bool]string{true: " in class " + obj.Class, false: ""}[obj.Class != ""])
			}
		default:
			add(p+".kind", "unknown kind %q (known: %s, %s, %s, %s, %s, %s)", obj.Kind, KindAvailability, KindLatency, KindRecovery, KindZeroLoss, KindCodes, KindChecks)
		}
		if obj.Kind != KindCodes && len(obj.Codes) > 0 {
			add(p+".codes", "only a codes objective takes codes")
		}
	}
	return ps
}
