package scenarios

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// The rate model: every mix entry's arrivals per wall second at scenario time t are
//
//	scale × base × diurnal(t) × weekly(t) × Π load.events(t) × Π shape events(t)
//
// where base is the entry's own rate, or its weight's share of load.baseline. Diurnal
// and weekly shapes are normalised to average 1, so base is the long-run average rate.

// Diurnal is the relative rate of each hour of the day, 24 values, hour 0 first. Each
// value is placed at the middle of its hour and the curve between them is smooth and
// periodic over the day; it is scaled to average 1, so only the ratios matter.
type Diurnal []float64

// Weekly is the relative rate of each weekday; days left out are 1. Like Diurnal it is
// scaled to average 1 over the week.
type Weekly struct {
	Mon *float64 `yaml:"mon,omitempty" range:"[0,1000000]"`
	Tue *float64 `yaml:"tue,omitempty" range:"[0,1000000]"`
	Wed *float64 `yaml:"wed,omitempty" range:"[0,1000000]"`
	Thu *float64 `yaml:"thu,omitempty" range:"[0,1000000]"`
	Fri *float64 `yaml:"fri,omitempty" range:"[0,1000000]"`
	Sat *float64 `yaml:"sat,omitempty" range:"[0,1000000]"`
	Sun *float64 `yaml:"sun,omitempty" range:"[0,1000000]"`
}

// Factors are the weekday factors indexed by time.Weekday (Sunday first), before
// normalisation.
func (w *Weekly) Factors() [7]float64 {
	f := [7]float64{1, 1, 1, 1, 1, 1, 1}
	if w == nil {
		return f
	}
	for i, v := range []*float64{w.Sun, w.Mon, w.Tue, w.Wed, w.Thu, w.Fri, w.Sat} {
		if v != nil {
			f[i] = *v
		}
	}
	return f
}

// Shape is a named traffic shape mix entries can follow (mix[].shape): its diurnal and
// weekly shapes replace load.diurnal and load.weekly, and its events multiply with
// load.events.
type Shape struct {
	Description string  `yaml:"description,omitempty"`
	Diurnal     Diurnal `yaml:"diurnal,omitempty" range:"[0,1000000]"`
	Weekly      *Weekly `yaml:"weekly,omitempty"`
	Events      []Event `yaml:"events,omitempty"`
}

// Spike multiplies the rate by Peak at At, decaying back to 1 with the given half-life
// (scenario time): factor 1 + (Peak−1)·2^(−(t−At)/HalfLife). With Rise, the factor
// climbs linearly from 1 over Rise before At.
type Spike struct {
	At       Time     `yaml:"at"`
	Peak     float64  `yaml:"peak" range:"[0,100]"`
	HalfLife Duration `yaml:"half_life"`
	Rise     Duration `yaml:"rise,omitempty"`
	Label    string   `yaml:"label,omitempty"`
}

// MixOptions are the parts of a mix entry beyond its class or journey and weight.
type MixOptions struct {
	// Name names the entry in metrics and SLOs (default: the class or journey). A
	// journey's steps are the classes "<name>.<step>".
	Name string `yaml:"name,omitempty"`
	// Rate gives the entry its own average rate instead of a share of load.baseline.
	Rate  Rate   `yaml:"rate,omitempty"`
	Shape string `yaml:"shape,omitempty"` // a key of load.shapes
	// Tier restricts the entry's users to units of one link tier (default: all).
	Tier string `yaml:"tier,omitempty"`
	// Think is how long a journey's user waits before each step after the first: wall
	// time ("500ms", default 1s) or scenario time ("40s scenario": a real user's pause,
	// played compressed). A session lasts its journey's steps and thinks. No omitempty:
	// a journey's written 0s must survive the resolved scenario's round trip.
	Think Span `yaml:"think"`
	// ConcurrentUsers makes a journey entry closed (closed.go): this many users at
	// scale 1, each walking the journey again a think after its last walk ended,
	// instead of journeys arriving on a curve.
	ConcurrentUsers int `yaml:"concurrent_users,omitempty" range:"[0,100000000]"`
}

