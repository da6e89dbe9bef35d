package harness

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/scenarios"
)

// runText runs a scenario written out in full on the embedded runtime and reads its
// journal back.
func runText(t *testing.T, text string) *journal.Record {
	t.Helper()
	if testing.Short() {
		t.Skip("brings the embedded runtime up and sends load")
	}
	s, err := scenarios.Parse([]byte(text), "fidelity.yaml")
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "run")
	require.NoError(t, Run(context.Background(), s, Options{Dir: dir}))
	rec, err := journal.Read(dir)
	require.NoError(t, err)
	for _, f := range rec.Faults {
		require.Empty(t, f.Error, "fault %s applied and removed", f.Name)
	}
	return rec
}

// window is one class's window of a run, by the window's index.
func window(rec *journal.Record, class string, index int) *metrics.Window {
	for _, w := range rec.Windows {
		if w.Class == class && w.Index == index {
			return w
		}
	}
	return &metrics.Window{Codes: map[string]int64{}}
}

// share is the share of a window's requests answered with code ("0": transport errors).
func share(w *metrics.Window, codes ...string) float64 {
	if w.Sent == 0 {
		return 0
	}
	n := int64(0)
	for _, c := range codes {
		n += w.Codes[c]
	}
	return float64(n) / float64(w.Sent)
}

// Knob faults turn the identity provider's knobs during a run and put them back: its
// error rate (500s), its capacity (503 queue full, as an overloaded VNeID), and
// maintenance (503 with a notice) together with client->identity refusing connections half the time —
// calibration F24's connection errors and maintenance notices. Logins only suffer in
// their windows; the catalogue, on the portal, never; before and after, nothing fails.
func TestKnobFaultsChangeTheStubDuringTheRun(t *testing.T) {
	rec := runText(t, `
version: 1
name: knobs
clock: {start: 2025-06-30 07:50, end: +14m, compress: 60}
load:
  baseline: 50/s
  users: 10
  timeout: 5s
  seed: 1
mix:
  - {class: login, weight: 3}
  - {class: catalogue, weight: 2}
faults:
  - {name: VNeID erroring, at: +2m, for: 3m scenario, knob: identity, set: {error_rate: 50%}}
  - {name: VNeID at capacity, at: +6m, for: 3m scenario, knob: identity, set: {capacity: 1, queue_limit: 1, latency_median: 100ms}}
  - {name: VNeID maintenance, at: +10m, for: 2m scenario, knob: identity, set: {maintenance: true}}
  - {name: VNeID connections refused, at: +10m, link: client->identity, toxic: down, flap: {period: 20s scenario, down_for: 10s scenario, count: 6}}
slos:
  window: 1m
  min_requests: 1
  objectives:
    - {name: availability, kind: availability, target: 99%}
`)
	for _, tt := range []struct {
		window   int
		codes    []string
		min, max float64
	}{
		{0, []string{"500", "503", "0"}, 0, 0},  // healthy before
		{3, []string{"500"}, 0.25, 0.75},        // error_rate 50%
		{3, []string{"503"}, 0, 0},              //
		{7, []string{"503"}, 0.5, 1},            // 30 logins/s into 1 slot of 100 ms: most refused
		{11, []string{"503"}, 0.2, 0.8},         // maintenance, for what gets through…
		{11, []string{"0"}, 0.2, 0.8},           // …the connections reset half of
		{11, []string{"500"}, 0, 0},             // the error rate was put back
		{13, []string{"500", "503", "0"}, 0, 0}, // restored after
	} {
		w := window(rec, "login", tt.window)
		require.Positive(t, w.Sent, "window %d sent logins", tt.window)
		got := share(w, tt.codes...)
		assert.GreaterOrEqual(t, got, tt.min, "login window %d codes %v: %v", tt.window, tt.codes, w.Codes)
		assert.LessOrEqual(t, got, tt.max, "login window %d codes %v: %v %v", tt.window, tt.codes, w.Codes, w.Errors)
	}
	for i := range 14 {
		w := window(rec, "catalogue", i)
		assert.Zero(t, share(w, "500", "503", "0"), "catalogue window %d untouched: %v", i, w.Codes)
	}
	var knobs int
	for _, f := range rec.Faults {
		if f.Action == scenarios.ActionKnob {
			knobs++
			assert.Positive(t, f.End, "%s removed", f.Name)
		}
	}
	assert.Equal(t, 3, knobs, "each knob fault journalled")
}

