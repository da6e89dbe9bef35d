package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
)

// Every number of the schema has a stated range, and one mechanism checks it:
//
//   - the scalar types (Rate, Percent, Bandwidth, ByteSize, Duration, Span, Time) refuse
//     NaN, infinities and values outside their type's range while decoding, on the
//     value's own line;
//   - every plain number (float64, int, int64 — alone, behind a pointer, in a list or a
//     map) carries a `range` tag, and checkRanges holds the resolved scenario to the
//     tags: `range:"[0,100]"`, `range:"(0,1000]"`, `range:"[0,100) or 0"` (0 means
//     "not given" and validation judges it), `range:"(0s,24h]"` on a Duration,
//     `range:"any"` (every value of the type will do: a seed), `range:"-"` (validation
//     has a rule of its own: the schema version).
//
// TestEveryNumberHasARange fails when a new number has neither.

// interval is a range of numbers; an open end excludes its bound.
type interval struct {
	lo, hi         float64
	loOpen, hiOpen bool
	orZero         bool
}

func closed(lo, hi float64) interval { return interval{lo: lo, hi: hi} }

func (iv interval) contains(v float64) bool {
	switch {
	case math.IsNaN(v):
		return false
	case iv.orZero && v == 0:
		return true
	case v < iv.lo || iv.loOpen && v == iv.lo:
		return false
	case v > iv.hi || iv.hiOpen && v == iv.hi:
		return false
	}
	return true
}

// describe states the interval for a message: "between 0 and 100", "above 0 and at most 1000".
func (iv interval) describe(format func(float64) string) string {
	lo, hi := format(iv.lo), format(iv.hi)
	switch {
	case iv.loOpen && iv.hiOpen:
		return "above " + lo + " and below " + hi
	case iv.loOpen:
		return "above " + lo + " and at most " + hi
	case iv.hiOpen:
		return "at least " + lo + " and below " + hi
	}
	return "between " + lo + " and " + hi
}

// outside is the message for a value outside the interval: "must be between 0 and 100, got NaN".
func (iv interval) outside(v float64, format func(float64) string) string {
	return fmt.Sprintf("must be %s, got %s", iv.describe(format), format(v))
}

// parseInterval reads a `range` tag; bound reads each end (a number, or a duration on
// a Duration field).
func parseInterval(tag string, bound func(string) (float64, error)) (interval, error) {
	var iv interval
	text, orZero := strings.CutSuffix(strings.TrimSpace(tag), " or 0")
	iv.orZero = orZero
	if len(text) < 5 || !strings.ContainsRune("[(", rune(text[0])) || !strings.ContainsRune("])", rune(text[len(text)-1])) {
		return iv, fmt.Errorf("range %q: want [lo,hi], (lo,hi], [lo,hi) or (lo,hi)", tag)
	}
	iv.loOpen, iv.hiOpen = text[0] == '(', text[len(text)-1] == ')'
	lo, hi, ok := strings.Cut(text[1:len(text)-1], ",")
	if !ok {
		return iv, fmt.Errorf("range %q: want two bounds", tag)
	}
	var err error
	if iv.lo, err = bound(strings.TrimSpace(lo)); err != nil {
		return iv, fmt.Errorf("range %q: %w", tag, err)
	}
	if iv.hi, err = bound(strings.TrimSpace(hi)); err != nil {
		return iv, fmt.Errorf("range %q: %w", tag, err)
	}
	return iv, nil
}

func numberBound(s string) (float64, error) { return strconv.ParseFloat(s, 64) }

func durationBound(s string) (float64, error) {
	d, err := ParseDuration(s)
	return float64(d), err
}

// formatNumber writes whole numbers without an exponent (1000000, not 1e+06).
func formatNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// formatDurationNumber writes a duration for a message: "1m", not "1m0s".
func formatDurationNumber(v float64) string {
	s := formatDuration(time.Duration(v))
	if t, ok := strings.CutSuffix(s, "h0m0s"); ok {
		return t + "h"
	}
	if t, ok := strings.CutSuffix(s, "m0s"); ok {
		return t + "m"
	}
	return s
}

var (
	durationType = reflect.TypeOf(Duration{})
	spanType     = reflect.TypeOf(Span{})
	timeType     = reflect.TypeOf(Time{})
)

