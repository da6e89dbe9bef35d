package scenarios

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// repeat is n copies of a line format, each with its index.
func repeat(n int, format string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, format, i)
	}
	return b.String()
}

// Each size and count has a bound, and the error names it.
func TestSizesAndCountsAreBounded(t *testing.T) {
	tests := []struct {
		name       string
		src        string
		field, msg string
	}{
		{"users in the hundreds of millions", strings.Replace(valid, "  baseline: 100/s", "  baseline: 100/s\n  users: 300000000", 1),
			"load.users", "must be between 0 and 100000, got 300000000"},
		{"users in the billions", strings.Replace(valid, "  baseline: 100/s", "  baseline: 100/s\n  users: 3000000000", 1),
			"load.users", "must be between 0 and 100000, got 3000000000"},
		{"citizens", strings.Replace(valid, "  baseline: 100/s", "  baseline: 100/s\n  population: {citizens: 2000000}", 1),
			"load.population.citizens", "must be between 1 and 500000, got 2000000"},
		{"max_workers", strings.Replace(valid, "  baseline: 100/s", "  baseline: 100/s\n  max_workers: 10000000", 1),
			"load.max_workers", "must be between 1 and 100000"},
		{"remote communes", strings.Replace(valid, "  baseline: 100/s", "  baseline: 100/s\n  population: {remote_communes: 5000}", 1),
			"load.population.remote_communes", "must be between 0 and 3321"},
		{"mix entries", strings.Replace(valid, "  - {class: submit, weight: 1}\n", repeat(32, "  - {class: catalogue, name: c%d, weight: 1}\n"), 1),
			"mix", "has 33 entries; the limit is 32"},
		{"events", strings.Replace(valid, "  baseline: 100/s", "  baseline: 100/s\n  events:\n"+repeat(51, "    - step: {at: +%dm, factor: 1}\n"), 1),
			"load.events", "has 51 events; the limit is 50"},
		{"shapes", strings.Replace(valid, "  baseline: 100/s", "  baseline: 100/s\n  shapes:\n"+repeat(17, "    s%d: {weekly: {mon: 2}}\n"), 1),
			"load.shapes", "has 17 shapes; the limit is 16"},
		{"faults", withFaults(repeat(101, "  - {at: +5m, for: 1s, name: f%d, link: portal->registry, toxic: down}\n"), ""),
			"faults", "has 101 faults; the limit is 100"},
		{"flap cycles", withFaults("  - {at: +1m, link: client->portal, toxic: down, flap: {period: 1s scenario, down_for: 0.5s scenario, count: 10001}}\n", ""),
			"faults[0].flap.count", "must be between 1 and 10000, got 10001"},
		{"fault windows in all", withFaults(repeat(2, "  - {at: +1m, name: f%d, link: client->portal, toxic: down, flap: {period: 1s scenario, down_for: 0.5s scenario, count: 6000}}\n"), ""),
			"faults", "has 12000 fault windows (a flap counts each cycle); the limit is 10000"},
		{"objectives", strings.Replace(valid, "    - {name: avail,", repeat(64, "    - {name: a%d, kind: availability, target: 99%%}\n")+"    - {name: avail,", 1),
			"slos.objectives", "has 66 objectives; the limit is 64"},
		{"windows", strings.NewReplacer("end: +10m", "end: +20d", "window: 1m", "window: 6s").Replace(valid),
			"slos.window", "the limit is 100000"},
		{"the scenario's span", strings.Replace(valid, "end: +10m", "end: 2030-01-01 00:00", 1),
			"clock.end", "the longest scenario is 1000d"},
		{"a time beyond 2200", strings.Replace(valid, "end: +10m", "end: 2300-01-01 00:00", 1),
			"clock.end", "must be between 1970-01-01 and 2200-01-01"},
		{"a fault too long for the clock", withFaults("  - {at: +1m, link: client->portal, toxic: down, flap: {period: 900d, down_for: 1s, count: 100}}\n", ""),
			"faults[0].flap", "days of scenario time at compress 60; the limit is 1000d"},
		{"a rate", strings.Replace(valid, "baseline: 100/s", "baseline: 2000000/s", 1),
			"load.baseline", "must be between 0/s and 1000000/s, got 2000000/s"},
		{"a bandwidth", withFaults("  - {at: +5m, for: 1s, link: portal->registry, toxic: bandwidth, bandwidth: 1e300Gbps}\n", ""),
			"faults[0].bandwidth", "bad bandwidth"},
		{"a size", withFaults("  - {at: +5m, for: 1s, link: portal->registry, toxic: limit_data, bytes: 2GiB}\n", ""),
			"faults[0].bytes", "must be between 0 B and 1.0 GiB, got 2.0 GiB"},
		{"a duration", withFaults("  - {at: +5m, for: 1s, link: portal->registry, toxic: latency, latency: 2000d}\n", ""),
			"faults[0].latency", "must be between 0s and 1000d, got 2000d"},
		{"a duration past what Go holds", withFaults("  - {at: +5m, for: 1e300d, link: portal->registry, toxic: down}\n", ""),
			"faults[0].for", "bad duration"},
		{"a NaN duration", withFaults("  - {at: +5m, for: nand, link: portal->registry, toxic: down}\n", ""),
			"faults[0].for", "bad duration"},
		{"a factor", strings.Replace(valid, "  baseline: 100/s", "  baseline: 100/s\n  events: [{step: {at: +1m, factor: 1000}}]", 1),
			"load.events[0].step.factor", "must be between 0 and 100, got 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NotEqual(t, valid, tt.src, "the edit applies")
			_, err := Parse([]byte(tt.src), "big.yaml")
			require.Error(t, err)
			es, ok := err.(Errors)
			require.True(t, ok, "%v", err)
			for _, e := range es {
				if e.Field == tt.field {
					assert.Positive(t, e.Line)
					assert.Contains(t, e.Msg, tt.msg)
					return
				}
			}
			t.Errorf("no error on %s in:\n%v", tt.field, es)
		})
	}
}

