package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"gopkg.in/yaml.v3"
)

// fieldError is returned by the scalar types' UnmarshalYAML. yaml.v3 only keeps line
// numbers for *yaml.TypeError, so every scalar error is one, prefixed "line N: column C: "
// (the column tells apart fields written on one line, as in {at: +5m, for: 2s}).
func fieldError(n *yaml.Node, format string, args ...any) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: column %d: %s", n.Line, n.Column, fmt.Sprintf(format, args...))}}
}

// Duration is a time.Duration written as Go writes it ("150ms", "2h30m") plus days ("3d").
type Duration struct{ time.Duration }

// ParseDuration reads Go duration syntax with an optional leading day count ("1d12h").
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("bad duration %q: want e.g. 150ms, 5s, 2h30m, 3d", s)
	neg := strings.HasPrefix(s, "-")
	body := strings.TrimPrefix(s, "-")
	var days time.Duration
	if i := strings.Index(body, "d"); i > 0 {
		n, err := strconv.ParseFloat(body[:i], 64)
		// NaN, infinities and more days than a time.Duration holds are not durations.
		if err != nil || !(n >= 0 && n <= maxDays) {
			return 0, bad
		}
		days = time.Duration(n * float64(24*time.Hour))
		body = body[i+1:]
	}
	var rest time.Duration
	if body != "" {
		var err error
		if rest, err = time.ParseDuration(body); err != nil || rest > math.MaxInt64-days {
			return 0, bad
		}
	} else if days == 0 {
		return 0, bad
	}
	d := days + rest
	if neg {
		d = -d
	}
	return d, nil
}

// maxDays is the most days a time.Duration holds.
const maxDays = float64(math.MaxInt64 / int64(24*time.Hour))

func formatDuration(d time.Duration) string {
	if d != 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fieldError(n, "want a duration such as 150ms, 5s or 2h")
	}
	v, err := ParseDuration(n.Value)
	if err != nil {
		return fieldError(n, "%v", err)
	}
	if !durationRange.contains(float64(v)) {
		return fieldError(n, "%s", durationRange.outside(float64(v), formatDurationNumber))
	}
	d.Duration = v
	return nil
}

func (d Duration) MarshalYAML() (any, error) { return formatDuration(d.Duration), nil }

// Span is a length of time on either clock: "5s" is wall time, "2h scenario" is
// scenario time (converted through clock.compress).
type Span struct {
	D        time.Duration
	Scenario bool
}

func (s *Span) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fieldError(n, `want a duration: "5s" (wall time) or "2h scenario" (scenario time)`)
	}
	text := strings.TrimSpace(n.Value)
	if rest, ok := strings.CutSuffix(text, "scenario"); ok {
		s.Scenario = true
		text = strings.TrimSpace(rest)
	} else if rest, ok := strings.CutSuffix(text, "wall"); ok {
		text = strings.TrimSpace(rest)
	}
	v, err := ParseDuration(text)
	if err != nil {
		return fieldError(n, `%v (write "5s" for wall time or "2h scenario" for scenario time)`, err)
	}
	if !durationRange.contains(float64(v)) {
		return fieldError(n, "%s", durationRange.outside(float64(v), formatDurationNumber))
	}
	s.D = v
	return nil
}

func (s Span) MarshalYAML() (any, error) {
	if s.Scenario {
		return formatDuration(s.D) + " scenario", nil
	}
	return formatDuration(s.D), nil
}

// Time is a moment of scenario time. It is written as RFC 3339 ("2025-07-01T08:00:00+07:00"),
// as a local time in clock.zone ("2025-07-01 08:00"), or relative to clock.start ("+8m").
// Loading resolves every form to an absolute time.
type Time struct {
	time.Time
	raw      string
	relative *time.Duration // "+8m"
	local    bool           // written without a zone: resolve in clock.zone
}

var localLayouts = []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"}

func (t *Time) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fieldError(n, `want a time: "2025-07-01T08:00:00+07:00", "2025-07-01 08:00" or "+8m"`)
	}
	text := strings.TrimSpace(n.Value)
	t.raw = text
	if rest, ok := strings.CutPrefix(text, "+"); ok {
		d, err := ParseDuration(rest)
		if err != nil {
			return fieldError(n, "bad relative time %q: want +DURATION from clock.start, e.g. +8m", text)
		}
		if !durationRange.contains(float64(d)) {
			return fieldError(n, "relative time %q: the duration %s", text, durationRange.outside(float64(d), formatDurationNumber))
		}
		t.relative = &d
		return nil
	}
	if v, err := time.Parse(time.RFC3339, text); err == nil {
		t.Time = v
		return nil
	}
	for _, layout := range localLayouts {
		if v, err := time.Parse(layout, text); err == nil {
			t.Time, t.local = v, true
			return nil
		}
	}
	return fieldError(n, `bad time %q: want "2025-07-01T08:00:00+07:00", "2025-07-01 08:00" or "+8m"`, text)
}

// resolve makes t absolute: relative times count from start, local times are in zone.
func (t *Time) resolve(zone *time.Location, start time.Time) {
	switch {
	case t.relative != nil:
		t.Time = start.Add(*t.relative)
	case t.local:
		t.Time = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), zone)
	}
	t.relative, t.local = nil, false
}

func (t Time) MarshalYAML() (any, error) { return t.Format(time.RFC3339Nano), nil }

// At builds a resolved Time, for code that constructs scenarios.
func At(v time.Time) Time { return Time{Time: v} }

// Rate is requests per second. It is written as a number (per second) or with a unit:
// "300/s", "18000/min", "50000/h", "170000/day".
type Rate float64

var rateUnits = map[string]float64{"s": 1, "sec": 1, "second": 1, "min": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}

