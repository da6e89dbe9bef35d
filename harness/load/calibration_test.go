package load

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/scenarios"
	"github.com/thongsuot/thongsuot/units"
)

// dossierJourneys are the journeys whose submit step files a dossier.
var dossierJourneys = map[string]bool{"citizen-dossier": true, "birth-bundle": true, "death-bundle": true}

// dossiersIn integrates the scenario's rate model at scale 1: the dossiers its mix files
// at the units in between from and to (scenario time).
func dossiersIn(t *testing.T, s *scenarios.Scenario, in func(units.Unit) bool, from, to time.Time) float64 {
	t.Helper()
	curves, err := NewCurves(s)
	require.NoError(t, err)
	pop := NewPopulation(s.Load.Population)
	total := 0.0
	for i, m := range s.Mix {
		if !dossierJourneys[m.Journey] {
			continue
		}
		j, _ := scenarios.FindJourney(m.Journey)
		submit, ok := j.Step("submit")
		require.True(t, ok, "journey %s has a submit step", m.Journey)
		total += curves[i].Integrate(from, to) * pop.Share(m.Tier, in) * submit.Share * float64(submit.Repeat)
	}
	return total
}

// S1: Hanoi filed 66,000 dossiers across its 126 communes and wards in its first three
// weeks. The july1-surge model, integrated at scale 1, must say the same within 5 %.
func TestHanoiCalibration(t *testing.T) {
	s, err := scenarios.Open("july1-surge")
	require.NoError(t, err)
	ict := time.FixedZone("ICT", 7*3600)
	hanoi := func(u units.Unit) bool { return u.ProvinceCode == "01" }
	n := 0
	for _, u := range units.All() {
		if hanoi(u) {
			n++
		}
	}
	require.Equal(t, 126, n, "Hanoi's units")
	got := dossiersIn(t, s, hanoi, time.Date(2025, 7, 1, 0, 0, 0, 0, ict), time.Date(2025, 7, 22, 0, 0, 0, 0, ict))
	t.Logf("Hanoi, 1–21 July, scale 1: %.0f dossiers (S1: 66,000)", got)
	assert.InEpsilon(t, 66_000, got, 0.05)
}
