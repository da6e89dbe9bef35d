// Package metrics turns responses into windows: per request class and per window of
// scenario time, an HDR latency histogram and counters, kept only while the window is
// open and then handed to the run's journal (harness/journal). No response is kept.
package metrics

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Latency histograms record microseconds from 1 µs to 10 minutes at 3 significant digits.
const (
	histMin     = 1
	histMax     = int64(10 * time.Minute / time.Microsecond)
	histSigFigs = 3
	// failedSigFigs: failed requests' durations only tell a reset from a timeout.
	failedSigFigs = 2
)

// NewHistogram returns an empty latency histogram in the journal's geometry.
func NewHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(histMin, histMax, histSigFigs)
}

// newFailedHistogram holds how long unanswered requests took to fail: coarser (two
// significant digits, a tenth of the size), as it only tells a reset from a timeout.
func newFailedHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(histMin, histMax, failedSigFigs)
}

// Window is what one class did with the requests that fell due during one window of the
// run: each was sent (on time or late) or dropped, so Sent + Dropped is how many fell
// due, exactly. A request is placed by when it was due, not when it went out, so a late
// send counts where the schedule put it.
type Window struct {
	Index    int           `json:"index"`
	Class    string        `json:"class"`
	Start    time.Duration `json:"start"`          // wall offset from the run start, ns
	Scenario time.Time     `json:"scenario_start"` // scenario time at Start
	// Planned is what the plan asked for: exact arrivals for a class that arrives on its
	// own curve, the expected number for a later step of a journey.
	Planned float64 `json:"planned"`
	Sent    int64   `json:"sent"`    // requests sent (answered, refused, failed or timed out)
	Late    int64   `json:"late"`    // of those, sent more than load.late_after behind schedule
	Dropped int64   `json:"dropped"` // fell due but never sent: the run ended before a worker was free
	// Codes counts responses by HTTP status; "0" counts transport errors and timeouts.
	Codes  map[string]int64 `json:"codes"`
	Errors map[string]int64 `json:"errors,omitempty"` // first few distinct error texts
	// BytesIn and BytesOut are the bytes on the wire of the window's requests, headers
	// included: answers received and requests sent.
	BytesIn  int64 `json:"bytes_in"`
	BytesOut int64 `json:"bytes_out"`
	// TierBytes splits them by the link tier the requests went over (absent: none did).
	TierBytes map[string]Bytes `json:"tier_bytes,omitempty"`
	// ProvinceBytes splits them by the province (its code) of the unit whose user sent
	// the requests (absent: no request named one).
	ProvinceBytes map[string]Bytes `json:"province_bytes,omitempty"`
	// ChecksFailed counts the answers whose journey step's checks (or captures) failed:
	// the load marks them with an error starting CheckFailedPrefix.
	ChecksFailed int64 `json:"checks_failed,omitempty"`
	// Latency holds the answered requests' latencies only (see Unanswered): a 5xx, a
	// timeout or a transport error counts against availability, never as a fast sample.
	Latency *hdrhistogram.Histogram `json:"-"`
	// FailedLatency holds how long the unanswered requests took to fail.
	FailedLatency *hdrhistogram.Histogram `json:"-"`
}

// CheckFailedPrefix starts the error of a response whose step's checks failed: the
// load's (harness/load.CheckFailedPrefix), which this package may not import.
const CheckFailedPrefix = "check failed: "

// ChecksHeld is the share of the window's answered requests whose checks held, in
// percent; NaN when none was answered (nothing to judge).
func (w *Window) ChecksHeld() float64 {
	answered := w.Answered()
	if answered <= 0 {
		return math.NaN()
	}
	return 100 * float64(answered-w.ChecksFailed) / float64(answered)
}

// maxErrorTexts bounds the distinct error messages kept per window.
const maxErrorTexts = 5

func newWindow(index int, class string, start time.Duration, scenario time.Time) *Window {
	return &Window{Index: index, Class: class, Start: start, Scenario: scenario,
		Codes: map[string]int64{}, Latency: NewHistogram(), FailedLatency: newFailedHistogram()}
}

// Due is how many requests fell due in the window: every one was sent or dropped.
func (w *Window) Due() int64 { return w.Sent + w.Dropped }

// Answered counts the requests that got an answer (see Unanswered).
func (w *Window) Answered() int64 { return w.Sent - w.Failed() }

