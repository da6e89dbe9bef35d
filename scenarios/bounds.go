package scenarios

import (
	"fmt"
	"time"
)

// The limits of a scenario. Each keeps what one file can ask of a run — memory, set-up
// work, CPU for the rate model — bounded, and the built-in scenarios stay far inside
// them (README "Scenarios" lists them with the reasons).
const (
	// MaxFileSize: the largest built-in is about 10 KiB; reading stops here, so a device
	// or a pipe that never ends cannot make a scenario grow without bound.
	MaxFileSize = 1 << 20
	// MaxUsers: each set-up user signs in, files a dossier and keeps a token (about
	// 1 KiB) before the run starts.
	MaxUsers = 100_000
	// MaxCitizens: the runtime's census holds max(10 000, 2×users, 2×citizens) people,
	// and its personal IDs are unique up to 1 000 000.
	MaxCitizens = 500_000
	// MaxInFlight bounds load.max_workers: one goroutine per request in flight, per class.
	MaxInFlight = 100_000
	// MaxMixEntries, MaxEvents (per list: load.events and each shape's) and MaxShapes
	// bound the rate model: every mix entry's pacer samples its curve 50 000 times, and
	// every sample multiplies every event in force.
	MaxMixEntries = 32
	MaxEvents     = 50
	MaxShapes     = 16
	// MaxFaults and MaxFaultWindows (flap cycles included) bound the fault schedule and
	// the journal's fault windows.
	MaxFaults       = 100
	MaxFaultWindows = 10_000
	MaxObjectives   = 64
	// maxCodes bounds a codes objective's statuses: there are not many more.
	maxCodes = 100
	// MaxRules bounds the regular expressions every replayed line is matched against.
	MaxRules = 100
	// MaxMappingKeys bounds every mapping of the file, population.units included:
	// yaml.v3 checks a mapping's keys for duplicates pairwise.
	MaxMappingKeys = 1000
	// CommuneUnits is how many commune-level units there are: the most communes a
	// population can move to the remote tier.
	CommuneUnits = 3_321

	// MaxCompress: 1 000 000 plays 11½ days a wall second. MinCompress keeps the
	// longest scenario (MaxDuration) within what a time.Duration holds in wall time.
	MinCompress = 0.01
	MaxCompress = 1_000_000
	// MaxScale, MaxFactor (step, ramp and spike factors), MaxWeight (relative weights:
	// mix, population, diurnal, weekly) and MaxRate keep the product of everything the
	// rate model multiplies finite: 1000 × 10⁶ × 100^(2×50) × 24 × 7 < 10³⁰⁸.
	MaxScale  = 1000
	MaxFactor = 100
	MaxWeight = 1_000_000
	MaxRate   = Rate(1_000_000)
	// MaxBandwidth is more than any link a commune or a registry sits behind.
	MaxBandwidth = Bandwidth(100e9)
	// MaxByteSize bounds limit_data and slicer sizes.
	MaxByteSize = ByteSize(1 << 30)
	// MaxDuration bounds every duration and the scenario's span: 1000 days.
	MaxDuration = 1000 * 24 * time.Hour
	// MaxThink bounds a journey's think in wall time: a journey must end within a run.
	MaxThink = 24 * time.Hour
	// MaxMinRequests: more than any window holds.
	MaxMinRequests = 1_000_000_000
	// MaxErrors is the most problems one file reports: past a hundred, the rest say
	// little more, and a file of a hundred thousand mistakes must not take minutes.
	MaxErrors = 100
)

// first keeps the first n errors and says how many more there were.
func (es Errors) first(n int) Errors {
	if len(es) <= n {
		return es
	}
	more := es[n]
	more.Field, more.Msg = "", fmt.Sprintf("and %d more problems", len(es)-n)
	return append(es[:n:n], more)
}

// Every time in a scenario falls in [MinTime, MaxTime): far from the ends of what
// RFC 3339 can write, so a resolved scenario always reads back.
var (
	MinTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// validateCounts bounds the lists and maps of the schema.
func (s *Scenario) validateCounts() []problem {
	type count struct {
		field string
		n     int
		limit int
		what  string
	}
	counts := []count{
		{"mix", len(s.Mix), MaxMixEntries, "entries"},
		{"load.events", len(s.Load.Events), MaxEvents, "events"},
		{"load.shapes", len(s.Load.Shapes), MaxShapes, "shapes"},
		{"faults", len(s.Faults), MaxFaults, "faults"},
		{"slos.objectives", len(s.SLOs.Objectives), MaxObjectives, "objectives"},
	}
	for _, name := range sortedKeys(s.Load.Shapes) {
		counts = append(counts, count{"load.shapes." + name + ".events", len(s.Load.Shapes[name].Events), MaxEvents, "events"})
	}
	if src := s.Load.Source; src != nil {
		counts = append(counts, count{"load.source.rules", len(src.Rules), MaxRules, "rules"})
	}
	windows := 0
	for _, f := range s.Faults {
		if f.Flap != nil {
			windows += max(f.Flap.Count, 1)
		} else {
			windows++
		}
	}
	counts = append(counts, count{"faults", windows, MaxFaultWindows, "fault windows (a flap counts each cycle)"})
	var ps []problem
	for _, c := range counts {
		if c.n > c.limit {
			ps = append(ps, problemf(c.field, "has %d %s; the limit is %d", c.n, c.what, c.limit))
		}
	}
	return ps
}

// scenarioSeconds is the span in scenario seconds, computed in floating point so that a
// span too long for a time.Duration can be told apart from one that fits.
func (s Span) scenarioSeconds(compress float64) float64 {
	if s.Scenario {
		return s.D.Seconds()
	}
	return s.D.Seconds() * compress
}

// validateFaultLength rejects a fault whose scenario-time length is beyond MaxDuration
// (a long flap at a high compress), before anything converts it to a time.Duration.
func (f Fault) validateFaultLength(p string, compress float64) []problem {
	var seconds float64
	field := p + ".for"
	if fl := f.Flap; fl != nil {
		field = p + ".flap"
		seconds = float64(fl.Count-1)*fl.Period.scenarioSeconds(compress) + fl.DownFor.scenarioSeconds(compress)
	} else {
		seconds = f.For.scenarioSeconds(compress)
	}
	if seconds > MaxDuration.Seconds() {
		return []problem{problemf(field, "lasts %.0f days of scenario time at compress %s; the limit is %s",
			seconds/86400, formatNumber(compress), formatDuration(MaxDuration))}
	}
	return nil
}

// validateTimes bounds the clock's span and every time of the scenario.
func (s *Scenario) validateTimes() []problem {
	var ps []problem
	c := s.Clock
	if !c.Start.IsZero() && c.End.After(c.Start.Time) && c.End.Sub(c.Start.Time) > MaxDuration {
		ps = append(ps, problemf("clock.end", "is %.0f days after clock.start; the longest scenario is %s",
			c.End.Sub(c.Start.Time).Hours()/24, formatDuration(MaxDuration)))
	}
	return ps
}

func describeTimeRange() string {
	return fmt.Sprintf("between %s and %s", MinTime.Format(time.DateOnly), MaxTime.Format(time.DateOnly))
}
