// Package reports renders a run directory: summary.json, junit.xml and the plots. It
// reads only the directory (the resolved scenario and the journal), so any past run,
// even one that was killed, renders again the same way.
package reports

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/thongsuot/thongsuot/harness/clock"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/scenarios"
)

// Run is a run directory read back: everything a report draws on.
type Run struct {
	Dir      string
	Scenario *scenarios.Scenario
	Clock    clock.Clock
	Zone     *time.Location
	Journal  *metrics.Record
	Verdict  slo.Verdict
}

// Read loads a run directory and judges it.
func Read(dir string) (*Run, error) {
	data, err := os.ReadFile(filepath.Join(dir, scenarios.ResolvedFile))
	if err != nil {
		return nil, fmt.Errorf("%s is not a run directory: %w", dir, err)
	}
	s, err := scenarios.Parse(data, filepath.Join(dir, scenarios.ResolvedFile))
	if err != nil {
		return nil, err
	}
	rec, err := metrics.ReadJournal(dir)
	if err != nil {
		return nil, err
	}
	zone, err := time.LoadLocation(s.Clock.Zone)
	if err != nil {
		zone = time.UTC
	}
	return &Run{
		Dir: dir, Scenario: s, Journal: rec, Zone: zone,
		Clock:   clock.Clock{Start: s.Clock.Start.Time, End: s.Clock.End.Time, Compress: s.Clock.Compress},
		Verdict: slo.Evaluate(s.SLOs, rec),
	}, nil
}

// Render writes every report of the run directory into it and returns the summary.
func Render(dir string) (*Summary, error) {
	r, err := Read(dir)
	if err != nil {
		return nil, err
	}
	sum := NewSummary(r)
	for _, out := range []struct {
		file  string
		write func(*Run, string) error
	}{
		{SummaryFile, func(r *Run, path string) error { return sum.Write(path) }},
		{JUnitFile, WriteJUnit},
		{LatencyFile, WriteLatencyPlot},
	} {
		if err := out.write(r, filepath.Join(dir, out.file)); err != nil {
			return nil, fmt.Errorf("writing %s: %w", out.file, err)
		}
	}
	return sum, nil
}