func (w *Window) add(res *vegeta.Result, late bool, tier, province string) {
	w.Sent++
	if late {
		w.Late++
	}
	w.Codes[codeText(res.Code)]++
	checkFailed := strings.HasPrefix(res.Error, CheckFailedPrefix)
	if checkFailed {
		w.ChecksFailed++
	}
	if res.Code == 0 && res.Error != "" || checkFailed {
		if _, ok := w.Errors[res.Error]; ok || len(w.Errors) < maxErrorTexts {
			if w.Errors == nil {
				w.Errors = map[string]int64{}
			}
			w.Errors[res.Error]++
		}
	}
	w.BytesIn += int64(res.BytesIn)
	w.BytesOut += int64(res.BytesOut)
	b := Bytes{In: int64(res.BytesIn), Out: int64(res.BytesOut)}
	if tier != "" {
		addBytes(&w.TierBytes, tier, b)
	}
	if province != "" {
		addBytes(&w.ProvinceBytes, province, b)
	}
	if Unanswered(res.Code) {
		_ = w.FailedLatency.RecordValue(micros(res.Latency)) // clamped, so never out of range
	} else {
		_ = w.Latency.RecordValue(micros(res.Latency))
	}
}

// addBytes adds b to (*m)[key], making the map when needed.
func addBytes(m *map[string]Bytes, key string, b Bytes) {
	if *m == nil {
		*m = map[string]Bytes{}
	}
	t := (*m)[key]
	t.In += b.In
	t.Out += b.Out
	(*m)[key] = t
}

// codeTexts are the status codes as the Codes map's keys, made once: strconv.Itoa
// allocates for every code from 100 on, and this is called for every response.
var codeTexts = func() [600]string {
	var t [600]string
	for i := range t {
		t[i] = strconv.Itoa(i)
	}
	return t
}()

func codeText(code uint16) string {
	if int(code) < len(codeTexts) {
		return codeTexts[code]
	}
	return strconv.Itoa(int(code))
}

// emptyEncoding is an empty latency histogram's encoding, made once: most windows of a
// run with many classes hold nothing, and each encoding allocates a compressor of
// about 600 KB (hdrhistogram-go's V2 compressed encoding through compress/flate).
var emptyEncoding = sync.OnceValues(func() ([]byte, error) {
	return NewHistogram().Encode(hdrhistogram.V2CompressedEncodingCookieBase)
})

// micros is a latency in the histograms' unit, clamped to their range.
func micros(d time.Duration) int64 { return min(max(d.Microseconds(), histMin), histMax) }

// Failed counts requests that did not get an answer: transport errors, timeouts and 5xx.
// A 4xx is an answer — the service was there to refuse.
func (w *Window) Failed() int64 {
	var n int64
	for code, c := range w.Codes {
		if v, err := strconv.Atoi(code); err == nil && Unanswered(uint16(v)) {
			n += c
		}
	}
	return n
}

// Unanswered says whether a response code counts against availability: a transport
// error or timeout (0) or a 5xx.
func Unanswered(code uint16) bool { return code == 0 || code >= 500 }

// Availability is the share of the window's requests that were answered, in percent
// (100 when nothing was sent).
func (w *Window) Availability() float64 {
	if w.Sent == 0 {
		return 100
	}
	return 100 * float64(w.Sent-w.Failed()) / float64(w.Sent)
}

// Merge adds o's counts and latencies into w (same window, another class or shard).
func (w *Window) Merge(o *Window) {
	w.Planned += o.Planned
	w.Sent += o.Sent
	w.Late += o.Late
	w.Dropped += o.Dropped
	for k, v := range o.Codes {
		w.Codes[k] += v
	}
	for k, v := range o.Errors {
		if w.Errors == nil {
			w.Errors = map[string]int64{}
		}
		w.Errors[k] += v
	}
	w.BytesIn += o.BytesIn
	w.BytesOut += o.BytesOut
	w.ChecksFailed += o.ChecksFailed
	for t, b := range o.TierBytes {
		addBytes(&w.TierBytes, t, b)
	}
	for p, b := range o.ProvinceBytes {
		addBytes(&w.ProvinceBytes, p, b)
	}
	w.Latency.Merge(o.Latency)
	if o.FailedLatency != nil {
		if w.FailedLatency == nil {
			w.FailedLatency = newFailedHistogram()
		}
		w.FailedLatency.Merge(o.FailedLatency)
	}
}

