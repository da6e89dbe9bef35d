package load

import (
	"context"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/scenarios"
)

// bucket is one scenario hour of a run: arrivals the plan asked for, sent and dropped.
type bucket struct {
	start              time.Time
	intended, achieved float64
	dropped            int
}

func (b bucket) relErr() float64 { return math.Abs(b.achieved-b.intended) / b.intended }

// measureArrivals runs a scenario's flows against a fake portal and counts, per
// scenario hour, the arrivals sent (a journey's first step, a single request) against
// the arrivals planned. byDue places an arrival in the hour it was due — the plan's count
// is then exact — else in the hour it was sent, where the pacer's timing shows.
func measureArrivals(t *testing.T, s *scenarios.Scenario, byDue bool) []bucket {
	t.Helper()
	plan, err := NewPlan(s)
	require.NoError(t, err)
	width := plan.Clock.WallSpan(time.Hour)
	n := int((plan.Clock.WallDuration() + width - 1) / width)
	first := map[int]int{} // class index → flow, for each flow's first class
	for i, f := range plan.Flows {
		first[f.Classes[0]] = i
	}
	achieved, dropped := make([]float64, n), make([]int, n)
	var mu sync.Mutex
	portal := newFakePortal(t)
	began := time.Now()
	hour := func(at time.Time) int { return min(max(int(at.Sub(began)/width), 0), n-1) }
	err = Attack(context.Background(), plan, Endpoints{Portal: portal.URL, Identity: portal.URL}, testSetup(),
		Options{Seed: 1, Timeout: 5 * time.Second, MaxWorkers: 10_000, Start: began},
		SinkFuncs{OnSent: func(class int, res *vegeta.Result, due time.Time) {
			if _, ok := first[class]; !ok {
				return
			}
			k := hour(res.Timestamp)
			if byDue {
				k = hour(due)
			}
			mu.Lock()
			achieved[k]++
			mu.Unlock()
		}, OnDropped: func(class int, due time.Time) {
			mu.Lock()
			dropped[hour(due)]++
			mu.Unlock()
		}})
	require.NoError(t, err)
	buckets := make([]bucket, n)
	for k := range buckets {
		from, to := time.Duration(k)*width, time.Duration(k+1)*width
		for _, f := range plan.Flows {
			if byDue {
				buckets[k].intended += float64(f.Arrivals.Count(from, to))
			} else {
				buckets[k].intended += f.Arrivals.Hits(to) - f.Arrivals.Hits(from)
			}
		}
		buckets[k].achieved, buckets[k].dropped = achieved[k], dropped[k]
		buckets[k].start = plan.Clock.ToScenario(from)
	}
	return buckets
}

// checkBuckets: an hour with at least dense arrivals is within 2 %; any hour is within
// 2 % or one arrival per flow (an arrival is whole; the plan's count is not).
func checkBuckets(t *testing.T, buckets []bucket, flows int, dense float64) {
	t.Helper()
	judged := 0
	for _, b := range buckets {
		diff := math.Abs(b.achieved - b.intended)
		if b.intended >= dense {
			judged++
			assert.LessOrEqual(t, b.relErr(), 0.02, "hour %s: %.0f sent of %.1f planned", b.start.Format("01-02 15:04"), b.achieved, b.intended)
		}
		assert.LessOrEqual(t, diff, max(0.02*b.intended, float64(flows)), "hour %s: %.0f sent of %.1f planned", b.start.Format("01-02 15:04"), b.achieved, b.intended)
	}
	assert.Positive(t, judged, "some hours must be dense enough to judge")
}

// accuracyTable is the bench's summary, in markdown.
func accuracyTable(buckets []bucket, dense float64) string {
	var errs []float64
	total, sent, within := 0.0, 0.0, 0
	for _, b := range buckets {
		total += b.intended
		sent += b.achieved
		if b.intended >= dense {
			errs = append(errs, b.relErr())
			if b.relErr() <= 0.02 {
				within++
			}
		}
	}
	sort.Float64s(errs)
	q := func(p float64) float64 {
		if len(errs) == 0 {
			return 0
		}
		return 100 * errs[min(len(errs)-1, int(p*float64(len(errs))))]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| scenario hours | arrivals planned | sent | hours with ≥ %.0f planned | of those within 2 %% | median error | p99 error | max error |\n", dense)
	fmt.Fprintf(&b, "|---|---|---|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| %d | %.0f | %.0f | %d | %d | %.2f %% | %.2f %% | %.2f %% |\n", len(buckets), total, sent, len(errs), within, q(0.5), q(0.99), q(1))
	return b.String()
}

// The CI check: 60 s of the july1-surge profile (30 June 00:00 → 2 July 12:00, the
// VNeID overload and the launch), compressed 3600×, at scale 1. Every arrival the plan
// has in an hour is sent or dropped, and counted in that hour: exactly, however busy the
// machine (when the sends went out is the bench's to measure, below).
func TestArrivalAccuracySlice(t *testing.T) {
	if testing.Short() {
		t.Skip("sends load for 60 s")
	}
	s, err := scenarios.Open("july1-surge")
	require.NoError(t, err)
	s.Clock.Start = scenarios.At(time.Date(2025, 6, 30, 0, 0, 0, 0, ict))
	s.Clock.End = scenarios.At(time.Date(2025, 7, 2, 12, 0, 0, 0, ict))
	s.Load.Scale = 1
	buckets := measureArrivals(t, s, true)
	require.Len(t, buckets, 60)
	t.Logf("\n%s", accuracyTable(buckets, 100))
	planned, dropped := 0.0, 0
	for _, b := range buckets {
		assert.Equal(t, b.intended, b.achieved+float64(b.dropped), "hour %s: every arrival due was sent or dropped", b.start.Format("01-02 15:04"))
		planned += b.intended
		dropped += b.dropped
	}
	assert.Greater(t, planned, 5_000.0)
	assert.LessOrEqual(t, float64(dropped), 0.01*planned, "next to nothing dropped against an idle portal")
}

// The bench: the whole 23¼-day profile at its default 3600× (9.3 minutes), at the
// scale in THONGSUOT_ACCURACY_SCALE. Run by bench/accuracy.
func TestArrivalAccuracyFullProfile(t *testing.T) {
	scale := os.Getenv("THONGSUOT_ACCURACY_SCALE")
	if scale == "" {
		t.Skip("the bench: set THONGSUOT_ACCURACY_SCALE (bench/accuracy does)")
	}
	s, err := scenarios.Open("july1-surge")
	require.NoError(t, err)
	s.Load.Scale, err = strconv.ParseFloat(scale, 64)
	require.NoError(t, err)
	buckets := measureArrivals(t, s, false)
	table := accuracyTable(buckets, 100)
	fmt.Printf("scale %s, compress %g, %s of wall time\n\n%s", scale, s.Clock.Compress, s.WallDuration(), table)
	checkBuckets(t, buckets, len(s.Mix), 100)
}