// Population is who sends: virtual citizens and commune officials spread over the
// 3,321 commune-level units by weight, each unit on a link tier.
type Population struct {
	// Citizens is how many distinct citizen accounts journeys sign in as.
	Citizens int `yaml:"citizens,omitempty" range:"[1,500000]"`
	// Weights is each unit type's relative traffic per unit (ward, commune, special_zone).
	Weights map[string]float64 `yaml:"weights,omitempty" range:"[0,1000000]"`
	// Tiers is each unit type's link tier.
	Tiers map[string]string `yaml:"tiers,omitempty"`
	// RemoteCommunes moves this many communes (chosen by a hash of the unit code, the
	// same in every run) from their type's tier to the remote tier.
	RemoteCommunes *int `yaml:"remote_communes,omitempty" range:"[0,3321]"`
	// Units sets the tier of single units by code; it overrides everything above.
	Units map[string]string `yaml:"units,omitempty"`
	// Areas give provinces and units shares of their own (geography.go); the rest of
	// the traffic goes to the other units by their type's weight.
	Areas map[string]Area `yaml:"areas,omitempty"`
}

// UnitTypes are the kinds of commune-level unit population weights and tiers name.
var UnitTypes = []string{"ward", "commune", "special_zone"}

// Population defaults.
var (
	// assumption: a ward carries 4× a commune's traffic (denser, more online), which puts
	// Hanoi's share near the 5.3 % its dossiers were of the nation's (calibration F13/F12).
	DefaultWeights = map[string]float64{"ward": 4, "commune": 1, "special_zone": 1}
	// assumption: wards on urban fibre, communes rural, the 13 special zones remote/island.
	DefaultUnitTiers = map[string]string{"ward": "urban", "commune": "rural", "special_zone": "remote"}
)

const (
	DefaultCitizens = 1000
	// DefaultRemoteCommunes: 3,321 − 2,943 upgraded (calibration F28) − 13 special zones.
	DefaultRemoteCommunes = 365
	DefaultThink          = time.Second
	DefaultMaxMalformed   = Percent(0.01)
)

// Source replays an access log instead of following a curve. Lines whose timestamps
// fall within the scenario clock are sent at (timestamp − clock.start) / speed.
type Source struct {
	Log string `yaml:"log"` // relative to the scenario file
	// Speed is log seconds per wall second; it is the clock's compress.
	Speed float64 `yaml:"speed,omitempty" range:"[0.01,1000000]"`
	// Format is combined (nginx/Apache), json (one object a line) or auto (default).
	Format string `yaml:"format,omitempty"`
	// MaxMalformed is the share of lines that may fail to parse before the replay
	// refuses to run (default 1 %).
	MaxMalformed *Percent `yaml:"max_malformed,omitempty"`
	// Rules map requests to classes, first match wins; unmatched requests are "other".
	// Without rules the portal's paths map to the built-in classes.
	Rules []Rule `yaml:"rules,omitempty"`
}

// Rule maps requests whose path matches Path (a regular expression) and, if given,
// whose method is Method, to Class.
type Rule struct {
	Path   string `yaml:"path"`
	Method string `yaml:"method,omitempty"`
	Class  string `yaml:"class"`
}

// LogFormats are the access-log formats a source can name.
var LogFormats = []string{"auto", "combined", "json"}

// OtherClass is the class of replayed requests no rule matches.
const OtherClass = "other"

// DefaultRules map the reference portal's and identity provider's paths to classes.
var DefaultRules = []Rule{
	{Path: `^/oauth2/token`, Class: "login"},
	{Path: `^/api/v1/procedures`, Class: "catalogue"},
	{Path: `^/api/v1/(units|provinces)`, Class: "units"},
	{Path: `^/api/v1/dossiers/[^/]+/attachments`, Class: "upload"},
	{Path: `^/api/v1/dossiers/[^/]+/payment`, Class: "pay"},
	{Path: `^/api/v1/(dossiers|bundles)$`, Method: "POST", Class: "submit"},
	{Path: `^/api/v1/dossiers`, Class: "status"},
	{Path: `^/api/v1/officials/`, Class: "officials"},
}

// EntryName is what a mix entry is called in metrics: its name, else its class or journey.
func (c Class) EntryName() string {
	switch {
	case c.Name != "":
		return c.Name
	case c.Journey != "":
		return c.Journey
	}
	return c.Class
}

