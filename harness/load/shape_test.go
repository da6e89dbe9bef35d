package load

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/scenarios"
)

var ict = time.FixedZone("ICT", 7*3600)

func TestDiurnalAveragesOneAndPassesThroughItsPoints(t *testing.T) {
	points := scenarios.Diurnal{0.25, 0.15, 0.1, 0.08, 0.1, 0.2, 0.45, 0.75, 0.95, 1, 1, 0.95, 0.85, 0.9, 1, 1, 0.95, 0.95, 1.1, 1.3, 1.3, 1.3, 0.9, 0.5}
	s := NewShape(ict, points, nil, nil)
	day := time.Date(2025, 7, 2, 0, 0, 0, 0, ict)
	mean, prev := 0.0, -1.0
	for m := 0; m < 24*60; m++ {
		v := s.At(day.Add(time.Duration(m) * time.Minute))
		require.GreaterOrEqual(t, v, 0.0, "never negative")
		if prev >= 0 {
			require.InDelta(t, prev, v, 0.02, "smooth: minute %d", m)
		}
		prev = v
		mean += v / (24 * 60)
	}
	assert.InDelta(t, 1, mean, 0.002, "a diurnal shape only redistributes the day's traffic")
	assert.InDelta(t, s.At(day.Add(-time.Second)), s.At(day), 1e-3, "smooth across midnight")

	tests := []struct{ a, b int }{{19, 3}, {9, 12}, {20, 0}}
	for _, tt := range tests {
		ratio := s.At(day.Add(time.Duration(tt.a)*time.Hour+30*time.Minute)) / s.At(day.Add(time.Duration(tt.b)*time.Hour+30*time.Minute))
		assert.InDelta(t, points[tt.a]/points[tt.b], ratio, 1e-6, "hour %d vs %d: each point sits mid-hour", tt.a, tt.b)
	}
}

func TestWeeklyFactors(t *testing.T) {
	mon, sun := 1.4, 0.0
	s := NewShape(ict, nil, &scenarios.Weekly{Mon: &mon, Sun: &sun}, nil)
	monday := time.Date(2025, 6, 30, 10, 0, 0, 0, ict)
	sum := 0.0
	for d := 0; d < 7; d++ {
		sum += s.At(monday.AddDate(0, 0, d))
	}
	assert.InDelta(t, 7, sum, 1e-9, "weekly factors average 1")
	assert.InDelta(t, 1.4, s.At(monday)/s.At(monday.AddDate(0, 0, 1)), 1e-9, "Monday over Tuesday")
	assert.Zero(t, s.At(monday.AddDate(0, 0, 6)), "Sunday")
	assert.Equal(t, s.At(monday), s.At(monday.Add(-9*time.Hour+time.Minute)), "weekdays are counted in the scenario's zone")
}

func TestEventFactors(t *testing.T) {
	at := time.Date(2025, 7, 1, 8, 0, 0, 0, ict)
	spike := scenarios.Event{Spike: &scenarios.Spike{At: scenarios.At(at), Peak: 5,
		HalfLife: scenarios.Duration{Duration: 4 * time.Hour}, Rise: scenarios.Duration{Duration: 2 * time.Hour}}}
	until := scenarios.At(at.Add(time.Hour))
	step := scenarios.Event{Step: &scenarios.Step{At: scenarios.At(at), Until: &until, Factor: 0.5}}
	ramp := scenarios.Event{Ramp: &scenarios.Ramp{From: scenarios.At(at), To: scenarios.At(at.Add(10 * time.Hour)), FromFactor: 0.3, ToFactor: 1}}
	tests := []struct {
		name  string
		event scenarios.Event
		at    time.Duration
		want  float64
	}{
		{"spike before its rise", spike, -3 * time.Hour, 1},
		{"spike half-way up", spike, -time.Hour, 3},
		{"spike at its peak", spike, 0, 5},
		{"spike one half-life on", spike, 4 * time.Hour, 3},
		{"spike two half-lives on", spike, 8 * time.Hour, 2},
		{"step inside", step, 30 * time.Minute, 0.5},
		{"step at until", step, time.Hour, 1},
		{"ramp before its start: no event yet", ramp, -time.Hour, 1},
		{"ramp at its start", ramp, 0, 0.3},
		{"ramp midway", ramp, 5 * time.Hour, 0.65},
		{"ramp after", ramp, 11 * time.Hour, 1},
	}
	for _, tt := range tests {
		assert.InDelta(t, tt.want, factor(tt.event, at.Add(tt.at)), 1e-9, tt.name)
	}
}

