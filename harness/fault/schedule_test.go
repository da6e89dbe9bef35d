package fault

import (
	"context"
	"sync"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/clock"
	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/scenarios"
)

// fakeProxy records when each call came.
type fakeProxy struct {
	mu    sync.Mutex
	start time.Time
	calls []call
}

type call struct {
	what  string
	at    time.Duration
	attrs toxiproxy.Attributes
}

func (p *fakeProxy) note(what string, attrs toxiproxy.Attributes) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, call{what, time.Since(p.start), attrs})
}

func (p *fakeProxy) AddToxic(name, typeName, stream string, toxicity float32, attrs toxiproxy.Attributes) (*toxiproxy.Toxic, error) {
	p.note("add "+typeName+" "+stream, attrs)
	return &toxiproxy.Toxic{}, nil
}
func (p *fakeProxy) RemoveToxic(name string) error { p.note("remove", nil); return nil }
func (p *fakeProxy) Disable() error                { p.note("disable", nil); return nil }
func (p *fakeProxy) Enable() error                 { p.note("enable", nil); return nil }

func ms(n int) *scenarios.Duration {
	return &scenarios.Duration{Duration: time.Duration(n) * time.Millisecond}
}

func TestScheduleAppliesOnTime(t *testing.T) {
	base := time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)
	c := clock.Clock{Start: base, End: base.Add(10 * time.Minute), Compress: 600} // 1 s wall
	one := 1.0
	tests := []struct {
		name  string
		fault scenarios.Fault
		calls []string
		start time.Duration
		end   time.Duration
	}{
		{"latency for wall time", scenarios.Fault{At: scenarios.At(base.Add(2 * time.Minute)), For: scenarios.Span{D: 300 * time.Millisecond},
			Toxic: "latency", Stream: "downstream", Toxicity: &one, Latency: ms(150), Jitter: ms(10)},
			[]string{"add latency downstream", "remove"}, 200 * time.Millisecond, 500 * time.Millisecond},
		{"down for scenario time", scenarios.Fault{At: scenarios.At(base.Add(time.Minute)), For: scenarios.Span{D: 3 * time.Minute, Scenario: true},
			Toxic: "down", Stream: "downstream", Toxicity: &one},
			[]string{"disable", "enable"}, 100 * time.Millisecond, 400 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fault.Name, tt.fault.Link = tt.name, "portal->registry"
			dir := t.TempDir()
			j, err := journal.Create(dir, journal.RunInfo{ID: "t", Window: time.Second, Windows: 1, Classes: []string{"c"}}) // a run.json that reads back
			require.NoError(t, err)
			start := time.Now()
			p := &fakeProxy{start: start}
			s := &Schedule{Faults: []scenarios.Fault{tt.fault}, Clock: c, Proxies: map[string]Proxy{"portal->registry": p}, Journal: j}
			require.NoError(t, s.Run(context.Background(), start))
			now := time.Now()
			require.NoError(t, j.Close(&now, now, 0))

			require.Len(t, p.calls, 2)
			assert.Equal(t, tt.calls, []string{p.calls[0].what, p.calls[1].what})
			assert.InDelta(t, tt.start, p.calls[0].at, float64(100*time.Millisecond), "starts within 100 ms of its wall time")
			assert.InDelta(t, tt.end, p.calls[1].at, float64(100*time.Millisecond), "ends within 100 ms of its wall time")
			if tt.fault.Toxic == "latency" {
				assert.Equal(t, toxiproxy.Attributes{"latency": int64(150), "jitter": int64(10)}, p.calls[0].attrs)
			}
			rec, err := journal.Read(dir)
			require.NoError(t, err)
			require.Len(t, rec.Faults, 1, "applied and removed: one window")
			assert.InDelta(t, tt.start, rec.Faults[0].Start, float64(100*time.Millisecond))
			assert.InDelta(t, tt.end, rec.Faults[0].End, float64(100*time.Millisecond))
		})
	}
}

func TestCancelRemovesActiveFault(t *testing.T) {
	base := time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)
	one := 1.0
	f := scenarios.Fault{Name: "long", Link: "client->portal", At: scenarios.At(base), For: scenarios.Span{D: time.Hour}, Toxic: "down", Toxicity: &one}
	j, err := journal.Create(t.TempDir(), journal.RunInfo{})
	require.NoError(t, err)
	p := &fakeProxy{start: time.Now()}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	s := &Schedule{Faults: []scenarios.Fault{f}, Clock: clock.Clock{Start: base, End: base.Add(time.Hour), Compress: 1}, Proxies: map[string]Proxy{"client->portal": p}, Journal: j}
	require.NoError(t, s.Run(ctx, time.Now()))
	assert.Empty(t, s.Active(), "nothing is in force once the run is over")
	require.Len(t, p.calls, 2)
	assert.Equal(t, "enable", p.calls[1].what, "a fault never outlives its run")
	assert.Less(t, p.calls[1].at, time.Second)
}

