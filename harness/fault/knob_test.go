package fault

import (
	"context"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/clock"
	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/scenarios"
)

// fakeKnobs is a board of knobs that records every setting it was given.
type fakeKnobs struct {
	mu       sync.Mutex
	settings map[string]map[string]any
	history  map[string][]map[string]any
}

func (k *fakeKnobs) Knob(_ context.Context, target string) (map[string]any, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := maps.Clone(k.settings[target])
	out["stats"] = map[string]any{"served": 3} // the admin API shows stats beside the settings
	return out, nil
}

func (k *fakeKnobs) SetKnob(_ context.Context, target string, s map[string]any) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.settings[target] = maps.Clone(s)
	k.history[target] = append(k.history[target], maps.Clone(s))
	return nil
}

func intp(n int) *int { return &n }

// A knob fault lays its fields over the knob for its window and puts the knob back as
// it found it; overlapping faults on one knob end in any order and the knob ends as it
// began, with what each still in force kept.
func TestKnobFaultsTurnAndRestoreTheKnob(t *testing.T) {
	base := time.Date(2025, 6, 30, 8, 0, 0, 0, time.UTC)
	c := clock.Clock{Start: base, End: base.Add(10 * time.Minute), Compress: 600} // 1 s wall
	rate := scenarios.Percent(0.5)
	capacity := scenarios.Fault{Name: "capacity", At: scenarios.At(base.Add(time.Minute)), For: scenarios.Span{D: 400 * time.Millisecond},
		Knob: "identity", Set: &scenarios.KnobSet{Capacity: intp(4), QueueLimit: intp(8)}}
	errorsToo := scenarios.Fault{Name: "errors", At: scenarios.At(base.Add(2 * time.Minute)), For: scenarios.Span{D: 100 * time.Millisecond},
		Knob: "identity", Set: &scenarios.KnobSet{ErrorRate: &rate}}
	other := scenarios.Fault{Name: "population", At: scenarios.At(base.Add(time.Minute)), For: scenarios.Span{D: 100 * time.Millisecond},
		Knob: "registry.population", Set: &scenarios.KnobSet{ErrorRate: &rate}}
	healthy := map[string]any{"capacity": 0.0, "queue_limit": 0.0, "error_rate": 0.0, "latency_median": "0s"}
	k := &fakeKnobs{settings: map[string]map[string]any{"identity": maps.Clone(healthy), "registry.population": maps.Clone(healthy)},
		history: map[string][]map[string]any{}}

	dir := t.TempDir()
	j, err := journal.Create(dir, journal.RunInfo{ID: "t", Window: time.Second, Windows: 1, Classes: []string{"c"}})
	require.NoError(t, err)
	s := &Schedule{Faults: []scenarios.Fault{capacity, errorsToo, other}, Clock: c, Knobs: k, Journal: j}
	start := time.Now()
	require.NoError(t, s.Run(context.Background(), start))
	now := time.Now()
	require.NoError(t, j.Close(&now, now, 0))

	with := func(fields map[string]any) map[string]any {
		out := maps.Clone(healthy)
		maps.Copy(out, fields)
		return out
	}
	assert.Equal(t, []map[string]any{
		with(map[string]any{"capacity": 4, "queue_limit": 8}),                    // capacity on
		with(map[string]any{"capacity": 4, "queue_limit": 8, "error_rate": 0.5}), // errors on top
		with(map[string]any{"capacity": 4, "queue_limit": 8}),                    // errors off, capacity kept
		healthy, // capacity off: as it began
	}, k.history["identity"])
	assert.Equal(t, healthy, k.settings["registry.population"], "the other knob restored too")
	assert.Len(t, k.history["registry.population"], 2)

	rec, err := journal.Read(dir)
	require.NoError(t, err)
	var found bool
	for _, f := range rec.Faults {
		if f.Name == "capacity" && f.End > 0 {
			found = true
			assert.Equal(t, "knob identity", f.Summary())
			assert.Equal(t, map[string]string{"capacity": "4", "queue_limit": "8"}, f.Params)
			assert.InDelta(t, 100*time.Millisecond, f.Start, float64(80*time.Millisecond), "applied on time")
		}
	}
	assert.True(t, found, "journalled with its end: %+v", rec.Faults)
}

// A runtime that cannot turn knobs refuses a knob fault before anything is applied.
func TestKnobFaultWithoutKnobsIsRefused(t *testing.T) {
	base := time.Date(2025, 6, 30, 8, 0, 0, 0, time.UTC)
	c := clock.Clock{Start: base, End: base.Add(10 * time.Minute), Compress: 600}
	f := scenarios.Fault{Name: "x", At: scenarios.At(base.Add(time.Minute)), For: scenarios.Span{D: time.Millisecond},
		Knob: "identity", Set: &scenarios.KnobSet{Capacity: intp(1)}}
	s := &Schedule{Faults: []scenarios.Fault{f}, Clock: c}
	err := s.Run(context.Background(), time.Now())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot turn knob identity")
}
