package fault_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/harness/clock"
	"github.com/thongsuot/thongsuot/harness/fault"
	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/harness/runtime"
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/scenarios"
)

// These tests put each toxic on a real proxy of the embedded toxiproxy server, in front
// of a local HTTP server, and check that the harness measures its effect: vegeta's
// results through the harness's client, recorder and journal, judged by slo.

// bench is an upstream HTTP server behind one proxy.
type bench struct {
	proxy *toxiproxy.Proxy
	url   string // through the proxy
}

func newBench(t *testing.T) *bench {
	t.Helper()
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("bytes"))
		if r.URL.Query().Get("close") != "" {
			w.Header().Set("Connection", "close")
		}
		w.Header().Set("Content-Length", strconv.Itoa(max(n, 2)))
		if n == 0 {
			io.WriteString(w, "ok")
			return
		}
		buf := make([]byte, 32<<10)
		for n > 0 {
			k, err := w.Write(buf[:min(n, len(buf))])
			if err != nil {
				return
			}
			n -= k
		}
	}))
	t.Cleanup(upstream.Close)
	tp, err := runtime.StartToxiproxy("127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { tp.Close() })
	p, err := tp.Proxy("bench", "127.0.0.1:0", strings.TrimPrefix(upstream.URL, "http://"))
	require.NoError(t, err)
	return &bench{proxy: p, url: "http://" + p.Listen}
}

// apply puts a fault on the bench's proxy until the test ends.
func (b *bench) apply(t *testing.T, f scenarios.Fault) {
	t.Helper()
	if f.Stream == "" {
		f.Stream = scenarios.StreamDownstream
	}
	remove, err := fault.Apply("t", f, b.proxy)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, remove()) })
}

// measure sends rate requests/s for d to path through the harness's client and
// recorder, and reads back the one window the journal holds.
func measure(t *testing.T, url string, rate int, d time.Duration) *journal.Record {
	t.Helper()
	dir := t.TempDir()
	start := time.Now()
	width := d + 10*time.Second
	j, err := journal.Create(dir, journal.RunInfo{ID: "m", Started: start, Window: width, Windows: 1, Classes: []string{"get"}})
	require.NoError(t, err)
	rec := metrics.NewRecorder(j, metrics.RecorderConfig{Start: start, Width: width, Windows: 1, Classes: []string{"get"},
		Clock:   clock.Clock{Start: start, End: start.Add(width), Compress: 1},
		Planned: func(int, time.Duration, time.Duration) float64 { return 0 }})
	atk := vegeta.NewAttacker(vegeta.Client(load.NewClient(5*time.Second)), vegeta.MaxBody(0))
	for res := range atk.Attack(vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: url}),
		vegeta.Rate{Freq: rate, Per: time.Second}, d, "m") {
		rec.Sent(0, res, res.Timestamp)
	}
	now := time.Now()
	reopened, err := rec.Close(now)
	require.NoError(t, err)
	require.NoError(t, j.Close(&now, now, reopened))
	r, err := journal.Read(dir)
	require.NoError(t, err)
	require.Len(t, r.Windows, 1)
	return r
}

func ms(n int) *scenarios.Duration {
	return &scenarios.Duration{Duration: time.Duration(n) * time.Millisecond}
}
func bw(bits float64) *scenarios.Bandwidth {
	b := scenarios.Bandwidth(bits)
	return &b
}

func TestLatencyAddsAtLeastTheSetDelay(t *testing.T) {
	b := newBench(t)
	before := measure(t, b.url, 50, 500*time.Millisecond).Windows[0]
	b.apply(t, scenarios.Fault{Toxic: scenarios.ToxicLatency, Latency: ms(150), Jitter: ms(20)})
	w := measure(t, b.url, 50, time.Second).Windows[0]
	require.EqualValues(t, 50, w.Sent)
	assert.Zero(t, w.Failed())
	min := time.Duration(w.Latency.Min()) * time.Microsecond
	assert.GreaterOrEqual(t, min, 130*time.Millisecond, "every request waits latency − jitter at least")
	// The median of 50 delays drawn uniformly from 150 ± 20 ms spreads by about 2.8 ms
	// (CI once saw 143.7 ms against a 145 ms bound): half the jitter below is 3.5 of those.
	assert.GreaterOrEqual(t, w.Percentile(50), 150*time.Millisecond-10*time.Millisecond)
	assert.Less(t, before.Percentile(50), 50*time.Millisecond, "without the toxic it is fast")
}

