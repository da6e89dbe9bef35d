package sizing

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/harness/fault"
	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/harness/runtime"
	"github.com/thongsuot/thongsuot/scenarios"
)

// A synthetic tier whose answer is known: every request fetches a 100 KB answer at a
// steady 10 per second, so the link must carry 100 KB × 10/s ≈ 8 Mbps plus headers.
// Probes run through a real toxiproxy link with the shared-bandwidth toxic, the load's
// own client counting the bytes; the least bandwidth at which p95 stays under 750 ms
// must be within 15 % of that. Below the demand the link's queue grows by the shortfall
// every second (at 85 % of it, by 0.9 s over a probe), above it an answer waits its own
// transfer time (0.1 s), so 750 ms tells the two apart with room for a busy machine.
func TestSizingASyntheticTierFindsTheAnalyticBandwidth(t *testing.T) {
	if testing.Short() {
		t.Skip("runs about eight probes of six seconds through toxiproxy")
	}
	const (
		size  = 100_000
		rate  = 10
		probe = 6 * time.Second
		slo   = 750 * time.Millisecond
	)
	answer := bytes.Repeat([]byte("x"), size)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(answer) }))
	defer srv.Close()
	tp, err := runtime.StartToxiproxy("127.0.0.1:0")
	require.NoError(t, err)
	defer tp.Close()
	proxy, err := tp.Proxy("synthetic->portal", "127.0.0.1:0", srv.Listener.Addr().String())
	require.NoError(t, err)

	prober := ProberFunc(func(ctx context.Context, tier string, mbps float64) (Probe, error) {
		if mbps > 0 {
			bw := scenarios.Bandwidth(mbps * 1e6)
			remove, err := fault.Apply("cap", scenarios.Fault{Link: "synthetic->portal", Toxic: scenarios.ToxicSharedBandwidth,
				Stream: scenarios.StreamBoth, Bandwidth: &bw}, proxy)
			if err != nil {
				return Probe{}, err
			}
			defer remove()
		}
		atk := vegeta.NewAttacker(vegeta.Client(load.NewClient(10*time.Second)), vegeta.MaxBody(0))
		tgt := vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: "http://" + proxy.Listen + "/page"})
		var m vegeta.Metrics
		var in, out uint64
		for res := range atk.Attack(tgt, vegeta.ConstantPacer{Freq: rate, Per: time.Second}, probe, "synthetic") {
			m.Add(res)
			if i, o, ok := load.WireBytes(res); ok {
				in, out = in+i, out+o
			}
		}
		m.Close()
		p := Probe{P95: m.Latencies.P95, Availability: 100 * m.Success, Verdict: Held,
			DownMbps: float64(in) * 8 / 1e6 / probe.Seconds(), UpMbps: float64(out) * 8 / 1e6 / probe.Seconds()}
		if m.Requests < rate*uint64(probe.Seconds())*9/10 {
			p.Verdict, p.Why = Inconclusive, "the generator fell behind"
		} else if p.P95 > slo || m.Success < 0.99 {
			p.Verdict, p.Why = Failed, "p95 over 750ms or answers missing"
		}
		return p, nil
	})
	r, err := Search{Precision: 0.08, MaxProbes: 10, Progress: os.Stderr}.Run(context.Background(), "synthetic", prober)
	require.NoError(t, err)
	require.True(t, r.Found, r.Note)
	analytic := float64(size*rate) * 8 / 1e6
	assert.InEpsilon(t, analytic, r.Analytic, 0.05, "the bytes counted are the answers plus their headers")
	assert.Greater(t, r.Analytic, analytic, "headers are counted too")
	assert.InEpsilon(t, r.Analytic, r.Minimum, 0.15, "measured minimum %.2f Mbps against analytic %.2f Mbps", r.Minimum, r.Analytic)
	t.Logf("analytic %.3f Mbps (payload alone %.3f), measured minimum %.3f Mbps (failed at %.3f), %d probes, %d retried",
		r.Analytic, analytic, r.Minimum, r.Bracket, len(r.Probes), r.Retried)
}
