// Command generator drives thongsuot's load generator (harness/load: the pacer, the
// catalogue class's targeter, the attack and its HTTP client) against one URL, records
// every response as a run does (metrics.Recorder into a journal on disk, one-second
// windows), and prints what it achieved as one JSON line, for bench/run to compare with
// vegeta's CLI and wrk.
//
//	generator -url http://127.0.0.1:18080 -rate 10000 -duration 60s   # paced: pacing error
//	generator -url ... -rate 0 -workers 64 -duration 8s               # the maximum rate
//	generator -url ... -rate 0 -workers 64 -requests 10000000         # a bounded count
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/scenarios"
)

func main() {
	target := flag.String("url", "http://127.0.0.1:18080", "base URL to attack (loopback only)")
	rate := flag.Float64("rate", 1000, "requests per second; 0: as fast as -workers allow (vegeta's -rate=0)")
	duration := flag.Duration("duration", 10*time.Second, "how long (with -rate 0 and -requests, an upper bound)")
	requests := flag.Uint64("requests", 0, "with -rate 0: stop after this many requests (0: at -duration)")
	workers := flag.Uint64("workers", 64, "in-flight bound (vegeta's -max-workers)")
	lateAfter := flag.Duration("late-after", 10*time.Millisecond, "a send further behind its due time is late")
	out := flag.String("out", "", "run directory for the journal (default: a temporary one, removed)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile here")
	flag.Parse()
	if !strings.HasPrefix(*target, "http://127.0.0.1") && !strings.HasPrefix(*target, "http://[::1]") && !strings.HasPrefix(*target, "http://localhost") {
		log.Fatalf("-url %s: load goes to this machine only (127.0.0.1, [::1], localhost)", *target)
	}
	if *rate == 0 && *requests == 0 && *duration <= 0 {
		log.Fatal("-rate 0 needs -requests or -duration: every load is bounded")
	}

	// The scenario only names the class and the clock; with -rate 0 its curve is replaced
	// by an unpaced arrival process.
	asked := *rate
	if asked == 0 {
		asked = 1
	}
	src := fmt.Sprintf(`name: bench
clock: {start: 2025-07-01 08:00, end: "+%s", compress: 1}
load: {baseline: %v}
mix: [{class: catalogue, weight: 1}]
slos: {window: 1s, objectives: [{name: a, kind: availability, target: 99%%}]}
`, *duration, asked)
	s, err := scenarios.Parse([]byte(src), "bench")
	if err != nil {
		log.Fatal(err)
	}
	plan, err := load.NewPlan(s)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if *rate == 0 {
		n := *requests
		if n == 0 {
			n = math.MaxUint64
		}
		plan.Flows[0].Arrivals = unpaced{n: n}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}

	dir := *out
	if dir == "" {
		if dir, err = os.MkdirTemp("", "generator-"); err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(dir)
	}
	start := time.Now().Add(10 * time.Millisecond)
	wall := plan.Clock.WallDuration()
	windows := int(wall/time.Second) + 1
	jr, err := journal.Create(dir, journal.RunInfo{ID: "bench", Scenario: "bench", Runtime: "bench",
		Started: start, Window: time.Second, Windows: windows, Classes: plan.Classes})
	if err != nil {
		log.Fatal(err)
	}
	rec := metrics.NewRecorder(jr, metrics.RecorderConfig{Start: start, Width: time.Second, Windows: windows,
		Classes: plan.Classes, Clock: plan.Clock, LateAfter: *lateAfter, Grace: 15 * time.Second,
		Planned: plan.Intended})
	sink := counting{rec: rec, unpaced: *rate == 0, behind: hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3),
		start: start, perSecond: make([]atomic.Int64, windows+1)}

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	stopFlush := make(chan struct{})
	var flushed sync.WaitGroup
	flushed.Add(1)
	go func() { // windows go to disk as they close, as in a run
		defer flushed.Done()
		t := time.NewTicker(rec.FlushEvery())
		defer t.Stop()
		for {
			select {
			case now := <-t.C:
				if err := rec.Flush(now); err != nil {
					log.Fatal(err)
				}
			case <-stopFlush:
				return
			}
		}
	}()
	var peakRSS atomic.Int64 // sampled, for a curve of memory over a long run
	go func() {
		for range time.Tick(500 * time.Millisecond) {
			if v := rssKB("VmRSS:"); v > peakRSS.Load() {
				peakRSS.Store(v)
			}
		}
	}()

	err = load.Attack(ctx, plan, load.Endpoints{Portal: *target}, &load.Setup{},
		load.Options{Seed: 1, Timeout: 10 * time.Second, MaxWorkers: *workers, Start: start}, &sink)
	if err != nil && ctx.Err() == nil {
		log.Fatal(err)
	}
	stopped := time.Now()
	close(stopFlush)
	flushed.Wait()
	reopened, err := rec.Close(stopped)
	if err != nil {
		log.Fatal(err)
	}
	if err := jr.Close(&stopped, stopped, reopened); err != nil {
		log.Fatal(err)
	}
	// The load's peak, before reading the journal back: Read holds every window of the
	// run (a histogram each), which is the reader's cost, not the generator's.
	loadPeak := float64(max(rssKB("VmHWM:"), peakRSS.Load())) / 1024
	record, err := journal.Read(dir)
	if err != nil {
		log.Fatal(err)
	}
	all := metrics.Sum("all", record.Windows...)
	totals := rec.Totals()
	first, last := time.Unix(0, sink.first.Load()), time.Unix(0, sink.last.Load())
	span := last.Sub(first).Seconds()
	report := map[string]any{
		"tool": "thongsuot", "asked": *rate, "workers": *workers,
		"sent": totals.Sent, "failed": totals.Failed, "late": totals.Late, "dropped": totals.Dropped,
		"achieved":             float64(totals.Sent) / span,
		"p50_ms":               float64(all.Percentile(50).Microseconds()) / 1000,
		"p99_ms":               float64(all.Percentile(99).Microseconds()) / 1000,
		"journaled":            all.Sent,
		"peak_rss_mb":          loadPeak,
		"peak_rss_readback_mb": float64(rssKB("VmHWM:")) / 1024,
		"seconds":              span,
	}
	if *rate > 0 {
		// Pacing error: what went out over the schedule's span against what it asked.
		planned := plan.Flows[0].Arrivals.Total()
		report["planned"] = math.Round(planned)
		report["pacing_error_pct"] = 100 * (float64(totals.Sent) - planned) / planned
		report["late_pct"] = 100 * float64(totals.Late) / float64(max(totals.Sent, 1))
		report["achieved"] = float64(totals.Sent) / wall.Seconds()
		report["behind_p50_ms"] = float64(sink.behind.ValueAtQuantile(50)) / 1000
		report["behind_p99_ms"] = float64(sink.behind.ValueAtQuantile(99)) / 1000
		report["behind_max_ms"] = float64(sink.behind.Max()) / 1000
		// The worst second: sends by when they went out against the plan's arrivals due
		// in that second.
		report["worst_second_error_pct"] = sink.worstSecond(plan, wall)
	}
	json.NewEncoder(os.Stdout).Encode(report)
}

