// Package health measures the harness's own health while a run goes on, window by
// window: how late the Go scheduler wakes a probe goroutine (whether the generator — and
// in the embedded runtime the system it drives — gets the CPU when it needs it), the
// late sends, this process's CPU, the host's CPU and run queue, and GC pauses. It only
// measures; the verdict (harness/slo) decides from these figures which windows the
// harness was too starved to judge.
package health

import (
	"context"
	"math"
	"runtime/metrics"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Window is the harness's health over one window of the run.
type Window struct {
	Index int `json:"index"`
	// LagP99 and LagMax are how late the probe woke, 99th percentile and worst: the
	// delay any goroutine of this process had before it could run.
	LagP99 time.Duration `json:"lag_p99"`
	LagMax time.Duration `json:"lag_max"`
	// ProcessCPU is the CPU this process used, in cores (1.5 = one and a half cores).
	ProcessCPU float64 `json:"process_cpu"`
	// Starved is the share of the time this process's runnable threads spent waiting
	// for a CPU rather than running (0–1): how much the host kept it from working.
	Starved float64 `json:"starved"`
	// HostBusy is the share of the host's CPU time that was busy (0–1), steal included.
	HostBusy float64 `json:"host_busy"`
	// Runnable is the mean number of runnable tasks on the host; above Cores, tasks wait.
	Runnable float64 `json:"runnable"`
	// Load1 is the host's one-minute load average at the window's end.
	Load1 float64 `json:"load1"`
	Cores int     `json:"cores"`
	// GCPause is the stop-the-world time of the garbage collector in the window.
	GCPause time.Duration `json:"gc_pause"`
	// OpenFiles is the most file descriptors this process held open at once in the
	// window, and FileLimit the most it may (0: unknown). In the embedded runtime the
	// stubs and the proxies share the harness's: at the limit, connections are neither
	// made nor accepted, and what fails then is the harness's doing.
	OpenFiles int `json:"open_files,omitempty"`
	FileLimit int `json:"file_limit,omitempty"`
}

// Writer is where the monitor puts each window's health once it is over: the journal.
type Writer interface {
	AppendHealth(Window) error
}

// How often the probe wakes and the host is sampled. The probe's 5 ms sleep is well
// under any latency objective and costs next to nothing.
const (
	probeEvery  = 5 * time.Millisecond
	sampleEvery = 100 * time.Millisecond
)

// Monitor measures health in windows of width from start.
type Monitor struct {
	start  time.Time
	width  time.Duration
	out    Writer
	reader hostReader

	mu      sync.Mutex
	last    *Window                 // the last window closed
	lag     *hdrhistogram.Histogram // µs, the current window's probe lateness
	index   int                     // the window being measured
	samples []hostSample            // host samples of the current window
	gcPrev  float64                 // GC pause seconds at the start of the window
	err     error

	fileLimit int
}

// NewMonitor measures windows of width from start and writes each to out.
func NewMonitor(start time.Time, width time.Duration, out Writer) *Monitor {
	return &Monitor{start: start, width: width, out: out, reader: procReader{}, fileLimit: fileLimit(),
		lag: hdrhistogram.New(1, int64(time.Minute/time.Microsecond), 2)}
}

// Run measures until ctx ends, writing each window as it closes and the last, partial
// one at the end. It returns the first error writing a window.
func (m *Monitor) Run(ctx context.Context) error {
	m.gcPrev = gcPauseSeconds()
	if s, err := m.reader.read(); err == nil {
		m.samples = append(m.samples, s)
	}
	done := make(chan struct{})
	go func() { // the probe: a goroutine that only sleeps, and notes how late it woke
		defer close(done)
		for ctx.Err() == nil {
			asked := time.Now()
			time.Sleep(probeEvery)
			late := time.Since(asked) - probeEvery
			m.mu.Lock()
			_ = m.lag.RecordValue(max(late.Microseconds(), 1))
			m.mu.Unlock()
		}
	}()
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			<-done
			m.close()
			return m.err
		case now := <-t.C:
			if s, err := m.reader.read(); err == nil {
				m.mu.Lock()
				m.samples = append(m.samples, s)
				m.mu.Unlock()
			}
			for now.Sub(m.start) >= time.Duration(m.index+1)*m.width {
				m.close()
			}
		}
	}
}

// close ends the current window: it is summed up, written, and the next one begins.
func (m *Monitor) close() {
	m.mu.Lock()
	w := Window{Index: m.index, Cores: numCPU(), FileLimit: m.fileLimit}
	for _, s := range m.samples {
		w.OpenFiles = max(w.OpenFiles, s.openFiles)
	}
	if m.lag.TotalCount() > 0 {
		w.LagP99 = time.Duration(m.lag.ValueAtQuantile(99)) * time.Microsecond
		w.LagMax = time.Duration(m.lag.Max()) * time.Microsecond
	} else {
		// The probe never woke in the whole window: the process was frozen or starved
		// past it. Say so rather than report no lag.
		w.LagP99, w.LagMax = m.width, m.width
	}
	m.lag.Reset()
	if n := len(m.samples); n >= 2 {
		first, last := m.samples[0], m.samples[n-1]
		w.ProcessCPU, w.Starved, w.HostBusy = last.usage(first)
		w.Load1 = last.load1
		sum := 0.0
		for _, s := range m.samples[1:] {
			sum += s.runnable
		}
		w.Runnable = sum / float64(n-1)
		m.samples = m.samples[n-1:] // the last sample starts the next window
	}
	gc := gcPauseSeconds()
	w.GCPause = time.Duration((gc - m.gcPrev) * float64(time.Second))
	m.gcPrev = gc
	m.index++
	m.last = &w
	m.mu.Unlock()
	if err := m.out.AppendHealth(w); err != nil && m.err == nil {
		m.err = err
	}
}

// Last is the health of the last window closed, or nil before the first closes: what a
// progress line shows.
func (m *Monitor) Last() *Window {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.last
}

// gcPauseSeconds is the total stop-the-world pause time of the process so far.
func gcPauseSeconds() float64 {
	s := []metrics.Sample{{Name: "/sched/pauses/total/gc:seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64Histogram {
		return 0
	}
	h := s[0].Value.Float64Histogram()
	total := 0.0
	for i, c := range h.Counts {
		if c == 0 {
			continue
		}
		lo, hi := h.Buckets[i], h.Buckets[i+1]
		switch { // the open-ended buckets count at their finite bound
		case math.IsInf(lo, -1):
			lo = hi
		case math.IsInf(hi, 1):
			hi = lo
		}
		total += float64(c) * (lo + hi) / 2
	}
	return total
}
