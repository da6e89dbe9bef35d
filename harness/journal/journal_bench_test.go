package journal

import (
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/harness/metrics"
)

// BenchmarkAppendWindows is what the journal writer costs per flush of a run with four
// classes, each window holding 1,000 answered requests: encode the histograms, write
// one line per window, fsync (on the test's temporary directory's disk).
//
//	go test ./harness/journal -run '^$' -bench AppendWindows -benchmem
func BenchmarkAppendWindows(b *testing.B) {
	classes := []string{"catalogue", "status", "submit", "login"}
	start := time.Now()
	j, err := Create(b.TempDir(), RunInfo{ID: "bench", Classes: classes, Started: start, Window: time.Second, Windows: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close(nil, start, 0)
	var batch []*metrics.Window
	keep := &batchOf{}
	rec := metrics.NewRecorder(keep, metrics.RecorderConfig{Start: start, Width: time.Second, Windows: 2, Classes: classes,
		Planned: func(int, time.Duration, time.Duration) float64 { return 1000 }, Grace: time.Second})
	for i := range 1000 {
		for c := range classes {
			rec.Sent(c, &vegeta.Result{Timestamp: start, Code: 200, Latency: time.Duration(1+i%200) * time.Millisecond}, start)
		}
	}
	if _, err := rec.Close(start.Add(time.Second)); err != nil {
		b.Fatal(err)
	}
	batch = keep.ws
	b.ReportAllocs()
	for b.Loop() {
		if err := j.AppendWindows(batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(batch)), "windows/op")
}

type batchOf struct{ ws []*metrics.Window }

func (o *batchOf) AppendWindows(ws []*metrics.Window) error { o.ws = append(o.ws, ws...); return nil }
