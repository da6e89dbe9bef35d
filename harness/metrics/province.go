package metrics

import (
	"encoding/json"
	"fmt"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// ProvinceWindow is what one province's users got during one window of the run, over
// every class together: how many requests went out, how many got no answer, and the
// answered ones' latencies. Per class it would be 34 × the classes' lines a window; the
// province table (report.html, summary.json) needs only the province's whole traffic.
// Its bytes are the class windows' ProvinceBytes.
//
// A line holds no times: the index places it (the class windows of that index carry
// them), which keeps a line near 150 bytes, 34 of them a window at most.
type ProvinceWindow struct {
	Index    int    `json:"index"`
	Province string `json:"province"` // its code (units)
	Sent     int64  `json:"sent"`
	Failed   int64  `json:"failed,omitempty"` // transport errors, timeouts and 5xx (Unanswered)
	// Latency holds the answered requests' latencies at two significant digits: a
	// province's p95 to 1 %, in a seventh of a class window's histogram's memory.
	Latency *hdrhistogram.Histogram `json:"-"`
}

// NewProvinceWindow is an empty province window in the journal's geometry.
func NewProvinceWindow(index int, province string) *ProvinceWindow {
	return &ProvinceWindow{Index: index, Province: province, Latency: newFailedHistogram()}
}

func (p *ProvinceWindow) add(res *vegeta.Result) {
	p.Sent++
	if Unanswered(res.Code) {
		p.Failed++
		return
	}
	_ = p.Latency.RecordValue(micros(res.Latency)) // clamped, so never out of range
}

// Merge adds o's counts and latencies into p (same province and window: another
// shard, or an addition written later).
func (p *ProvinceWindow) Merge(o *ProvinceWindow) {
	p.Sent += o.Sent
	p.Failed += o.Failed
	if o.Latency != nil {
		if p.Latency == nil {
			p.Latency = newFailedHistogram()
		}
		p.Latency.Merge(o.Latency)
	}
}

// Availability is the share of the province's requests that were answered, in percent
// (100 when none was sent).
func (p *ProvinceWindow) Availability() float64 {
	if p.Sent == 0 {
		return 100
	}
	return 100 * float64(p.Sent-p.Failed) / float64(p.Sent)
}

// Percentile is the answered requests' latency at percentile q (0–100), 0 when none
// was answered.
func (p *ProvinceWindow) Percentile(q float64) time.Duration {
	if p.Latency == nil || p.Latency.TotalCount() == 0 {
		return 0
	}
	return time.Duration(p.Latency.ValueAtQuantile(q)) * time.Microsecond
}

// SumProvinces merges province windows, of any windows, into one per province: the
// province over the run.
func SumProvinces(ws []*ProvinceWindow) map[string]*ProvinceWindow {
	out := map[string]*ProvinceWindow{}
	for _, w := range ws {
		m, ok := out[w.Province]
		if !ok {
			m = NewProvinceWindow(w.Index, w.Province)
			out[w.Province] = m
		}
		m.Merge(w)
	}
	return out
}

// The journal form carries the histogram as a Window's does: HdrHistogram's compressed
// base64 encoding, absent when nothing was answered.
func (p *ProvinceWindow) MarshalJSON() ([]byte, error) {
	var enc []byte
	if p.Latency != nil && p.Latency.TotalCount() > 0 {
		var err error
		if enc, err = p.Latency.Encode(hdrhistogram.V2CompressedEncodingCookieBase); err != nil {
			return nil, fmt.Errorf("encoding histogram: %w", err)
		}
	}
	type plain ProvinceWindow
	return json.Marshal(struct {
		plain
		Hist string `json:"latency_hdr,omitempty"`
	}{plain(*p), string(enc)})
}

func (p *ProvinceWindow) UnmarshalJSON(data []byte) error {
	type plain ProvinceWindow
	var v struct {
		plain
		Hist string `json:"latency_hdr"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*p = ProvinceWindow(v.plain)
	p.Latency = newFailedHistogram()
	if v.Hist == "" {
		return nil
	}
	if err := checkGeometry(v.Hist, failedSigFigs); err != nil {
		return fmt.Errorf("province window %d %s: %w", p.Index, p.Province, err)
	}
	decoded, err := hdrhistogram.Decode([]byte(v.Hist))
	if err != nil {
		return fmt.Errorf("province window %d %s: decoding histogram: %w", p.Index, p.Province, err)
	}
	p.Latency = decoded
	return nil
}