// noRoles acts on no process, and says what it was asked.
type noRoles struct{ fakeProxy }

func (r *noRoles) Act(_ context.Context, role, action string) error {
	r.note(action+" "+role, nil)
	return nil
}
func (r *noRoles) Restore(_ context.Context, role, action string) error {
	r.note("undo "+action+" "+role, nil)
	return nil
}

// The schedule knows which faults are in force, link and process faults alike: what
// the progress line shows.
func TestActiveFaultsFollowTheSchedule(t *testing.T) {
	base := time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)
	one := 1.0
	faults := []scenarios.Fault{
		{Name: "slow", Link: "portal->registry", At: scenarios.At(base), For: scenarios.Span{D: 600 * time.Millisecond},
			Toxic: "latency", Latency: ms(10), Stream: "downstream", Toxicity: &one},
		{Name: "portal killed", Role: "portal", Action: "kill", At: scenarios.At(base.Add(2 * time.Minute)), For: scenarios.Span{D: 600 * time.Millisecond}},
	}
	j, err := journal.Create(t.TempDir(), journal.RunInfo{})
	require.NoError(t, err)
	start := time.Now()
	s := &Schedule{Faults: faults, Clock: clock.Clock{Start: base, End: base.Add(10 * time.Minute), Compress: 600},
		Proxies: map[string]Proxy{"portal->registry": &fakeProxy{start: start}}, Roles: &noRoles{fakeProxy{start: start}}, Journal: j}
	done := make(chan error)
	go func() { done <- s.Run(context.Background(), start) }()
	names := func() []string {
		var out []string
		for _, f := range s.Active() {
			out = append(out, f.Name+": "+f.Summary())
		}
		return out
	}
	require.Eventually(t, func() bool { return len(names()) == 2 }, 2*time.Second, 5*time.Millisecond, "both in force from 200 ms to 600 ms")
	assert.Equal(t, []string{"slow: latency on portal->registry", "portal killed: kill portal"}, names(), "in the order they were applied")
	require.NoError(t, <-done)
	assert.Empty(t, s.Active())
}

func TestUnknownLinkIsAnError(t *testing.T) {
	s := &Schedule{Faults: []scenarios.Fault{{Name: "x", Link: "nowhere"}}}
	assert.ErrorContains(t, s.Run(context.Background(), time.Now()), `no link "nowhere"`)
}

// runSchedule runs faults against fake proxies on a 1 s-per-scenario-10-min clock and
// returns the calls per link and the journal.
func runSchedule(t *testing.T, faults []scenarios.Fault, links ...string) (map[string]*fakeProxy, *journal.Record, time.Time) {
	t.Helper()
	base := time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)
	c := clock.Clock{Start: base, End: base.Add(10 * time.Minute), Compress: 600}
	dir := t.TempDir()
	j, err := journal.Create(dir, journal.RunInfo{ID: "t", Window: time.Second, Windows: 1, Classes: []string{"c"}}) // a run.json that reads back
	require.NoError(t, err)
	start := time.Now()
	fakes, proxies := map[string]*fakeProxy{}, map[string]Proxy{}
	for _, l := range links {
		fakes[l] = &fakeProxy{start: start}
		proxies[l] = fakes[l]
	}
	s := &Schedule{Faults: faults, Clock: c, Proxies: proxies, Journal: j}
	require.NoError(t, s.Run(context.Background(), start))
	now := time.Now()
	require.NoError(t, j.Close(&now, now, 0))
	rec, err := journal.Read(dir)
	require.NoError(t, err)
	return fakes, rec, base
}