// ClassNames are the request classes a run records, in order: each single-class mix
// entry, each step of each journey, or the replay rules' classes and "other".
func (s *Scenario) ClassNames() []string {
	if src := s.Load.Source; src != nil {
		return src.ClassNames()
	}
	var names []string
	for _, m := range s.Mix {
		if m.Journey == "" {
			names = append(names, m.EntryName())
			continue
		}
		j, _ := s.Journey(m.Journey)
		for _, st := range j.Steps {
			names = append(names, StepClass(m.EntryName(), st.Name))
		}
	}
	return names
}

// ClassNames are the classes a replay records: its rules' classes in order, then "other".
func (src *Source) ClassNames() []string {
	var names []string
	for _, r := range src.EffectiveRules() {
		if !slices.Contains(names, r.Class) {
			names = append(names, r.Class)
		}
	}
	return append(names, OtherClass)
}

// EffectiveRules are the source's rules, or DefaultRules when it has none.
func (src *Source) EffectiveRules() []Rule {
	if len(src.Rules) == 0 {
		return DefaultRules
	}
	return src.Rules
}

// LogPath is where the source's log is, relative to the scenario file.
func (s *Scenario) LogPath() string {
	p := s.Load.Source.Log
	if filepath.IsAbs(p) || s.File == "" {
		return p
	}
	return filepath.Join(filepath.Dir(s.File), p)
}

// resolveLoad fills the load section's dependent defaults and makes its times absolute.
func (s *Scenario) resolveLoad(zone *time.Location, given written) {
	l := &s.Load
	start := s.Clock.Start.Time
	resolveEvents(l.Events, zone, start)
	if c := l.Channels; c != nil {
		for i := range c.Online {
			c.Online[i].At.resolve(zone, start)
		}
	}
	for name, sh := range l.Shapes {
		resolveEvents(sh.Events, zone, start)
		l.Shapes[name] = sh
	}
	// A null (population: ~, weights: ~) leaves the defaults, as leaving it out does.
	if l.Population == nil {
		l.Population = defaultPopulation()
	}
	p, def := l.Population, defaultPopulation()
	p.Weights = withDefaults(p.Weights, def.Weights)
	p.Tiers = withDefaults(p.Tiers, def.Tiers)
	if p.RemoteCommunes == nil {
		p.RemoteCommunes = def.RemoteCommunes
	}
	for i := range s.Mix {
		// Only a journey has steps to think between.
		if m := &s.Mix[i]; m.Journey != "" && !given(fmt.Sprintf("mix[%d].think", i)) {
			m.Think = Span{D: DefaultThink}
		}
	}
	if src := l.Source; src != nil {
		if src.MaxMalformed == nil {
			m := DefaultMaxMalformed
			src.MaxMalformed = &m
		}
		if !given("load.source.speed") {
			src.Speed = s.Clock.Compress // the clock was given, the speed not: play at it
		}
		if s.Clock.Compress == DefaultCompress && src.Speed != DefaultCompress && src.Speed >= MinCompress && src.Speed <= MaxCompress {
			s.Clock.Compress = src.Speed
		}
	}
}

func resolveEvents(events []Event, zone *time.Location, start time.Time) {
	for i := range events {
		e := &events[i]
		if st := e.Step; st != nil {
			st.At.resolve(zone, start)
			if st.Until != nil {
				st.Until.resolve(zone, start)
			}
		}
		if r := e.Ramp; r != nil {
			r.From.resolve(zone, start)
			r.To.resolve(zone, start)
		}
		if sp := e.Spike; sp != nil {
			sp.At.resolve(zone, start)
		}
	}
}

func withDefaults[T any](m map[string]T, defaults map[string]T) map[string]T {
	out := make(map[string]T, len(defaults))
	for k, v := range defaults {
		out[k] = v
	}
	for k, v := range m {
		out[k] = v
	}
	return out
}

var unitCodeRe = regexp.MustCompile(`^\d{5}$`)

