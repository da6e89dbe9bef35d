package load

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/scenarios"
	"github.com/thongsuot/thongsuot/stubs/portal"
)

// headerBytes bounds what one exchange adds to its body on the wire: the request line
// and headers, the status line and headers.
const headerBytes = 1500

// A walk moves what its stated sizes say: the page step brings the reference portal's
// page weight down (PageBytes, served by the portal's own handler), the upload step
// sends the scan's size up (citizen-dossier.yaml), and the rest of the walk is API
// payloads of a few kilobytes — all within each exchange's headers.
func TestJourneysMoveTheirStatedBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("sends load for seconds")
	}
	scan := 0
	prog, err := (&scenarios.Scenario{}).Program("citizen-dossier")
	require.NoError(t, err)
	for _, st := range prog.Steps {
		if st.Upload != nil {
			scan = len(st.Upload.Content)
		}
	}
	require.Equal(t, 300<<10, scan, "the scan's size as citizen-dossier.yaml states it")

	tests := []struct {
		journey string
		upload  bool
	}{{"citizen-dossier", true}, {"citizen-lookup", false}, {"birth-bundle", false}}
	for _, tt := range tests {
		t.Run(tt.journey, func(t *testing.T) {
			fake := newFakePortal(t)
			api := fake.Config.Handler
			fake.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == portal.PagePath {
					portal.ServePage(w, r) // the reference portal's own handler
					return
				}
				_, _ = io.Copy(io.Discard, r.Body) // as a portal reads an upload before it answers
				api.ServeHTTP(w, r)
			})
			s := parseScenario(t, "+1m", 60, "\n  baseline: 2/s")
			s.Mix = []scenarios.Class{{Journey: tt.journey, Weight: 1, MixOptions: scenarios.MixOptions{Think: scenarios.Span{D: 10 * time.Millisecond}}}}
			plan, err := NewPlan(s)
			require.NoError(t, err)
			var mu sync.Mutex
			type tally struct{ n, in, out int64 }
			byStep := map[string]*tally{}
			err = Attack(context.Background(), plan, Endpoints{Portal: fake.URL, Identity: fake.URL}, testSetup(),
				Options{Seed: 1, Timeout: 5 * time.Second, MaxWorkers: 20},
				SinkFuncs{OnSent: func(class int, res *vegeta.Result, _ time.Time) {
					mu.Lock()
					defer mu.Unlock()
					step := plan.Classes[class][strings.LastIndexByte(plan.Classes[class], '.')+1:]
					if byStep[step] == nil {
						byStep[step] = &tally{}
					}
					b := byStep[step]
					b.n++
					b.in += int64(res.BytesIn)
					b.out += int64(res.BytesOut)
				}})
			require.NoError(t, err)
			page := byStep["page"]
			require.NotNil(t, page, "the journey loads the page")
			require.Positive(t, page.n)
			assert.InDelta(t, portal.PageBytes, page.in/page.n, headerBytes, "the page weight down, per load")
			assert.Less(t, page.out/page.n, int64(headerBytes), "a GET up")
			walks := page.n
			var in, out int64
			for step, b := range byStep {
				in, out = in+b.in, out+b.out
				if step != "page" && step != "upload" {
					assert.Less(t, b.in/b.n, int64(8<<10), "%s: an API answer of a few kilobytes", step)
				}
			}
			want := int64(portal.PageBytes)
			if tt.upload {
				up := byStep["upload"]
				require.NotNil(t, up)
				assert.InDelta(t, scan, up.out/up.n, headerBytes, "the scan up, per upload")
				want += int64(scan) * up.n / walks
			}
			steps := int64(len(byStep) + 2) // a step taken twice (status) adds its headers twice
			perWalk := (in + out) / walks
			assert.GreaterOrEqual(t, perWalk, want, "a walk moves at least its stated sizes")
			assert.LessOrEqual(t, perWalk, want+steps*(headerBytes+8<<10), "and little more: the API's answers and every exchange's headers")
			t.Logf("%s: %d walks, %d B a walk (%d B stated)", tt.journey, walks, perWalk, want)
		})
	}
}
