package metrics

import (
	"maps"
	"slices"
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
	// Planned gives what the plan asks of class i in the wall span [from, to).
	Planned func(class int, from, to time.Duration) float64
	// LateAfter: a send further than this behind its due time is late.
	LateAfter time.Duration
	// Grace is how long after a window ends its responses may still arrive: the
	// request timeout plus slack. A window is written as soon as it ends, so that a run
	// killed then loses at most the flush interval; what comes for it afterwards is
	// written at the next flush as an addition the journal's reader merges. Additions
	// answered later than Grace after the window's end count as reopened.
	Grace time.Duration
	// TierOf names the link tier a request went over ("" for none): its bytes count
	// for that tier too (Window.TierBytes). nil: no tier is told apart.
	TierOf func(res *vegeta.Result) string
	// ProvinceOf names the province of the unit whose user sent a request ("" for
	// none): its bytes count for that province too (Window.ProvinceBytes).
	ProvinceOf func(res *vegeta.Result) string
}

// WindowWriter is where the recorder puts windows once they are closed: the run's
// journal.
type WindowWriter interface {
	AppendWindows([]*Window) error
}

// ProvinceWindowWriter is a WindowWriter that also keeps the provinces' windows (the
// journal does); a recorder writing elsewhere does not count them.
type ProvinceWindowWriter interface {
	AppendProvinceWindows([]*ProvinceWindow) error
}

// Recorder sorts requests into windows by the time they fell due and writes each window
// out as soon as it ends, then what still comes for it as additions. It is safe for
// concurrent use.
type Recorder struct {
	cfg RecorderConfig
	out WindowWriter

	mu   sync.Mutex
	open map[int][]*Window
	next int // windows below next are written
	// after holds what came for windows already written, until the next flush.
	after map[int][]*Window
	// openProvinces and afterProvinces are the same for the provinces' windows, by
	// index and province code: at most 34 per window, whatever the classes.
	openProvinces, afterProvinces map[int]map[string]*ProvinceWindow
	reopened                      map[int]bool // windows that got an answer later than Grace after their end
	reopens                       int64
	totals                        Totals
	// interval holds the latencies since the last IntervalLatency call, for live progress.
	interval *hdrhistogram.Histogram
}

// Totals are running counts over the whole run, for progress lines.
type Totals struct {
	Sent, Failed, Late, Dropped int64
}

// NewRecorder records into out.
func NewRecorder(out WindowWriter, cfg RecorderConfig) *Recorder {
	return &Recorder{cfg: cfg, out: out, open: map[int][]*Window{}, after: map[int][]*Window{}, reopened: map[int]bool{},
		openProvinces: map[int]map[string]*ProvinceWindow{}, afterProvinces: map[int]map[string]*ProvinceWindow{},
		interval: NewHistogram()}
}

// IsLate says whether a send at sent was late for a request due at due: the one
// definition of a late send.
func IsLate(sent, due time.Time, after time.Duration) bool { return sent.Sub(due) > after }

// Sent records the response to a request of class i that fell due at due.
func (r *Recorder) Sent(class int, res *vegeta.Result, due time.Time) {
	late := IsLate(res.Timestamp, due, r.cfg.LateAfter)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.totals.Sent++
	if late {
		r.totals.Late++
	}
	if Unanswered(res.Code) {
		r.totals.Failed++
	} else {
		_ = r.interval.RecordValue(micros(res.Latency)) // clamped, so never out of range
	}
	tier, province := "", ""
	if r.cfg.TierOf != nil {
		tier = r.cfg.TierOf(res)
	}
	if r.cfg.ProvinceOf != nil {
		province = r.cfg.ProvinceOf(res)
	}
	idx, written := r.windowAt(due, res.Timestamp.Add(res.Latency))
	r.classWindows(idx, written)[class].add(res, late, tier, province)
	if province != "" {
		r.provinceWindow(idx, written, province).add(res)
	}
}

// provinceWindow is province's window idx: open, or an addition to one written.
func (r *Recorder) provinceWindow(idx int, written bool, province string) *ProvinceWindow {
	in := r.openProvinces
	if written {
		in = r.afterProvinces
	}
	byCode, ok := in[idx]
	if !ok {
		byCode = map[string]*ProvinceWindow{}
		in[idx] = byCode
	}
	p, ok := byCode[province]
	if !ok {
		p = NewProvinceWindow(idx, province)
		byCode[province] = p
	}
	return p
}

// Dropped records a request of class i that fell due at due and was never sent.
func (r *Recorder) Dropped(class int, due time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.totals.Dropped++
	r.classWindows(r.windowAt(due, time.Time{}))[class].Dropped++
}