// validateLoad checks the rate model, the population and the source.
func (s *Scenario) validateLoad() []problem {
	var ps []problem
	add := func(field, format string, args ...any) { ps = append(ps, problemf(field, format, args...)) }
	l := s.Load
	ps = append(ps, validateShape("load", Shape{Diurnal: l.Diurnal, Weekly: l.Weekly})...)
	names := make([]string, 0, len(l.Shapes))
	for name := range l.Shapes {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := "load.shapes." + name
		if !nameRe.MatchString(name) {
			add(p, "want a short name of lower-case letters, digits, '.', '_' or '-'")
		}
		ps = append(ps, validateShape(p, l.Shapes[name])...)
	}
	if p := l.Population; p != nil {
		total := 0.0
		for _, typ := range sortedKeys(p.Weights) {
			w := p.Weights[typ]
			if !slices.Contains(UnitTypes, typ) {
				add("load.population.weights."+typ, "unknown unit type %q (known: %s)", typ, strings.Join(UnitTypes, ", "))
			} else if w > 0 { // out of range: checkRanges says
				total += w
			}
		}
		if total == 0 {
			add("load.population.weights", "all weights are zero: no unit would send anything")
		}
		for _, typ := range sortedKeys(p.Tiers) {
			if !slices.Contains(UnitTypes, typ) {
				add("load.population.tiers."+typ, "unknown unit type %q (known: %s)", typ, strings.Join(UnitTypes, ", "))
			} else if !slices.Contains(Tiers, p.Tiers[typ]) {
				add("load.population.tiers."+typ, "unknown tier %q (known: %s)", p.Tiers[typ], strings.Join(Tiers, ", "))
			}
		}
		ps = append(ps, p.validateAreas(l.Channels)...)
		for _, code := range sortedKeys(p.Units) {
			if !unitCodeRe.MatchString(code) {
				add("load.population.units."+code, "want a five-digit unit code, got %q", code)
			}
			if !slices.Contains(Tiers, p.Units[code]) {
				add("load.population.units."+code, "unknown tier %q (known: %s)", p.Units[code], strings.Join(Tiers, ", "))
			}
		}
	}
	if c := l.Channels; c != nil {
		ps = append(ps, c.validate()...)
	}
	if src := l.Source; src != nil {
		ps = append(ps, src.validate(s)...)
	}
	return ps
}

func validateShape(p string, sh Shape) []problem {
	var ps []problem
	add := func(field, format string, args ...any) { ps = append(ps, problemf(p+field, format, args...)) }
	if len(sh.Diurnal) > 0 {
		if len(sh.Diurnal) != 24 {
			add(".diurnal", "want 24 hourly values (hour 0 first), got %d", len(sh.Diurnal))
		}
		sum := 0.0
		for _, v := range sh.Diurnal {
			if v > 0 { // out of range: checkRanges says
				sum += v
			}
		}
		if sum == 0 {
			add(".diurnal", "all zero: nothing would be sent")
		}
	}
	if sh.Weekly != nil {
		sum := 0.0
		for _, v := range sh.Weekly.Factors() {
			if v > 0 { // out of range: checkRanges says
				sum += v
			}
		}
		if sum == 0 {
			add(".weekly", "all zero: nothing would be sent")
		}
	}
	for i, e := range sh.Events {
		ps = append(ps, e.validate(fmt.Sprintf("%s.events[%d]", p, i))...)
	}
	return ps
}

func (sp *Spike) validate(p string) []problem {
	var ps []problem
	if sp.At.IsZero() {
		ps = append(ps, problemf(p+".spike.at", "missing: the scenario time of the peak, e.g. +8m"))
	}
	if sp.HalfLife.Duration <= 0 {
		ps = append(ps, problemf(p+".spike.half_life", "must be a positive scenario-time duration, e.g. 6h"))
	}
	return ps
}

func (src *Source) validate(s *Scenario) []problem {
	var ps []problem
	add := func(field, format string, args ...any) {
		ps = append(ps, problemf("load.source"+field, format, args...))
	}
	if strings.TrimSpace(src.Log) == "" {
		add(".log", "missing: the access log to replay, relative to this file")
	}
	// A speed out of range is checkRanges' to report.
	if src.Speed >= MinCompress && src.Speed <= MaxCompress && src.Speed != s.Clock.Compress {
		add(".speed", "is %v but clock.compress is %v: a replay's speed is its clock's compress, give one of them", src.Speed, s.Clock.Compress)
	}
	if !slices.Contains(LogFormats, src.Format) {
		add(".format", "unknown format %q (known: %s)", src.Format, strings.Join(LogFormats, ", "))
	}
	for i, r := range src.Rules {
		p := fmt.Sprintf(".rules[%d]", i)
		if _, err := regexp.Compile(r.Path); err != nil || r.Path == "" {
			add(p+".path", "want a regular expression matching request paths, e.g. ^/api/v1/procedures")
		}
		if !nameRe.MatchString(r.Class) {
			add(p+".class", "want a class name of lower-case letters, digits, '.', '_' or '-', got %q", r.Class)
		}
	}
	if len(s.Mix) > 0 {
		ps = append(ps, problemf("mix", "a scenario that replays load.source takes its classes from the source's rules: remove mix"))
	}
	return ps
}

