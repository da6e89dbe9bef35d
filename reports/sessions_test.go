package reports

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	jsv "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/journal"
)

// A run's sessions and the provinces' intake reach summary.json (valid against the
// schema), a sessions plot and report.html.
func TestSessionsAndProvincesAreReported(t *testing.T) {
	dir := writeRun(t, true)
	start := time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)
	sessions := &journal.Sessions{Started: 200, Ended: 180, Peak: 40, MeanInFlight: 30, ArrivalRate: 20, MeanSeconds: 1.5,
		LittlesLaw: 30, Ratio: 1, Planned: 29, PlannedPeak: 120000}
	for i := range 10 {
		sessions.Windows = append(sessions.Windows, journal.SessionWindow{Index: i, Start: time.Duration(i) * time.Second,
			Scenario: start.Add(time.Duration(i) * time.Minute), Mean: 30, Peak: 40, Started: 20})
	}
	require.NoError(t, journal.WriteSessions(dir, sessions))
	require.NoError(t, journal.WriteProvinces(dir, &journal.Provinces{Dossiers: 12,
		Received: []journal.ProvinceIntake{{Province: "01", Dossiers: 5, LagP50: 120, LagP99: 300, LagMax: 310},
			{Province: "79", Dossiers: 7, LagP50: 150, LagP99: 4100, LagMax: 4200}}}))

	sum, err := Render(dir)
	require.NoError(t, err)
	require.NotNil(t, sum.Sessions)
	assert.Equal(t, 1.0, sum.Sessions.Ratio)
	require.NotNil(t, sum.Provinces)
	assert.Equal(t, int64(12), sum.Provinces.Dossiers)
	assert.FileExists(t, filepath.Join(dir, "sessions.png"))

	html, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	require.NoError(t, err)
	assert.Contains(t, string(html), "Sessions in progress")
	assert.Contains(t, string(html), "L/λW = 1.000")
	assert.Contains(t, string(html), "4200 ms")

	c := jsv.NewCompiler()
	doc, err := jsv.UnmarshalJSON(openFile(t, schemaFile))
	require.NoError(t, err)
	require.NoError(t, c.AddResource("schema.json", doc))
	schema, err := c.Compile("schema.json")
	require.NoError(t, err)
	v, err := jsv.UnmarshalJSON(openFile(t, filepath.Join(dir, SummaryFile)))
	require.NoError(t, err)
	assert.NoError(t, schema.Validate(v))
}