// classWindows are the classes' windows idx: open, or additions to windows written.
func (r *Recorder) classWindows(idx int, written bool) []*Window {
	if written {
		return r.window(r.after, idx)
	}
	return r.window(r.open, idx)
}

// windowAt is the index of the window a request due at due counts in, and whether that
// window was already written (the request is then an addition to it). answered is
// when its answer came (zero for a drop): an answer later than Grace after the
// window's end reopens the window.
func (r *Recorder) windowAt(due, answered time.Time) (idx int, written bool) {
	idx = min(max(int(due.Sub(r.cfg.Start)/r.cfg.Width), 0), r.cfg.Windows-1)
	if idx >= r.next {
		return idx, false
	}
	end := r.cfg.Start.Add(time.Duration(idx+1) * r.cfg.Width)
	if !r.reopened[idx] && answered.Sub(end) > r.cfg.Grace {
		r.reopened[idx] = true
		r.reopens++
	}
	return idx, true
}

func (r *Recorder) window(in map[int][]*Window, idx int) []*Window {
	ws, ok := in[idx]
	if !ok {
		from := time.Duration(idx) * r.cfg.Width
		ws = make([]*Window, len(r.cfg.Classes))
		for i, c := range r.cfg.Classes {
			ws[i] = newWindow(idx, c, from, r.cfg.Clock.ToScenario(from))
		}
		in[idx] = ws
	}
	return ws
}

// Totals returns the running counts.
func (r *Recorder) Totals() Totals {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.totals
}

// IntervalLatency returns the answered latencies recorded since the previous call and
// starts a new interval (HdrHistogram's interval-histogram idiom): the recent
// percentiles a progress line shows without keeping any response.
func (r *Recorder) IntervalLatency() *hdrhistogram.Histogram {
	fresh := NewHistogram()
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.interval
	r.interval = fresh
	return h
}

// Flush writes every window that ended before now, and what came since the last flush
// for windows already written.
func (r *Recorder) Flush(now time.Time) error {
	elapsed := now.Sub(r.cfg.Start)
	return r.flushBelow(min(int(elapsed/r.cfg.Width), r.cfg.Windows))
}

func (r *Recorder) flushBelow(limit int) error {
	r.mu.Lock()
	var batch []*Window
	var provinces []*ProvinceWindow
	for ; r.next < limit; r.next++ {
		ws := r.window(r.open, r.next) // empty windows too: gaps must show
		for i, w := range ws {
			w.Planned = r.cfg.Planned(i, w.Start, w.Start+r.cfg.Width)
		}
		batch = append(batch, ws...)
		delete(r.open, r.next)
		provinces = appendProvinces(provinces, r.openProvinces[r.next]) // only provinces that sent
		delete(r.openProvinces, r.next)
	}
	for idx, ws := range r.after {
		batch = append(batch, ws...)
		delete(r.after, idx)
	}
	for idx, byCode := range r.afterProvinces {
		provinces = appendProvinces(provinces, byCode)
		delete(r.afterProvinces, idx)
	}
	r.mu.Unlock()
	if len(batch) > 0 {
		if err := r.out.AppendWindows(batch); err != nil {
			return err
		}
	}
	if pw, ok := r.out.(ProvinceWindowWriter); ok && len(provinces) > 0 {
		return pw.AppendProvinceWindows(provinces)
	}
	return nil
}

// appendProvinces appends a window's provinces in code order, so a journal reads the same
// from run to run.
func appendProvinces(to []*ProvinceWindow, byCode map[string]*ProvinceWindow) []*ProvinceWindow {
	for _, code := range slices.Sorted(maps.Keys(byCode)) {
		to = append(to, byCode[code])
	}
	return to
}

// FlushEvery is how often a run should flush its recorder: a window is then on disk at
// most this long after it ends.
func (r *Recorder) FlushEvery() time.Duration { return max(r.cfg.Width/2, 100*time.Millisecond) }

// Close writes the windows that began before stopped — every remaining one when the run
// went to its end — and returns how many windows were reopened (answered later than
// Grace after their end), with any error writing them. Call it once all responses are in.
func (r *Recorder) Close(stopped time.Time) (reopened int64, err error) {
	limit := r.cfg.Windows
	if at := stopped.Sub(r.cfg.Start); at < time.Duration(limit)*r.cfg.Width {
		limit = int((at + r.cfg.Width - 1) / r.cfg.Width)
	}
	err = r.flushBelow(limit)
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reopens, err
}
