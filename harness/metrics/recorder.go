package metrics

import (
	"context"
	"errors"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/harness/clock"
)

// RecorderConfig says how a run is cut into windows.
type RecorderConfig struct {
	Start   time.Time     // wall time of offset 0
	Width   time.Duration // wall length of one window
	Windows int           // windows in the run
	Classes []string
	Clock   clock.Clock
	// Intended gives the arrivals class i's curve asks for in [from, to).
	Intended func(class int, from, to time.Duration) float64
	// Grace is how long after a window ends its responses may still arrive: the
	// request timeout plus slack. The window is written after that.
	Grace time.Duration
}

// WindowWriter is where the recorder puts windows once they are closed: the run's
// journal.
type WindowWriter interface {
	AppendWindows([]*Window) error
}

// Recorder sorts responses into windows by send time and writes each window out once
// no more responses can arrive for it. It is safe for concurrent use.
type Recorder struct {
	cfg RecorderConfig
	out WindowWriter

	mu      sync.Mutex
	open    map[int][]*Window
	next    int // windows below next are written
	orphans int64
	totals  Totals
	// interval holds the latencies since the last IntervalLatency call, for live progress.
	interval *hdrhistogram.Histogram
	err      error
}

// Totals are running counts over the whole run, for progress lines.
type Totals struct {
	Sent, Failed, Late int64
}

// NewRecorder records into out.
func NewRecorder(out WindowWriter, cfg RecorderConfig) *Recorder {
	return &Recorder{cfg: cfg, out: out, open: map[int][]*Window{}, interval: NewHistogram()}
}

// Add records one response of class i.
func (r *Recorder) Add(class int, res *vegeta.Result, late bool) {
	idx := int(res.Timestamp.Sub(r.cfg.Start) / r.cfg.Width)
	idx = min(max(idx, 0), r.cfg.Windows-1)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.totals.Sent++
	if late {
		r.totals.Late++
	}
	if Unanswered(res.Code) {
		r.totals.Failed++
	}
	_ = r.interval.RecordValue(micros(res.Latency)) // clamped, so never out of range
	if idx < r.next {
		r.orphans++
		return
	}
	r.window(idx)[class].add(res, late)
}

func (r *Recorder) window(idx int) []*Window {
	ws, ok := r.open[idx]
	if !ok {
		from := time.Duration(idx) * r.cfg.Width
		ws = make([]*Window, len(r.cfg.Classes))
		for i, c := range r.cfg.Classes {
			ws[i] = newWindow(idx, c, from, r.cfg.Clock.ToScenario(from))
			ws[i].Intended = r.cfg.Intended(i, from, from+r.cfg.Width)
		}
		r.open[idx] = ws
	}
	return ws
}

// Totals returns the running counts.
func (r *Recorder) Totals() Totals {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.totals
}

// IntervalLatency returns the latencies recorded since the previous call and starts a
// new interval (HdrHistogram's interval-histogram idiom): the recent percentiles a
// progress line shows without keeping any response.
func (r *Recorder) IntervalLatency() *hdrhistogram.Histogram {
	fresh := NewHistogram()
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.interval
	r.interval = fresh
	return h
}

// Flush writes every window that ended more than Grace before now.
func (r *Recorder) Flush(now time.Time) error {
	elapsed := now.Sub(r.cfg.Start) - r.cfg.Grace
	return r.flushBelow(min(int(elapsed/r.cfg.Width), r.cfg.Windows))
}

func (r *Recorder) flushBelow(limit int) error {
	r.mu.Lock()
	var batch []*Window
	for ; r.next < limit; r.next++ {
		batch = append(batch, r.window(r.next)...) // empty windows too: gaps must show
		delete(r.open, r.next)
	}
	r.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	return r.out.AppendWindows(batch)
}

// Run flushes on a ticker until ctx ends, keeping the first error for Close.
func (r *Recorder) Run(ctx context.Context) {
	t := time.NewTicker(max(r.cfg.Width/2, 100*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if err := r.Flush(now); err != nil {
				r.mu.Lock()
				r.err = errors.Join(r.err, err)
				r.mu.Unlock()
				return
			}
		}
	}
}

// Close writes every remaining window and returns how many responses came back after
// their window was written (orphans), with the first error of the whole recording.
// Call it once all responses are in.
func (r *Recorder) Close() (orphans int64, err error) {
	err = r.flushBelow(r.cfg.Windows)
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.orphans, errors.Join(r.err, err)
}
