package metrics

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What a progress line reads while the run goes on: recent latencies and active faults.

func TestIntervalLatencyCoversOnlyTheLastInterval(t *testing.T) {
	start := time.Now()
	j, err := CreateJournal(t.TempDir(), RunInfo{Classes: []string{"a"}})
	require.NoError(t, err)
	rec := NewRecorder(j, RecorderConfig{Start: start, Width: time.Second, Windows: 2, Classes: []string{"a"},
		Intended: func(int, time.Duration, time.Duration) float64 { return 0 }, Grace: time.Second})
	for i := 0; i < 100; i++ {
		rec.Add(0, result(start, 200, 100*time.Millisecond), false)
	}
	first := rec.IntervalLatency()
	assert.Equal(t, int64(100), first.TotalCount())
	assert.InDelta(t, 100_000, first.ValueAtQuantile(95), 100, "µs")

	rec.Add(0, result(start, 200, 2*time.Millisecond), false)
	second := rec.IntervalLatency()
	assert.Equal(t, int64(1), second.TotalCount(), "the first interval's latencies are gone")
	assert.InDelta(t, 2000, second.ValueAtQuantile(95), 10)
	assert.Zero(t, rec.IntervalLatency().TotalCount())
	assert.Equal(t, int64(101), rec.Totals().Sent, "running totals are not reset")
	require.NoError(t, rec.Close(nil))
}

func TestActiveFaultsFollowTheJournal(t *testing.T) {
	j, err := CreateJournal(t.TempDir(), RunInfo{})
	require.NoError(t, err)
	at := time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)
	slow := FaultWindow{Name: "slow", Link: "portal->registry", Toxic: "latency", Start: time.Second, Scenario: at}
	cut := FaultWindow{Name: "cut", Link: "client->portal", Toxic: "down", Start: 2 * time.Second, Scenario: at.Add(time.Minute)}
	broken := FaultWindow{Name: "broken", Start: 3 * time.Second, Scenario: at, Error: "no such link"}

	tests := []struct {
		name   string
		append FaultWindow
		want   []string
	}{
		{"applied", slow, []string{"slow"}},
		{"a second one, in order of application", cut, []string{"slow", "cut"}},
		{"one that failed to apply is not active", broken, []string{"slow", "cut"}},
		{"removed", func() FaultWindow { f := slow; f.End = 4 * time.Second; return f }(), []string{"cut"}},
	}
	for _, tt := range tests {
		require.NoError(t, j.AppendFault(tt.append), tt.name)
		var names []string
		for _, f := range j.ActiveFaults() {
			names = append(names, f.Name)
		}
		assert.Equal(t, tt.want, names, tt.name)
	}
	require.NoError(t, j.Close(nil, 0))
}

func TestCurrentEnvironment(t *testing.T) {
	e := CurrentEnvironment()
	assert.Equal(t, runtime.GOOS, e.OS)
	assert.Equal(t, runtime.Version(), e.GoVersion)
	assert.Positive(t, e.CPUs)
	assert.NotEmpty(t, e.Command)
	if info, _ := debug.ReadBuildInfo(); info != nil && len(info.Deps) > 0 { // test binaries list none
		assert.Contains(t, e.Modules, "github.com/tsenart/vegeta/v12", "the generator's version is recorded")
	}
	if runtime.GOOS == "linux" {
		assert.NotEmpty(t, e.Kernel)
		assert.Greater(t, e.MemoryBytes, uint64(1<<20))
	}
}