// checkRanges holds v (the resolved scenario, or part of it at path) to the range
// tags, and every time to [MinTime, MaxTime). def is the value v started from before
// decoding (invalid where there is none): a zero out of range then says what to write.
func checkRanges(path string, v, def reflect.Value, iv *interval) []problem {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
		if def.IsValid() && def.Kind() == reflect.Pointer && !def.IsNil() {
			def = def.Elem()
		} else {
			def = reflect.Value{}
		}
	}
	switch {
	case v.Type() == durationType:
		return checkNumber(path, float64(v.Field(0).Int()), fieldOf(def, 0), iv, formatDurationNumber)
	case v.Type() == spanType:
		return nil // refused at decode time when out of its type's range
	case v.Type() == timeType:
		t := v.Interface().(Time)
		if t.IsZero() || (!t.Before(MinTime) && t.Before(MaxTime)) {
			return nil
		}
		return []problem{problemf(path, "must be %s, got %s", describeTimeRange(), t.Format(time.RFC3339))}
	}
	switch v.Kind() {
	case reflect.Struct:
		var ps []problem
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			p := path
			if opts != "inline" {
				if name == "" {
					name = strings.ToLower(f.Name)
				}
				p = joinPath(path, name)
			}
			ps = append(ps, checkRanges(p, v.Field(i), fieldOf(def, i), fieldInterval(f))...)
		}
		return ps
	case reflect.Slice, reflect.Array:
		var ps []problem
		for i := range v.Len() {
			ps = append(ps, checkRanges(fmt.Sprintf("%s[%d]", path, i), v.Index(i), reflect.Value{}, iv)...)
		}
		return ps
	case reflect.Map:
		var ps []problem
		keys := v.MapKeys()
		names := make([]string, len(keys))
		for i, k := range keys {
			names[i] = fmt.Sprint(k.Interface())
		}
		for _, i := range sortedIndexes(names) {
			ps = append(ps, checkRanges(joinPath(path, names[i]), v.MapIndex(keys[i]), reflect.Value{}, iv)...)
		}
		return ps
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return checkNumber(path, float64(v.Int()), def, iv, formatNumber)
	case reflect.Float32, reflect.Float64:
		x := v.Float()
		if iv == nil && (math.IsNaN(x) || math.IsInf(x, 0)) {
			// A scalar type bounds itself while decoding; this only catches what slipped past.
			return []problem{problemf(path, "must be a finite number, got %s", formatNumber(x))}
		}
		return checkNumber(path, x, def, iv, formatNumber)
	}
	return nil
}

func checkNumber(path string, x float64, def reflect.Value, iv *interval, format func(float64) string) []problem {
	if iv == nil || iv.contains(x) {
		return nil
	}
	msg := iv.outside(x, format)
	if x == 0 && def.IsValid() {
		if d := numberOf(def); d != 0 && iv.contains(d) {
			msg += fmt.Sprintf(" (leave it out for the default, %s)", format(d))
		}
	}
	return []problem{problemf(path, "%s", msg)}
}

func numberOf(v reflect.Value) float64 {
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(v.Int())
	case reflect.Float32, reflect.Float64:
		return v.Float()
	}
	return 0
}

func fieldOf(v reflect.Value, i int) reflect.Value {
	if !v.IsValid() || v.Kind() != reflect.Struct {
		return reflect.Value{}
	}
	return v.Field(i)
}

// fieldInterval reads a field's range tag; a malformed tag is a bug in the schema,
// which TestEveryNumberHasARange catches before it ships.
func fieldInterval(f reflect.StructField) *interval {
	tag, ok := f.Tag.Lookup("range")
	if !ok || tag == "-" || tag == "any" {
		return nil
	}
	bound := numberBound
	if t := f.Type; t == durationType || t.Kind() == reflect.Pointer && t.Elem() == durationType {
		bound = durationBound
	}
	iv, err := parseInterval(tag, bound)
	if err != nil {
		panic(fmt.Sprintf("scenarios: field %s: %v", f.Name, err))
	}
	return &iv
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func sortedIndexes(names []string) []int {
	idx := make([]int, len(names))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return strings.Compare(names[a], names[b]) })
	return idx
}

// The scalar types' own ranges, checked while decoding (values.go).
var (
	rateRange      = closed(0, float64(MaxRate))
	percentRange   = closed(0, 1)
	bandwidthRange = closed(0, float64(MaxBandwidth))
	byteSizeRange  = closed(0, float64(MaxByteSize))
	durationRange  = closed(0, float64(MaxDuration))
)

func formatRate(v float64) string      { return formatNumber(v) + "/s" }
func formatPercent(v float64) string   { return formatNumber(v*100) + "%" }
func formatBandwidth(v float64) string { return Bandwidth(v).String() }
func formatBytes(v float64) string {
	if v >= 0 && v == math.Trunc(v) && v < math.MaxInt64 {
		return humanize.IBytes(uint64(v))
	}
	return formatNumber(v) + " bytes"
}