func TestFlapCyclesOnTime(t *testing.T) {
	one := 1.0
	base := time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)
	f := scenarios.Fault{Name: "flap", Link: "remote->portal", Toxic: "down", Toxicity: &one, At: scenarios.At(base.Add(time.Minute)), // 100 ms wall
		Flap: &scenarios.Flap{Period: scenarios.Span{D: 300 * time.Millisecond}, DownFor: scenarios.Span{D: 100 * time.Millisecond}, Count: 3}}
	fakes, rec, _ := runSchedule(t, []scenarios.Fault{f}, "remote->portal")
	calls := fakes["remote->portal"].calls
	require.Len(t, calls, 6)
	worst := time.Duration(0)
	for i, c := range calls {
		want := time.Duration(100+300*(i/2)+100*(i%2)) * time.Millisecond
		worst = max(worst, (c.at - want).Abs())
	}
	t.Logf("worst scheduling error over 6 flap edges: %s", worst)
	for i := range 3 {
		on := time.Duration(100+300*i) * time.Millisecond
		assert.Equal(t, "disable", calls[2*i].what)
		assert.Equal(t, "enable", calls[2*i+1].what)
		assert.InDelta(t, on, calls[2*i].at, float64(100*time.Millisecond), "cycle %d starts on time", i+1)
		assert.InDelta(t, on+100*time.Millisecond, calls[2*i+1].at, float64(100*time.Millisecond), "cycle %d ends on time", i+1)
	}
	require.Len(t, rec.Faults, 3, "each down window is journalled, so each is shaded")
	for i, w := range rec.Faults {
		assert.Equal(t, journal.FaultFlapKind, w.Kind)
		assert.Equal(t, i+1, w.Cycle)
		assert.Equal(t, 3, w.Cycles)
		assert.InDelta(t, time.Duration(100+300*i)*time.Millisecond, w.Start, float64(100*time.Millisecond))
		assert.InDelta(t, time.Duration(200+300*i)*time.Millisecond, w.End, float64(100*time.Millisecond))
		assert.False(t, w.ScenarioEnd.IsZero())
	}
}

func TestOverlappingFaults(t *testing.T) {
	one := 1.0
	base := time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)
	at := func(wallMs int) scenarios.Time {
		return scenarios.At(base.Add(time.Duration(wallMs) * 600 * time.Millisecond))
	}
	span := func(wallMs int) scenarios.Span { return scenarios.Span{D: time.Duration(wallMs) * time.Millisecond} }
	bw := scenarios.Bandwidth(2e6)
	faults := []scenarios.Fault{
		{Name: "a", Link: "client->portal", Toxic: "down", Toxicity: &one, At: at(0), For: span(400)},
		{Name: "b", Link: "client->portal", Toxic: "down", Toxicity: &one, At: at(200), For: span(400)},
		{Name: "c", Link: "portal->registry.tax", Toxic: "bandwidth", Stream: "both", Toxicity: &one, Bandwidth: &bw, At: at(100), For: span(200)},
	}
	fakes, rec, _ := runSchedule(t, faults, "client->portal", "portal->registry.tax")

	portal := fakes["client->portal"].calls
	require.Len(t, portal, 2, "two overlapping downs on one link: down once, up once, when the last ends")
	assert.Equal(t, "disable", portal[0].what)
	assert.Equal(t, "enable", portal[1].what)
	assert.InDelta(t, 600*time.Millisecond, portal[1].at, float64(100*time.Millisecond))

	tax := fakes["portal->registry.tax"].calls
	var what []string
	for _, c := range tax {
		what = append(what, c.what)
	}
	assert.Equal(t, []string{"add bandwidth upstream", "add bandwidth downstream", "remove", "remove"}, what, "both streams")
	assert.Equal(t, toxiproxy.Attributes{"rate": int64(250)}, tax[0].attrs, "2 Mbps is 250 KB/s")
	assert.InDelta(t, 100*time.Millisecond, tax[0].at, float64(100*time.Millisecond), "composition: it does not wait for the other link")
	assert.Len(t, rec.Faults, 3)
}

func TestRampIsOneToxicThatMovesByItself(t *testing.T) {
	one := 1.0
	base := time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)
	f := scenarios.Fault{Name: "slowing", Link: "portal->identity", Toxic: "latency", Stream: "downstream", Toxicity: &one,
		At: scenarios.At(base), For: scenarios.Span{D: 300 * time.Millisecond}, Latency: ms(100), Ramp: &scenarios.FaultRamp{Latency: ms(2000)}}
	fakes, rec, _ := runSchedule(t, []scenarios.Fault{f}, "portal->identity")
	calls := fakes["portal->identity"].calls
	require.Len(t, calls, 2, "no updates while it runs")
	assert.Equal(t, "add latency_ramp downstream", calls[0].what)
	assert.Equal(t, toxiproxy.Attributes{"latency": int64(100), "ramp_to": int64(2000), "ramp_ms": int64(300)}, calls[0].attrs)
	require.Len(t, rec.Faults, 1)
	assert.Equal(t, journal.FaultRampKind, rec.Faults[0].Kind)
	assert.Equal(t, map[string]string{"latency": "100ms", "ramp_to": "2s", "stream": "downstream", "toxicity": "1"}, rec.Faults[0].Params)
}