// A fault with units hits only those units' users: with Ho Chi Minh City given 40 % of
// the traffic, its link down leaves about 60 % of the catalogue answered in the fault's
// windows, and everything before and after.
func TestFaultOnSomeUnitsHitsOnlyThem(t *testing.T) {
	rec := runText(t, `
version: 1
name: units
clock: {start: 2025-07-11 09:00, end: +8m, compress: 60}
load:
  baseline: 60/s
  users: 0
  timeout: 5s
  seed: 1
  population:
    areas:
      "79": {share: 40%}
mix:
  - {class: catalogue, weight: 1}
faults:
  - {name: network problems at units, at: +2m, for: 4m scenario, link: client->portal, units: ["79"], toxic: down}
slos:
  window: 1m
  min_requests: 1
  objectives:
    - {name: availability, kind: availability, target: 99%}
`)
	for _, i := range []int{0, 7} {
		w := window(rec, "catalogue", i)
		require.Positive(t, w.Sent)
		assert.Zero(t, share(w, "0", "502", "503"), "window %d: %v", i, w.Codes)
	}
	for _, i := range []int{3, 4} {
		w := window(rec, "catalogue", i)
		require.Positive(t, w.Sent)
		assert.InDelta(t, 0.4, share(w, "0", "502", "503"), 0.15, "window %d: the units' share failed, no more: %v", i, w.Codes)
	}
}

// Every dossier the portal stores reaches its province's case-handling system over the
// national document exchange and that province's own link; with Ho Chi Minh City's
// link down for 4 s its dossiers wait for it, and nobody else's do.
func TestDossiersReachTheirProvinceOverItsOwnLink(t *testing.T) {
	rec := runText(t, `
version: 1
name: provinces
clock: {start: 2025-07-01 08:00, end: +9m, compress: 60}
load:
  baseline: 40/s
  users: 20
  timeout: 5s
  seed: 1
mix:
  - {class: submit, weight: 1}
faults:
  - {name: HCMC case system unreachable, at: +2m, for: 4s, link: exchange->province.79, toxic: down}
slos:
  window: 1m
  min_requests: 1
  objectives:
    - {name: availability, kind: availability, target: 99%}
    - {name: no dossier lost, kind: zero_loss}
`)
	require.NotNil(t, rec.Provinces, "provinces.json")
	require.Empty(t, rec.Provinces.Error)
	require.NotNil(t, rec.Reconciliation)
	assert.GreaterOrEqual(t, rec.Provinces.Dossiers, int64(rec.Reconciliation.Acknowledged),
		"every acknowledged dossier (and the set-up users') reached a province")
	var hcmc journal.ProvinceIntake
	var others []float64
	for _, p := range rec.Provinces.Received {
		if p.Province == "79" {
			hcmc = p
		} else if p.Dossiers > 0 {
			others = append(others, p.LagMax)
		}
	}
	require.Positive(t, hcmc.Dossiers, "Ho Chi Minh City received its dossiers after the fault")
	assert.GreaterOrEqual(t, hcmc.LagMax, 3000.0, "its dossiers waited out the 4 s outage: %+v", hcmc)
	require.NotEmpty(t, others)
	slices.Sort(others)
	assert.Less(t, others[len(others)/2], 2000.0, "the other provinces' dossiers did not wait: max lags %v", others)
	t.Logf("%d dossiers received; Ho Chi Minh City %d, lag max %.0f ms; other provinces' median max lag %.0f ms",
		rec.Provinces.Dossiers, hcmc.Dossiers, hcmc.LagMax, others[len(others)/2])
}

