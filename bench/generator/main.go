// Command generator drives thongsuot's load generator (harness/load: the curve pacer on
// vegeta's attacker) at a constant rate against one URL and prints what it achieved as
// JSON, for bench/run to compare with vegeta's CLI and wrk.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/scenarios"
)

func main() {
	target := flag.String("url", "http://127.0.0.1:18080", "base URL to attack")
	rate := flag.Float64("rate", 1000, "requests per second")
	duration := flag.Duration("duration", 10*time.Second, "how long")
	workers := flag.Uint64("max-workers", 1000, "in-flight bound")
	flag.Parse()

	src := fmt.Sprintf(`name: bench
clock: {start: 2025-07-01 08:00, end: "+%s", compress: 1}
load: {baseline: %v}
mix: [{class: catalogue, weight: 1}]
slos: {window: 1s, objectives: [{name: a, kind: availability, target: 99%%}]}
`, *duration, *rate)
	s, err := scenarios.Parse([]byte(src), "bench")
	if err != nil {
		log.Fatal(err)
	}
	plan, err := load.NewPlan(s)
	if err != nil {
		log.Fatal(err)
	}
	var (
		mu       sync.Mutex
		sent, ok int64
		late     int64
		first    time.Time
		last     time.Time
	)
	hist := hdrhistogram.New(1, int64(time.Minute/time.Microsecond), 3)
	err = load.Attack(context.Background(), plan, load.Endpoints{Portal: *target}, &load.Setup{},
		load.Options{Seed: 1, Timeout: 10 * time.Second, MaxWorkers: *workers},
		load.SinkFuncs{OnSent: func(_ int, res *vegeta.Result, due time.Time) {
			isLate := metrics.IsLate(res.Timestamp, due, 10*time.Millisecond)
			mu.Lock()
			defer mu.Unlock()
			if sent == 0 {
				first = res.Timestamp
			}
			sent++
			if res.Code == 200 {
				ok++
			}
			if isLate {
				late++
			}
			last = res.Timestamp
			_ = hist.RecordValue(res.Latency.Microseconds())
		}})
	if err != nil {
		log.Fatal(err)
	}
	span := last.Sub(first).Seconds()
	json.NewEncoder(os.Stdout).Encode(map[string]any{
		"tool": "thongsuot", "asked": *rate, "sent": sent, "ok": ok, "late": late,
		"achieved": float64(sent) / span,
		"p50_ms":   float64(hist.ValueAtQuantile(50)) / 1000,
		"p99_ms":   float64(hist.ValueAtQuantile(99)) / 1000,
	})
}