// counting records into the run's recorder and notes the first and last send.
type counting struct {
	rec         *metrics.Recorder
	unpaced     bool // no schedule: a request counts in the window it went out in
	first, last atomic.Int64
	mu          sync.Mutex
	behind      *hdrhistogram.Histogram // how far behind its due time each send went out, µs
	start       time.Time
	perSecond   []atomic.Int64 // sends by the second they went out in
}

// worstSecond is the largest error, in percent, of the sends that went out in one whole
// second of the schedule against the arrivals due in it.
func (c *counting) worstSecond(plan *load.Plan, wall time.Duration) float64 {
	worst := 0.0
	for i := 0; time.Duration(i+1)*time.Second <= wall && i < len(c.perSecond); i++ {
		due := plan.Flows[0].Arrivals.Count(time.Duration(i)*time.Second, time.Duration(i+1)*time.Second)
		if due == 0 {
			continue
		}
		worst = max(worst, 100*math.Abs(float64(c.perSecond[i].Load()-int64(due)))/float64(due))
	}
	return worst
}

func (c *counting) Sent(class int, res *vegeta.Result, due time.Time) {
	ts := res.Timestamp.UnixNano()
	c.first.CompareAndSwap(0, ts)
	if ts > c.last.Load() {
		c.last.Store(ts)
	}
	if c.unpaced {
		due = res.Timestamp
	} else {
		c.mu.Lock()
		_ = c.behind.RecordValue(max(res.Timestamp.Sub(due).Microseconds(), 0))
		c.mu.Unlock()
		if i := int(res.Timestamp.Sub(c.start) / time.Second); i >= 0 && i < len(c.perSecond) {
			c.perSecond[i].Add(1)
		}
	}
	c.rec.Sent(class, res, due)
}

func (c *counting) Dropped(class int, due time.Time) { c.rec.Dropped(class, due) }

// unpaced is an arrival process with no schedule: every arrival is due at once, so the
// attack sends as fast as its workers allow (vegeta's -rate=0), up to n arrivals.
type unpaced struct{ n uint64 }

func (u unpaced) Pace(_ time.Duration, hits uint64) (time.Duration, bool) { return 0, hits >= u.n }
func (u unpaced) Rate(time.Duration) float64                              { return math.Inf(1) }
func (u unpaced) Intended(k uint64) (time.Duration, bool)                 { return 0, k < u.n }
func (u unpaced) Hits(time.Duration) float64                              { return float64(u.n) }
func (u unpaced) Count(time.Duration, time.Duration) int                  { return 0 }
func (u unpaced) Total() float64                                          { return float64(u.n) }

// rssKB reads a line (VmRSS: now, VmHWM: the peak) of /proc/self/status, in KiB.
func rssKB(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			v, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return v
		}
	}
	return 0
}
