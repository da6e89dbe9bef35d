package load

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/scenarios"
)

// The foundation's pacer test: 1,000 requests/s for 5 s against a local handler.
func TestAttackHoldsTheRateAndCountsLateSends(t *testing.T) {
	if testing.Short() {
		t.Skip("sends load for 5 s")
	}
	tests := []struct {
		name       string
		delay      time.Duration
		maxWorkers uint64
		late       func(t *testing.T, sent, late int64)
	}{
		{"fast handler: on time", 0, 1000, func(t *testing.T, sent, late int64) {
			// Few on a quiet machine; a loaded 2-core CI machine can delay a send scheduler-wise.
			assert.Less(t, float64(late), 0.15*float64(sent), "late sends on an idle target")
		}},
		// 5 workers × 20 ms can serve 250/s: the rest must wait and be counted late.
		{"saturated workers: late", 20 * time.Millisecond, 5, func(t *testing.T, sent, late int64) {
			assert.Greater(t, float64(late), 0.5*float64(sent))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var served atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				served.Add(1)
				time.Sleep(tt.delay)
				w.WriteHeader(http.StatusOK)
			}))
			defer srv.Close()

			s := parseScenario(t, "+5s", 1, "\n  baseline: 1000/s")
			plan, err := NewPlan(s)
			require.NoError(t, err)
			require.InDelta(t, 5000, plan.Total(), 1)
			var sent, late, ok atomic.Int64
			var last atomic.Int64
			start := time.Now()
			err = Attack(context.Background(), plan, Endpoints{Portal: srv.URL}, &Setup{}, Options{
				Seed: 1, Timeout: 5 * time.Second, MaxWorkers: tt.maxWorkers,
			}, lateSink(10*time.Millisecond, func(class int, res *vegeta.Result, isLate bool) {
				sent.Add(1)
				if isLate {
					late.Add(1)
				}
				if res.Code == http.StatusOK {
					ok.Add(1)
				}
				last.Store(int64(res.Timestamp.Sub(start)))
			}))
			require.NoError(t, err)
			t.Logf("sent %d, late %d, ok %d", sent.Load(), late.Load(), ok.Load())
			tt.late(t, sent.Load(), late.Load())
			if tt.delay == 0 {
				assert.InDelta(t, 5000, sent.Load(), 100, "achieved within 2 %% of 5,000")
				assert.Equal(t, sent.Load(), ok.Load())
				achieved := float64(sent.Load()) / time.Duration(last.Load()).Seconds()
				assert.InDelta(t, 1000, achieved, 20, "achieved rate within 2 %%")
			}
		})
	}
}

func TestRequestsAreReproducible(t *testing.T) {
	setup := &Setup{
		Users:      []User{{ID: "001095000001", Token: "t1", Dossier: "d1"}, {ID: "001095000002", Token: "t2", Dossier: "d2"}},
		Procedures: []string{"P1", "P2", "P3"},
	}
	ep := Endpoints{Portal: "http://portal", Identity: "http://identity"}
	for class, build := range requests {
		t.Run(class, func(t *testing.T) {
			a, b := &env{ep: ep, setup: setup, seed: 7}, &env{ep: ep, setup: setup, seed: 7}
			other := &env{ep: ep, setup: setup, seed: 8}
			differs := false
			for n := uint64(0); n < 50; n++ {
				var ta, tb, to vegeta.Target
				require.NoError(t, build(&ta, n, a))
				require.NoError(t, build(&tb, n, b))
				require.NoError(t, build(&to, n, other))
				assert.Equal(t, ta, tb, "same seed, same arrival, same request")
				_, err := ta.Request()
				require.NoError(t, err)
				differs = differs || !assert.ObjectsAreEqual(ta, to)
			}
			if class != "status" || len(setup.Users) > 1 {
				assert.True(t, differs, "another seed makes other choices")
			}
		})
	}
}

func TestEveryClassHasARequest(t *testing.T) {
	for _, c := range scenarios.Classes {
		assert.True(t, requests[c] != nil || trickles[c] != nil, c)
	}
	assert.Len(t, scenarios.Classes, len(requests)+len(trickles), "no request without a schema class")
}