// Percentile is the answered requests' latency at percentile q (0–100), or 0 when none
// was answered.
func (w *Window) Percentile(q float64) time.Duration {
	if w.Latency.TotalCount() == 0 {
		return 0
	}
	return time.Duration(w.Latency.ValueAtQuantile(q)) * time.Microsecond
}

// The journal form carries the histogram in HdrHistogram's compressed base64 encoding,
// which any HdrHistogram implementation decodes and which merges exactly.
func (w *Window) MarshalJSON() ([]byte, error) {
	enc, err := emptyEncoding()
	if w.Latency.TotalCount() > 0 {
		enc, err = w.Latency.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	}
	if err != nil {
		return nil, fmt.Errorf("encoding histogram: %w", err)
	}
	var failed []byte
	if w.FailedLatency != nil && w.FailedLatency.TotalCount() > 0 {
		if failed, err = w.FailedLatency.Encode(hdrhistogram.V2CompressedEncodingCookieBase); err != nil {
			return nil, fmt.Errorf("encoding histogram: %w", err)
		}
	}
	type plain Window // without methods, so encoding does not recurse
	return json.Marshal(struct {
		plain
		Hist       string `json:"latency_hdr"`
		FailedHist string `json:"failed_latency_hdr,omitempty"`
	}{plain(*w), string(enc), string(failed)})
}

func (w *Window) UnmarshalJSON(data []byte) error {
	type plain Window
	var v struct {
		plain
		Hist       string `json:"latency_hdr"`
		FailedHist string `json:"failed_latency_hdr"`
		// Intended is what journals written before "planned" called it.
		Intended *float64 `json:"intended"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*w = Window(v.plain)
	if v.Intended != nil && w.Planned == 0 {
		w.Planned = *v.Intended
	}
	if w.Codes == nil {
		w.Codes = map[string]int64{}
	}
	w.Latency, w.FailedLatency = NewHistogram(), newFailedHistogram()
	for _, h := range []struct {
		enc     string
		to      **hdrhistogram.Histogram
		sigFigs int32
	}{{v.Hist, &w.Latency, histSigFigs}, {v.FailedHist, &w.FailedLatency, failedSigFigs}} {
		if h.enc == "" {
			continue
		}
		if err := checkGeometry(h.enc, h.sigFigs); err != nil {
			return fmt.Errorf("window %d %s: %w", w.Index, w.Class, err)
		}
		decoded, err := hdrhistogram.Decode([]byte(h.enc))
		if err != nil {
			return fmt.Errorf("window %d %s: decoding histogram: %w", w.Index, w.Class, err)
		}
		*h.to = decoded
	}
	return nil
}

// checkGeometry reads an encoded histogram's header and refuses any geometry but the
// journal's: decoding allocates the counts array the header asks for (up to tens of
// MiB for the widest), and merging histograms of two geometries loses precision.
func checkGeometry(enc string, sigFigs int32) error {
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(raw) < 8 {
		return fmt.Errorf("decoding histogram: not a compressed HdrHistogram")
	}
	z, err := zlib.NewReader(bytes.NewReader(raw[8:]))
	if err != nil {
		return fmt.Errorf("decoding histogram: %w", err)
	}
	defer z.Close()
	// The V2 header: cookie, payload length, normalizing offset, significant figures
	// (4 bytes each), lowest and highest trackable values (8 bytes each).
	var header struct {
		Cookie, Length, Offset, SigFigs int32
		Lowest, Highest                 int64
	}
	if err := binary.Read(z, binary.BigEndian, &header); err != nil {
		return fmt.Errorf("decoding histogram: %w", err)
	}
	if header.SigFigs != sigFigs || header.Lowest > histMin || header.Highest != histMax {
		return fmt.Errorf("decoding histogram: %d–%d µs at %d significant figures is not the journal's geometry (%d–%d µs at %d)",
			header.Lowest, header.Highest, header.SigFigs, histMin, histMax, sigFigs)
	}
	return nil
}

// Sum merges windows into a new one labelled class, placed where the first one is. It
// is nil when ws is empty.
func Sum(class string, ws ...*Window) *Window {
	if len(ws) == 0 {
		return nil
	}
	out := newWindow(ws[0].Index, class, ws[0].Start, ws[0].Scenario)
	for _, w := range ws {
		out.Merge(w)
	}
	return out
}