func (r *Rate) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fieldError(n, `want a rate such as 300, "300/s", "18000/min" or "170000/day"`)
	}
	num, unit, hasUnit := strings.Cut(strings.TrimSpace(n.Value), "/")
	v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return fieldError(n, `bad rate %q: want a number with an optional unit, e.g. "300/s" or "170000/day"`, n.Value)
	}
	per := 1.0
	if hasUnit {
		var ok bool
		if per, ok = rateUnits[strings.TrimSpace(unit)]; !ok {
			return fieldError(n, `bad rate unit %q: want /s, /min, /h or /day`, unit)
		}
	}
	if !rateRange.contains(v / per) {
		return fieldError(n, "%s", rateRange.outside(v/per, formatRate))
	}
	*r = Rate(v / per)
	return nil
}

func (r Rate) MarshalYAML() (any, error) {
	return strconv.FormatFloat(float64(r), 'g', -1, 64) + "/s", nil
}

// Percent is a fraction in [0, 1], written "99.5%" or 0.995.
type Percent float64

func (p *Percent) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fieldError(n, `want a percentage such as "99.5%%" or 0.995`)
	}
	text := strings.TrimSpace(n.Value)
	var v float64
	if num, ok := strings.CutSuffix(text, "%"); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil {
			return fieldError(n, "bad percentage %q", text)
		}
		v = f / 100
	} else {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return fieldError(n, `bad percentage %q: want "99.5%%" or 0.995`, text)
		}
		if f > 1 && f <= 100 {
			return fieldError(n, `ambiguous percentage %v: write "%v%%" or %v`, f, f, f/100)
		}
		v = f
	}
	if !percentRange.contains(v) {
		return fieldError(n, "%s", percentRange.outside(v, formatPercent))
	}
	*p = Percent(v)
	return nil
}

func (p Percent) MarshalYAML() (any, error) {
	return strconv.FormatFloat(float64(p)*100, 'g', -1, 64) + "%", nil
}

// Bandwidth is a link rate in bits per second. It is written with a unit: bits ("200Mbps",
// "64kbps", "20Mbit/s") or bytes ("2.5MB/s", "500KB/s"); prefixes are decimal (k = 1000).
type Bandwidth float64

// bandwidthPrefixes are the decimal prefixes a bandwidth unit may carry.
var bandwidthPrefixes = map[string]float64{"": 1, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9}

// ParseBandwidth reads a bandwidth such as "200Mbps" or "2.5MB/s" into bits per second.
func ParseBandwidth(s string) (Bandwidth, error) {
	text := strings.TrimSpace(s)
	bad := fmt.Errorf(`bad bandwidth %q: want a rate with a unit, e.g. "200Mbps", "20Mbit/s" or "2.5MB/s"`, s)
	if text == "0" {
		return 0, nil // no limit, where a limit is optional
	}
	i := strings.IndexFunc(text, func(r rune) bool { return !strings.ContainsRune("+-0123456789.eE", r) })
	if i <= 0 {
		return 0, bad
	}
	v, err := strconv.ParseFloat(text[:i], 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, bad
	}
	unit := strings.TrimSpace(text[i:])
	perUnit := 0.0
	for _, suffix := range []struct {
		s    string
		bits float64
	}{{"bps", 1}, {"bit/s", 1}, {"b/s", 1}, {"B/s", 8}} {
		if prefix, ok := strings.CutSuffix(unit, suffix.s); ok {
			if p, ok := bandwidthPrefixes[prefix]; ok {
				perUnit = p * suffix.bits
			}
			break
		}
	}
	if perUnit == 0 || math.IsInf(v*perUnit, 0) {
		return 0, bad
	}
	return Bandwidth(v * perUnit), nil
}

// KBps is the rate in toxiproxy's unit, kilobytes (1000 bytes) per second, at least 1.
func (b Bandwidth) KBps() int64 { return max(int64(math.Round(float64(b)/8000)), 1) }

func (b Bandwidth) String() string {
	for _, u := range []struct {
		name string
		div  float64
	}{{"Gbps", 1e9}, {"Mbps", 1e6}, {"kbps", 1e3}} {
		if math.Abs(float64(b)) >= u.div {
			return strconv.FormatFloat(float64(b)/u.div, 'g', -1, 64) + u.name
		}
	}
	return strconv.FormatFloat(float64(b), 'g', -1, 64) + "bps"
}

func (b *Bandwidth) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fieldError(n, `want a bandwidth such as "200Mbps" or "2.5MB/s"`)
	}
	v, err := ParseBandwidth(n.Value)
	if err != nil {
		return fieldError(n, "%v", err)
	}
	if !bandwidthRange.contains(float64(v)) {
		return fieldError(n, "%s", bandwidthRange.outside(float64(v), formatBandwidth))
	}
	*b = v
	return nil
}

func (b Bandwidth) MarshalYAML() (any, error) { return b.String(), nil }

// ByteSize is a number of bytes, written as a number or with a unit ("64", "512B",
// "1KiB", "2MB").
type ByteSize int64

func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fieldError(n, `want a size such as 512, "64KiB" or "1MB"`)
	}
	text := strings.TrimSpace(n.Value)
	body, neg := strings.CutPrefix(text, "-")
	v, err := humanize.ParseBytes(body)
	if err != nil || v > math.MaxInt64 {
		return fieldError(n, `bad size %q: want bytes such as 512, "64KiB" or "1MB"`, text)
	}
	size := float64(v)
	if neg {
		size = -size
	}
	if !byteSizeRange.contains(size) {
		return fieldError(n, "%s", byteSizeRange.outside(size, formatBytes))
	}
	*b = ByteSize(size)
	return nil
}