// A run records the sessions it had in progress, window by window, and Little's law
// over the run holds: the mean number in progress equals the rate sessions began times
// their mean length, and both sit near what the plan expects at this compression.
func TestSessionsAtRunTimeKeepLittlesLaw(t *testing.T) {
	rec := runText(t, journeyScenario("sessions", "baseline: 20/s", "{journey: citizen-lookup, weight: 1, think: 60s scenario}"))
	s := rec.Sessions
	require.NotNil(t, s, "sessions.json")
	assert.Positive(t, s.Started)
	assert.Positive(t, s.Ended)
	assert.InDelta(t, 1, s.Ratio, 0.2, "L = λW: L %.2f, λ %.2f/s, W %.2f s", s.MeanInFlight, s.ArrivalRate, s.MeanSeconds)
	// Three thinks of a wall second each: about 60 sessions in progress at 20 a second.
	require.Positive(t, s.Planned)
	assert.InDelta(t, 1, s.MeanInFlight/s.Planned, 0.5, "measured %.1f in progress, planned %.1f", s.MeanInFlight, s.Planned)
	assert.GreaterOrEqual(t, float64(s.Peak), s.MeanInFlight)
	require.NotEmpty(t, s.Windows)
	assert.Positive(t, s.Windows[len(s.Windows)/2].Mean, "a window in the middle had sessions in progress")
	assert.Positive(t, s.PlannedPeak)
	t.Logf("L %.2f in progress (planned %.2f), λ %.2f/s, W %.2f s, λW %.2f, L/λW %.3f, peak %d",
		s.MeanInFlight, s.Planned, s.ArrivalRate, s.MeanSeconds, s.LittlesLaw, s.Ratio, s.Peak)
}

// A closed entry keeps its users in sessions: after the first cycle, as many are in
// progress as the run plays (never more), every window's journeys are sent and none
// is dropped, and Little's law holds with the measured session lengths.
func TestClosedUsersAreAlwaysInASession(t *testing.T) {
	rec := runText(t, journeyScenario("closed", "", "{journey: citizen-lookup, concurrent_users: 2400, think: 30s scenario}"))
	s := rec.Sessions
	require.NotNil(t, s, "sessions.json")
	assert.LessOrEqual(t, s.Peak, int64(40), "40 users in the run: never more sessions")
	assert.InDelta(t, 40, s.Planned, 0.5, "the plan: every user in a session")
	late := s.Windows[len(s.Windows)-3] // after the first cycle (2 s), before the end
	assert.InDelta(t, 40, late.Mean, 4, "window %d: every user in a session", late.Index)
	assert.InDelta(t, 1, s.Ratio, 0.2, "L = λW: L %.2f, λ %.2f/s, W %.2f s", s.MeanInFlight, s.ArrivalRate, s.MeanSeconds)
	sent, dropped := int64(0), int64(0)
	for _, w := range rec.Windows {
		sent += w.Sent
		dropped += w.Dropped
	}
	assert.Positive(t, sent)
	assert.Zero(t, dropped, "a closed user never drops a journey")
}

// journeyScenario is 8 scenario minutes at 60× of one journey entry, judged on
// availability in every minute that has a request.
func journeyScenario(name, rate, entry string) string {
	return fmt.Sprintf(`
version: 1
name: %s
clock: {start: 2025-07-01 08:00, end: +8m, compress: 60}
load:
  %s
  users: 0
  timeout: 5s
  seed: 1
  population: {citizens: 200}
mix:
  - %s
slos:
  window: 1m
  min_requests: 1
  objectives:
    - {name: availability, kind: availability, target: 99%%}
`, name, rate, entry)
}
