package load

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/scenarios"
)

// closedScenario is a closed entry of users walking a two-step journey (a, then b a
// think later) for wall seconds at compress 60, at scale 1.
func closedScenario(t testing.TB, users int, think string, wall int) *scenarios.Scenario {
	t.Helper()
	src := fmt.Sprintf(`name: t
clock: {start: 2025-07-01 08:00, end: +%dm, compress: 60}
load: {baseline: 1/s, users: 0, timeout: 2s}
journeys:
  - name: j
    steps:
      - {name: a, url: /a}
      - {name: b, url: /b}
mix: [{journey: j, concurrent_users: %d, think: %s}]
slos:
  window: 1m
  objectives: [{name: a, kind: availability, target: 99%%}]
`, wall, users, think)
	s, err := scenarios.Parse([]byte(src), "t.yaml")
	require.NoError(t, err)
	return s
}

// The plan of a closed entry: users × scale / compress users in the run; at instant
// answers a session is a walk's one think plus the last page read, so the journeys it
// may ask per second are users over that session, and the sessions in progress
// (Little's law) are the users.
func TestClosedPlanIsTheMostItsUsersAsk(t *testing.T) {
	s := closedScenario(t, 1200, `"30s scenario"`, 10) // 20 users in the run; cycle 60 s of scenario time
	plan, err := NewPlan(s)
	require.NoError(t, err)
	f := plan.Flows[0]
	assert.Equal(t, 20, f.Users)
	assert.InDelta(t, 1200.0/60, f.Curve.Base, 1e-9, "journeys per second in the world")
	assert.Equal(t, time.Minute, f.Session)
	mid := plan.Clock.Start.Add(5 * time.Minute)
	assert.InDelta(t, 1200, plan.Sessions(mid), 1, "every user is in a session")
	// The run: 10 s of wall time, a 1 s cycle on the wall: 20 users ask ≈ 200 journeys.
	assert.InDelta(t, 200, plan.Intended(f.Classes[0], 0, plan.Clock.WallDuration()), 1)
	assert.InDelta(t, 190, plan.Intended(f.Classes[1], 0, plan.Clock.WallDuration()), 1, "a b half a cycle after each a")
}

// Closed users walk again a think after their last answer: with instant answers they
// ask what the plan says, never more users in a walk than there are users; when every
// answer takes long, they ask less (a closed load slows with its system), and nothing
// is ever dropped.
func TestClosedUsersSlowWithTheSystem(t *testing.T) {
	if testing.Short() {
		t.Skip("sends load for seconds")
	}
	run := func(delay time.Duration) (journeys, dropped int64, peak int64, planned float64) {
		var most atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(delay)
			w.WriteHeader(http.StatusOK)
		}))
		defer srv.Close()
		s := closedScenario(t, 600, `200ms`, 4) // 10 users, a 400 ms cycle at instant answers
		plan, err := NewPlan(s)
		require.NoError(t, err)
		gauge := NewSessionGauge(time.Now())
		var n, drops atomic.Int64
		err = Attack(context.Background(), plan, Endpoints{Portal: srv.URL, Identity: srv.URL}, &Setup{},
			Options{Seed: 1, Timeout: 2 * time.Second, Sessions: gauge},
			SinkFuncs{
				OnSent: func(class int, res *vegeta.Result, _ time.Time) {
					if class == plan.Flows[0].Classes[0] {
						n.Add(1)
						for now := gauge.InFlight(); ; { // the most walks in progress at once
							old := most.Load()
							if now <= old || most.CompareAndSwap(old, now) {
								break
							}
						}
					}
				},
				OnDropped: func(int, time.Time) { drops.Add(1) },
			})
		require.NoError(t, err)
		return n.Load(), drops.Load(), most.Load(), plan.Intended(plan.Flows[0].Classes[0], 0, plan.Clock.WallDuration())
	}
	fast, dropped, peak, planned := run(0)
	assert.Zero(t, dropped)
	assert.LessOrEqual(t, peak, int64(10), "never more walks at once than users")
	assert.InDelta(t, planned, float64(fast), 0.25*planned, "instant answers: the users ask what the plan says (%.0f)", planned)
	slow, dropped, _, _ := run(200 * time.Millisecond) // each step 200 ms: the cycle is 800 ms
	assert.Zero(t, dropped)
	assert.Less(t, float64(slow), 0.75*float64(fast), "a slow system gets fewer journeys from the same users")
	assert.Greater(t, slow, int64(20), "but still some from every user")
	t.Logf("walks: %d with instant answers (planned %.0f), %d with 200 ms answers; none dropped", fast, planned, slow)
}

// Shards split a closed entry's users: together they play the single run's users, each
// in one shard only (and a user's walks are numbered from the user, so they make the
// single run's choices).
func TestShardsSplitClosedUsers(t *testing.T) {
	s := closedScenario(t, 600, `200ms`, 2)
	users := func(shards int) []int {
		var all []int
		for i := range shards {
			plan, err := NewPlan(s)
			require.NoError(t, err)
			require.NoError(t, plan.Shard(Shard{i, shards}))
			own := plan.Flows[0].ownUsers()
			assert.NotEmpty(t, own, "shard %d of %d", i, shards)
			all = append(all, own...)
		}
		slices.Sort(all)
		return all
	}
	single := users(1)
	require.Len(t, single, 10)
	assert.Equal(t, single, users(3))
	assert.Equal(t, single, users(10))
}