// validateMix checks the mix and returns the classes a run of it records.
func (s *Scenario) validateMix() ([]problem, map[string]bool) {
	var ps []problem
	add := func(field, format string, args ...any) { ps = append(ps, problemf(field, format, args...)) }
	classes := map[string]bool{}
	if s.Load.Source != nil {
		for _, c := range s.ClassNames() {
			classes[c] = true
		}
		return nil, classes
	}
	if len(s.Mix) == 0 {
		add("mix", "empty: list at least one request class (%s) or journey (%s)", strings.Join(Classes, ", "), strings.Join(s.journeyNames(), ", "))
	}
	total, shared, seen := 0.0, 0, map[string]bool{}
	for i, m := range s.Mix {
		p := fmt.Sprintf("mix[%d]", i)
		switch {
		case m.Class != "" && m.Journey != "":
			add(p, "an entry is either a class or a journey, not both")
		case m.Journey != "":
			if _, ok := s.Journey(m.Journey); !ok {
				add(p+".journey", "unknown journey %q (known: %s)", m.Journey, strings.Join(s.journeyNames(), ", "))
			}
		case !slices.Contains(Classes, m.Class):
			add(p+".class", "unknown request class %q (known: %s)", m.Class, strings.Join(Classes, ", "))
		}
		name := m.EntryName()
		switch {
		case m.Name != "" && !nameRe.MatchString(m.Name):
			add(p+".name", "want a short name of lower-case letters, digits, '.', '_' or '-', got %q", m.Name)
		case seen[name] && m.Name == "" && m.Journey != "":
			add(p+".journey", "journey %q is listed twice: give one a name", name)
		case seen[name] && m.Name == "":
			add(p+".class", "class %q is listed twice", name)
		case seen[name]:
			add(p+".name", "name %q is used twice", name)
		}
		seen[name] = true
		if slices.Contains(ClassesNeedingUsers, m.Class) {
			if s.Load.Users == 0 {
				add(p+".class", "%s requests are sent as set-up users, and load.users is 0: set load.users (e.g. %d, the default) or remove this entry", m.Class, DefaultUsers)
			}
		}
		if m.Rate > 0 && m.Weight > 0 {
			add(p, "give weight (a share of load.baseline) or rate (its own), not both")
		}
		if m.Rate == 0 && !m.Closed() {
			shared++
			total += max(m.Weight, 0)
		}
		ps = append(ps, s.validateClosed(i, m)...)
		if _, ok := s.Load.Shapes[m.Shape]; m.Shape != "" && !ok {
			add(p+".shape", "unknown shape %q (define it under load.shapes)", m.Shape)
		}
		if m.Tier != "" && !slices.Contains(Tiers, m.Tier) {
			add(p+".tier", "unknown tier %q (known: %s)", m.Tier, strings.Join(Tiers, ", "))
		}
		if m.Journey == "" && m.Think.D != 0 {
			add(p+".think", "only a journey has think time between steps")
		}
		if s.Clock.Compress >= MinCompress && m.Think.OnWall(s.Clock.Map()) > MaxThink {
			wall := m.Think.OnWall(s.Clock.Map())
			add(p+".think", "is %s of wall time at compress %s; the longest think is %s", formatDurationNumber(float64(wall)), formatNumber(s.Clock.Compress), formatDurationNumber(float64(MaxThink)))
		}
	}
	if shared > 0 && s.Load.Baseline <= 0 {
		add("load.baseline", "must be a positive rate such as 300/s (mix entries without a rate share it), got %v", float64(s.Load.Baseline))
	}
	if len(s.Mix) > 0 && shared == len(s.Mix) && total == 0 {
		add("mix", "all weights are zero: nothing would be sent")
	}
	for _, c := range s.ClassNames() {
		classes[c] = true
	}
	return ps, classes
}
