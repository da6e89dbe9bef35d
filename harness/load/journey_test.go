package load

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/scenarios"
)

// Every built-in journey of the schema compiles into steps this build walks.
func TestJourneysMatchTheSchema(t *testing.T) {
	require.NotEmpty(t, scenarios.Journeys)
	for _, sj := range scenarios.Journeys {
		j, err := newJourney(&scenarios.Scenario{}, sj.Name)
		require.NoError(t, err, sj.Name)
		assert.Len(t, j.index, len(sj.Steps), "%s: step names are distinct", sj.Name)
		assert.Len(t, j.script.prog.Steps, len(sj.Steps), sj.Name)
	}
	_, err := newJourney(&scenarios.Scenario{}, "no-such-journey")
	assert.ErrorContains(t, err, `no journey "no-such-journey"`)
}

// Each journey, walked against a fake portal at 20 arrivals/s for 2 s: every step is
// sent as its own class, as often as the plan says, within its think times, and each
// user's requests go through the URL of their unit's tier.
func TestJourneysWalkTheirSteps(t *testing.T) {
	if testing.Short() {
		t.Skip("sends load for seconds")
	}
	for _, sj := range scenarios.Journeys {
		// One at a time: five journeys in parallel on two cores make each other late.
		t.Run(sj.Name, func(t *testing.T) {
			portal, remote := newFakePortal(t), newFakePortal(t)
			s := parseScenario(t, "+2m", 60, "\n  baseline: 20/s")
			s.Mix = []scenarios.Class{{Journey: sj.Name, Weight: 1, MixOptions: scenarios.MixOptions{Think: scenarios.Span{D: 100 * time.Millisecond}}}}
			plan, err := NewPlan(s)
			require.NoError(t, err)
			var mu sync.Mutex
			sent := map[string]int{}
			late := 0
			err = Attack(context.Background(), plan, Endpoints{Portal: portal.URL, Identity: portal.URL, Tiers: map[string]string{"remote": remote.URL}},
				testSetup(), Options{Seed: 1, Timeout: 5 * time.Second, MaxWorkers: 100},
				lateSink(20*time.Millisecond, func(class int, res *vegeta.Result, isLate bool) {
					mu.Lock()
					defer mu.Unlock()
					assert.Equal(t, plan.Classes[class], res.Attack)
					assert.Less(t, res.Code, uint16(300), "%s %s", res.Method, res.URL)
					sent[plan.Classes[class]]++
					if isLate {
						late++
					}
				}))
			require.NoError(t, err)
			wall := plan.Clock.WallDuration()
			for i, c := range plan.Classes {
				want := plan.Intended(i, 0, wall)
				if sj.Name == "citizen-dossier" && c == sj.Name+".pay" {
					assert.InDelta(t, want, sent[c], 0.5*want, c) // 40 % of too few journeys to say more
					continue
				}
				assert.InDelta(t, want, sent[c], 0.1*want+2, c)
			}
			// An idle target keeps nearly every send on time; a busy host makes some late,
			// so the bound is well under the half that would mark the harness saturated.
			total := 0
			for _, n := range sent {
				total += n
			}
			assert.Less(t, late, 2+total/5, "an idle target: most sends on time")
			assert.Positive(t, remote.total(), "users of remote units go through the remote tier's URL")
			assert.Greater(t, portal.total(), 3*remote.total(), "most users are not remote")
			assert.Positive(t, portal.count(http.MethodPost+" /oauth2/token"), "logins go to identity")
		})
	}
}

// An arrival that finds every worker busy waits, and its send is counted late; the
// arrivals the run could not start before its end are missing, not hidden.
func TestJourneysCountLateArrivals(t *testing.T) {
	if testing.Short() {
		t.Skip("sends load for seconds")
	}
	slow := newFakePortal(t)
	h := slow.Config.Handler
	slow.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
		h.ServeHTTP(w, r)
	})
	s := parseScenario(t, "+2m", 60, "\n  baseline: 50/s")
	s.Mix = []scenarios.Class{{Journey: "citizen-lookup", Weight: 1, MixOptions: scenarios.MixOptions{Think: scenarios.Span{D: 10 * time.Millisecond}}}}
	plan, err := NewPlan(s)
	require.NoError(t, err)
	var mu sync.Mutex
	var logins, late int
	err = Attack(context.Background(), plan, Endpoints{Portal: slow.URL, Identity: slow.URL}, testSetup(),
		Options{Seed: 1, Timeout: 5 * time.Second, MaxWorkers: 2},
		lateSink(10*time.Millisecond, func(class int, res *vegeta.Result, isLate bool) {
			mu.Lock()
			defer mu.Unlock()
			if class == 0 {
				logins++
				if isLate {
					late++
				}
			}
		}))
	require.NoError(t, err)
	// 2 workers × ~4 steps of 60 ms serve about 8 journeys/s of the 50/s asked.
	assert.Less(t, float64(logins), 0.5*plan.Intended(0, 0, plan.Clock.WallDuration()), "the rest were never started")
	assert.Greater(t, late, logins/2, "journeys that waited for a worker are late")
}

func TestJourneyStopsWhenTheRunIsStopped(t *testing.T) {
	portal := newFakePortal(t)
	s := parseScenario(t, "+10m", 60, "\n  baseline: 20/s")
	s.Mix = []scenarios.Class{{Journey: "citizen-dossier", Weight: 1, MixOptions: scenarios.MixOptions{Think: scenarios.Span{D: 50 * time.Millisecond}}}}
	plan, err := NewPlan(s)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	began := time.Now()
	err = Attack(ctx, plan, Endpoints{Portal: portal.URL, Identity: portal.URL}, testSetup(), Options{Timeout: time.Second, MaxWorkers: 10},
		lateSink(10*time.Millisecond, func(int, *vegeta.Result, bool) {}))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(began), 2*time.Second, "in-flight journeys end at their next think")
}