// openWithin opens path in the background and fails the test if it takes longer than d.
func openWithin(t *testing.T, path string, d time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := Open(path)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("Open(%s) still reading after %s", path, d)
		return nil
	}
}

// A scenario is read through a limit: a device, a FIFO or a huge file ends at once.
func TestOpenReadsAtMostOneMiB(t *testing.T) {
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.yaml")
	f, err := os.Create(huge)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(8<<30)) // sparse: 8 GiB on paper
	require.NoError(t, f.Close())
	justOver := filepath.Join(dir, "over.yaml")
	require.NoError(t, os.WriteFile(justOver, []byte(valid+"#"+strings.Repeat("\n#", MaxFileSize/2)), 0o644))
	fifo := filepath.Join(dir, "fifo.yaml")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))

	tests := []struct{ path, msg string }{
		{"/dev/zero", "the file is larger than 1048576 bytes (1 MiB), the limit for a scenario"},
		{huge, "the file is larger than 1048576 bytes"},
		{justOver, "the file is larger than 1048576 bytes"},
		{fifo, "empty scenario"}, // nobody writes to it
	}
	for _, tt := range tests {
		if _, err := os.Stat(tt.path); err != nil {
			t.Logf("skipping %s: %v", tt.path, err)
			continue
		}
		start := time.Now()
		err := openWithin(t, tt.path, 5*time.Second)
		assert.Less(t, time.Since(start), time.Second, tt.path)
		require.Error(t, err, tt.path)
		es, ok := err.(Errors)
		require.True(t, ok, "a located error: %v", err)
		e := es[0]
		assert.Equal(t, tt.path, e.File)
		assert.Positive(t, e.Line)
		assert.Contains(t, e.Msg, tt.msg)
	}

	_, err = Parse(make([]byte, MaxFileSize+1), "big.yaml")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "big.yaml:1: the file is larger than 1048576 bytes")
	s, err := Open(writeFile(t, valid+"#"+strings.Repeat(" ", MaxFileSize-len(valid)-1)))
	require.NoError(t, err, "exactly 1 MiB is still a scenario")
	assert.Equal(t, "t", s.Name)
}

func writeFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "s.yaml")
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return p
}

// One document per file: a second one is an error on its line, not ignored.
func TestOneDocumentPerFile(t *testing.T) {
	lines := strings.Count(valid, "\n")
	tests := []struct {
		name, src string
		line      int
	}{
		{"a second scenario", valid + "---\n" + valid, lines + 1},
		{"a trailing separator", valid + "---\n", lines + 1},
		{"a second document of anything", valid + "---\nname: other\n", lines + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src), "two.yaml")
			require.Error(t, err)
			es := err.(Errors)
			require.Len(t, es, 1, "%v", err)
			assert.Equal(t, tt.line, es[0].Line)
			assert.Contains(t, es[0].Msg, "a second YAML document: a scenario file holds one")
		})
	}
	_, err := Parse([]byte("---\n"+valid+"...\n"), "one.yaml")
	assert.NoError(t, err, "an explicit start and end of one document is one document")
}