// download fetches n bytes over c (its own connection when c is fresh) and returns the rate.
func download(t *testing.T, c *http.Client, url string, n int) (bytesPerSec float64, err error) {
	start := time.Now()
	resp, err := c.Get(fmt.Sprintf("%s/?bytes=%d", url, n))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	got, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return 0, err
	}
	if got != int64(n) {
		return 0, fmt.Errorf("read %d of %d bytes", got, n)
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// parallel downloads n bytes on each of k connections at once and returns the total rate.
func parallel(t *testing.T, url string, k, n int) float64 {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, k)
	start := time.Now()
	for range k {
		wg.Go(func() {
			_, err := download(t, &http.Client{Transport: &http.Transport{}}, url, n)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	return float64(k*n) / time.Since(start).Seconds()
}

func TestBandwidthCapsOneConnection(t *testing.T) {
	b := newBench(t)
	b.apply(t, scenarios.Fault{Toxic: scenarios.ToxicBandwidth, Bandwidth: bw(8e6)}) // 1 MB/s
	rate, err := download(t, &http.Client{}, b.url, 1_500_000)
	require.NoError(t, err)
	t.Logf("one connection: %.0f KB/s under a 1000 KB/s cap", rate/1000)
	assert.InEpsilon(t, 1e6, rate, 0.10, "within 10 %% of the cap")

	// The cap is per connection: ten connections together go far beyond it.
	total := parallel(t, b.url, 10, 200_000)
	assert.Greater(t, total, 4e6, "toxiproxy's bandwidth toxic limits each connection separately")
}

func TestSharedBandwidthCapsTenConnectionsTogether(t *testing.T) {
	b := newBench(t)
	b.apply(t, scenarios.Fault{Toxic: scenarios.ToxicSharedBandwidth, Bandwidth: bw(8e6)}) // 1 MB/s for all
	total := parallel(t, b.url, 10, 200_000)
	t.Logf("ten connections: %.0f KB/s together under a 1000 KB/s shared cap", total/1000)
	assert.InEpsilon(t, 1e6, total, 0.10, "the ten connections' total within 10 %% of the cap")
}

func TestDownGivesConnectionErrorsCountedAsUnavailability(t *testing.T) {
	b := newBench(t)
	b.apply(t, scenarios.Fault{Toxic: scenarios.ToxicDown})
	rec := measure(t, b.url, 100, 500*time.Millisecond)
	w := rec.Windows[0]
	require.EqualValues(t, 50, w.Sent)
	assert.Equal(t, w.Sent, w.Codes["0"], "every request is a connection error")
	v := slo.Evaluate(scenarios.SLOs{MinRequests: 1, Objectives: []scenarios.Objective{
		{Name: "availability", Kind: scenarios.KindAvailability, Target: pct(0.99)}}}, rec)
	assert.False(t, v.Objectives[0].Met)
	assert.Zero(t, v.Objectives[0].Overall, "0 %% available")
}

func pct(v float64) *scenarios.Percent { p := scenarios.Percent(v); return &p }

// Toxics that break requests: each request fails, counted as unavailable, and the
// harness sees how long it took to fail.
func TestBreakingToxicsFailRequests(t *testing.T) {
	size := scenarios.ByteSize(100)
	tests := []struct {
		name      string
		fault     scenarios.Fault
		path      string
		atLeast   time.Duration
		errorText string
	}{
		{"timeout closes after the timeout", scenarios.Fault{Toxic: scenarios.ToxicTimeout, Timeout: ms(300)}, "/", 300 * time.Millisecond, "EOF"},
		{"reset_peer resets", scenarios.Fault{Toxic: scenarios.ToxicResetPeer, Timeout: ms(0)}, "/", 0, "reset"},
		{"limit_data cuts the response", scenarios.Fault{Toxic: scenarios.ToxicLimitData, Bytes: &size}, "/?bytes=5000", 0, "EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBench(t)
			b.apply(t, tt.fault)
			rec := measure(t, b.url+tt.path, 20, 500*time.Millisecond)
			w := rec.Windows[0]
			require.EqualValues(t, 10, w.Sent)
			assert.Equal(t, w.Sent, w.Failed(), "every request failed: %v", w.Errors)
			assert.GreaterOrEqual(t, time.Duration(w.FailedLatency.Min())*time.Microsecond, tt.atLeast-10*time.Millisecond, "how long the failures took")
			assert.Zero(t, w.Latency.TotalCount(), "a failure is no latency sample")
			var texts []string
			for e := range w.Errors {
				texts = append(texts, e)
			}
			assert.Contains(t, strings.Join(texts, "\n"), tt.errorText)
		})
	}
}

func TestSlicerSlowsTheResponse(t *testing.T) {
	b := newBench(t)
	avg, variation := scenarios.ByteSize(50), scenarios.ByteSize(10)
	b.apply(t, scenarios.Fault{Toxic: scenarios.ToxicSlicer, AverageSize: &avg, SizeVariation: &variation, Delay: ms(20)})
	w := measure(t, b.url+"/?bytes=600", 10, 500*time.Millisecond).Windows[0]
	assert.Zero(t, w.Failed(), "sliced data still arrives whole")
	// 600 bytes of body plus headers in pieces of ≤ 60 bytes: at least 10 pieces, 20 ms apart.
	assert.GreaterOrEqual(t, time.Duration(w.Latency.Min())*time.Microsecond, 9*20*time.Millisecond)
}

func TestSlowCloseDelaysTheClose(t *testing.T) {
	b := newBench(t)
	b.apply(t, scenarios.Fault{Toxic: scenarios.ToxicSlowClose, Delay: ms(300)})
	conn, err := net.Dial("tcp", strings.TrimPrefix(b.url, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	start := time.Now()
	_, err = io.WriteString(conn, "GET /?close=1 HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 200*time.Millisecond, "the answer itself is not delayed")
	_, err = io.ReadAll(resp.Body) // then EOF only once the close passes the toxic
	require.NoError(t, err)
	rest := make([]byte, 1)
	_, err = conn.Read(rest)
	assert.ErrorIs(t, err, io.EOF)
	assert.GreaterOrEqual(t, time.Since(start), 290*time.Millisecond)
}

func TestLossHoldsBackAShareOfResponses(t *testing.T) {
	b := newBench(t)
	loss := scenarios.Percent(0.5)
	b.apply(t, scenarios.Fault{Toxic: scenarios.ToxicLoss, Loss: &loss, Retransmit: ms(200)})
	w := measure(t, b.url, 100, time.Second).Windows[0]
	assert.Zero(t, w.Failed(), "TCP recovers every loss: nothing fails")
	// One-packet responses: half are held back one retransmission timeout.
	assert.Less(t, w.Percentile(25), 100*time.Millisecond)
	assert.GreaterOrEqual(t, w.Percentile(75), 200*time.Millisecond)
}

func TestLatencyRampMovesAcrossTheWindow(t *testing.T) {
	b := newBench(t)
	b.apply(t, scenarios.Fault{Toxic: scenarios.ToxicLatency, Latency: ms(10), For: scenarios.Span{D: 2 * time.Second},
		Ramp: &scenarios.FaultRamp{Latency: ms(410)}})
	early := measure(t, b.url, 20, 300*time.Millisecond).Windows[0]
	time.Sleep(1300 * time.Millisecond)
	late := measure(t, b.url, 20, 300*time.Millisecond).Windows[0]
	assert.Less(t, early.Percentile(50), 120*time.Millisecond, "near 10 ms at the start")
	assert.Greater(t, late.Percentile(50), 300*time.Millisecond, "near 410 ms at the end")
}