// The foundation's form — one baseline, weights, load.events — keeps its meaning;
// entries with a rate of their own stand apart, and each follows its own shape.
func TestCurvesPerMixEntry(t *testing.T) {
	src := `name: t
clock: {start: 2025-07-01 00:00, end: +2d, compress: 3600}
load:
  baseline: 100/s
  events: [{step: {at: +1d, factor: 2}}]
  shapes:
    office: {diurnal: [0,0,0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,0,0,0,0,0,0,0]}
mix:
  - {class: catalogue, weight: 3}
  - {class: login, weight: 1}
  - {journey: official-queue, rate: 5/s, shape: office}
slos: {window: 1h, objectives: [{name: a, kind: availability, target: 99%}]}
`
	s, err := scenarios.Parse([]byte(src), "t.yaml")
	require.NoError(t, err)
	curves, err := NewCurves(s)
	require.NoError(t, err)
	require.Len(t, curves, 3)
	noon := time.Date(2025, 7, 1, 12, 30, 0, 0, ict)
	night := time.Date(2025, 7, 1, 2, 30, 0, 0, ict)
	assert.InDelta(t, 75, curves[0].At(noon), 1e-9)
	assert.InDelta(t, 25, curves[1].At(night), 1e-9)
	assert.InDelta(t, 150, curves[0].At(noon.Add(24*time.Hour)), 1e-9, "load.events apply to every entry")
	assert.Zero(t, curves[2].At(night), "the office shape is closed at night")
	assert.InDelta(t, 5*24.0/9, curves[2].At(noon), 1e-6, "open 9 hours of 24, averaging 5/s")
	assert.InDelta(t, 5*86400, curves[2].Integrate(noon.Add(-12*time.Hour-30*time.Minute), noon.Add(11*time.Hour+30*time.Minute)), 5*86400*0.01)
}

func TestPlanIntendedPerJourneyStep(t *testing.T) {
	s := parseScenario(t, "+1h", 60, "\n  baseline: 10/s")
	s.Mix = []scenarios.Class{{Journey: "citizen-dossier", Weight: 1, MixOptions: scenarios.MixOptions{Think: scenarios.Span{D: time.Second}}}}
	plan, err := NewPlan(s)
	require.NoError(t, err)
	require.Equal(t, []string{"citizen-dossier.page", "citizen-dossier.login", "citizen-dossier.catalogue", "citizen-dossier.unit",
		"citizen-dossier.submit", "citizen-dossier.upload", "citizen-dossier.pay", "citizen-dossier.status"}, plan.Classes)
	j := plan.Flows[0].Journey
	assert.Equal(t, []time.Duration{6400 * time.Millisecond, 7400 * time.Millisecond}, j.offsets(7, time.Second),
		"status follows six steps (the page load first) and 40 % of a pay step")
	wall := plan.Clock.WallDuration()
	assert.InDelta(t, 600, plan.Intended(0, 0, wall), 1, "10/s for 60 s")
	assert.InDelta(t, 0.4*(600-10*1*6), plan.Intended(6, 0, wall), 1, "pay: 40 %, less the journeys whose pay falls after the end")
	assert.InDelta(t, 0, plan.Intended(7, 0, 6*time.Second), 1e-9, "no status before its offset")
	assert.InDelta(t, 10, plan.Intended(4, 10*time.Second, 11*time.Second), 0.01, "a second of submits")
	assert.False(t, math.IsNaN(plan.Total()))
}