// An empty list item would vanish in decoding; it is an error on its line instead.
func TestEmptyListItemIsAnError(t *testing.T) {
	src := strings.Replace(valid, "  - {class: submit, weight: 1}\n", "  -\n  - {class: submit, weight: 1}\n", 1)
	_, err := Parse([]byte(src), "e.yaml")
	require.Error(t, err)
	es := err.(Errors)
	require.Len(t, es, 1, "%v", err)
	assert.Equal(t, 11, es[0].Line)
	assert.Contains(t, es[0].Msg, "empty list item")
}

// yaml.v3 gives no line for a bad byte; the error finds it.
func TestBadByteErrorHasItsLine(t *testing.T) {
	for _, bad := range []string{"\xff", "\x01", "\x7f"} {
		src := strings.Replace(valid, "name: t", "name: t"+bad, 1)
		_, err := Parse([]byte(src), "b.yaml")
		require.Error(t, err, "%q", bad)
		es := err.(Errors)
		assert.Equal(t, 2, es[0].Line, "%q: %v", bad, err)
	}
}

// A file of many mistakes reports the first hundred, quickly, and says how many more.
func TestManyProblemsAreCapped(t *testing.T) {
	tests := []struct {
		name, src string
		last      string
	}{
		{"unknown fields", valid + repeat(900, "k%d: 1\n"), "and 800 more problems"},
		{"values out of range", strings.Replace(valid, "  baseline: 100/s", "  baseline: 100/s\n  diurnal:\n"+strings.Repeat("    - -1\n", 5000), 1),
			"and 4902 more problems"}, // 5000 values, "want 24 hourly values" and "all zero"
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := Parse([]byte(tt.src), "many.yaml")
			assert.Less(t, time.Since(start), 5*time.Second)
			require.Error(t, err)
			es := err.(Errors)
			require.Len(t, es, MaxErrors+1)
			assert.Equal(t, tt.last, es[MaxErrors].Msg)
			assert.Positive(t, es[MaxErrors].Line)
		})
	}
}

// yaml.v3 compares every key of a mapping with every other: a mapping is bounded.
func TestMappingKeysAreBounded(t *testing.T) {
	src := strings.Replace(valid, "  baseline: 100/s", "  baseline: 100/s\n  population:\n    units:\n"+repeat(1001, "      \"%05d\": remote\n"), 1)
	_, err := Parse([]byte(src), "keys.yaml")
	require.Error(t, err)
	es := err.(Errors)
	require.Len(t, es, 1, "%v", err)
	assert.Equal(t, 11, es[0].Line)
	assert.Equal(t, "a mapping of 1001 keys; the limit is 1000", es[0].Msg)
}

// assertBounded: what Parse accepts, a run can play — every number finite, the run's
// length and its largest allocations within their bounds. It walks the scenario on its
// own, so that it does not trust the code it checks.
func assertBounded(t *testing.T, s *Scenario) {
	t.Helper()
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(path, v.Elem())
			}
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					walk(path+"."+v.Type().Field(i).Name, v.Field(i))
				}
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(fmt.Sprintf("%s[%d]", path, i), v.Index(i))
			}
		case reflect.Map:
			for _, k := range v.MapKeys() {
				walk(fmt.Sprintf("%s[%v]", path, k), v.MapIndex(k))
			}
		case reflect.Float32, reflect.Float64:
			require.False(t, math.IsNaN(v.Float()) || math.IsInf(v.Float(), 0), "%s is %v", path, v.Float())
		}
	}
	walk("scenario", reflect.ValueOf(s))
	require.Positive(t, s.WallDuration())
	require.LessOrEqual(t, s.WallDuration(), MaxWallDuration)
	require.LessOrEqual(t, s.Load.Users, MaxUsers)
	require.LessOrEqual(t, s.Load.Population.Citizens, MaxCitizens)
	require.LessOrEqual(t, s.Load.MaxWorkers, MaxInFlight)
	require.LessOrEqual(t, len(s.Mix), MaxMixEntries)
	require.LessOrEqual(t, len(s.Faults), MaxFaults)
}
