package load

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/scenarios"
)

func TestParseShard(t *testing.T) {
	tests := []struct {
		in   string
		want Shard
		err  string
	}{
		{"0/1", Shard{0, 1}, ""},
		{"2/3", Shard{2, 3}, ""},
		{"3/3", Shard{}, "want 0 ≤ i < n"},
		{"-1/3", Shard{}, "want 0 ≤ i < n"},
		{"1/0", Shard{}, "want 0 ≤ i < n"},
		{"1/3x", Shard{}, "want i/n"},
		{"1", Shard{}, "want i/n"},
		{"", Shard{}, "want i/n"},
		{"1/1001", Shard{}, "want 0 ≤ i < n ≤ 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseShard(tt.in)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// shardScenario ramps up and spikes, with a single class and a journey: the curve's
// shape, not a flat rate, is what the shards must split exactly.
func shardScenario(t *testing.T) *scenarios.Scenario {
	t.Helper()
	s := parseScenario(t, "+30m", 60, `
  baseline: 37/s
  events:
    - ramp: {from: +0m, to: +10m, from_factor: 0.1, to_factor: 1}
    - step: {at: +20m, until: +25m, factor: 3}`)
	s.Mix = append(s.Mix, scenarios.Class{Journey: "citizen-dossier", Weight: 1, MixOptions: scenarios.MixOptions{Think: scenarios.Span{D: 300 * time.Millisecond}}})
	return s
}

// The shards' arrivals together are the whole plan's, each once and due when the whole
// has it due; their planned counts add up to the whole's in every window: exactly for
// arrivals, to the expectation for a journey's later steps.
func TestShardsTogetherAreTheWholePlan(t *testing.T) {
	s := shardScenario(t)
	whole, err := NewPlan(s)
	require.NoError(t, err)
	wall := whole.Clock.WallDuration()
	for _, n := range []int{1, 2, 3, 7} {
		plans := make([]*Plan, n)
		for i := range plans {
			plans[i], err = NewPlan(s)
			require.NoError(t, err)
			require.NoError(t, plans[i].Shard(Shard{i, n}))
		}
		for fi, f := range whole.Flows {
			var count int
			for i, p := range plans {
				sf := p.Flows[fi]
				for k := uint64(0); ; k++ {
					due, ok := sf.Arrivals.Intended(k)
					if !ok {
						break
					}
					g := sf.arrival(k)
					assert.Equal(t, uint64(i), g%uint64(n), "shard %d/%d sends only its own arrivals", i, n)
					wholeDue, ok := f.Arrivals.Intended(g)
					require.True(t, ok, "arrival %d of the whole exists", g)
					require.Equal(t, wholeDue, due, "arrival %d due when the whole has it", g)
					count++
				}
				assert.InDelta(t, float64(sf.Arrivals.Count(0, wall)), sf.Arrivals.Total(), 0.5+1e-9, "a shard's total is its count, ±½")
			}
			assert.Equal(t, f.Arrivals.Count(0, wall), count, "%s in %d shards: every arrival once", f.Name, n)
		}
		for c := range whole.Classes {
			for from := time.Duration(0); from < wall; from += time.Second {
				sum := 0.0
				for _, p := range plans {
					sum += p.Intended(c, from, from+time.Second)
				}
				want := whole.Intended(c, from, from+time.Second)
				if c == 0 || c == 1 { // arrivals: exact
					require.Equal(t, want, sum, "class %s at %s in %d shards", whole.Classes[c], from, n)
				} else {
					require.InDelta(t, want, sum, 1e-6, "class %s at %s in %d shards", whole.Classes[c], from, n)
				}
			}
		}
	}
}

func TestAReplayIsNotSharded(t *testing.T) {
	p := &Plan{Flows: []*Flow{{Replay: &Replay{}}}}
	assert.ErrorContains(t, p.Shard(Shard{0, 2}), "split the log")
	assert.NoError(t, p.Shard(Shard{0, 1}), "one shard is the whole run")
}

// Three shards sending at once make exactly the requests the single run makes: the same
// URLs (search terms, units), the same users and idempotency keys, each once.
func TestShardsSendTheSingleRunsRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("sends load for seconds")
	}
	s := parseScenario(t, "+2m", 60, "\n  baseline: 60/s\n  users: 4")
	s.Mix = []scenarios.Class{{Class: "catalogue", Weight: 2}, {Class: "submit", Weight: 1}}
	setup := testSetup()
	for i := range 4 {
		setup.Users = append(setup.Users, User{ID: "00109500001" + string(rune('0'+i)), Token: "t", Dossier: "d"})
	}
	record := func(shards int) []string {
		var mu sync.Mutex
		var seen []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen = append(seen, r.Method+" "+r.URL.String()+" "+r.Header.Get("Idempotency-Key")+" "+r.Header.Get("Authorization"))
			mu.Unlock()
			w.WriteHeader(http.StatusOK)
		}))
		defer srv.Close()
		var wg sync.WaitGroup
		for i := range shards {
			plan, err := NewPlan(s)
			require.NoError(t, err)
			require.NoError(t, plan.Shard(Shard{i, shards}))
			wg.Go(func() {
				err := Attack(context.Background(), plan, Endpoints{Portal: srv.URL, Identity: srv.URL}, setup,
					Options{Seed: 7, Timeout: 5 * time.Second, MaxWorkers: 100}, SinkFuncs{OnSent: func(int, *vegeta.Result, time.Time) {}})
				assert.NoError(t, err)
			})
		}
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		slices.Sort(seen)
		return seen
	}
	single := record(1)
	require.NotEmpty(t, single)
	assert.Equal(t, single, record(3), "three shards, the single run's requests")
}

// ParseShard never panics; what it accepts is a shard of a run, written back as read.
func FuzzParseShard(f *testing.F) {
	for _, s := range []string{"0/1", "2/3", "3/3", "-1/2", "1/", "/1", "9999999999999999999/1", "1/3x", " 1/3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sh, err := ParseShard(s)
		if err != nil {
			return
		}
		if sh.Index < 0 || sh.Index >= sh.Count || sh.Count > MaxShards {
			t.Fatalf("%q accepted as %v", s, sh)
		}
		again, err := ParseShard(sh.String())
		if err != nil || again != sh {
			t.Fatalf("%q: %v does not read back: %v %v", s, sh, again, err)
		}
	})
}
