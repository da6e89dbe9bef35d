package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/reports"
	"github.com/thongsuot/thongsuot/scenarios"
	"github.com/thongsuot/thongsuot/units"
)

// wireSizes reads a run's bytes per request per class (summary.json): what the plan's
// bandwidth is computed from.
func wireSizes(runDir string) (map[string]load.WireSize, error) {
	data, err := os.ReadFile(filepath.Join(runDir, reports.SummaryFile))
	if err != nil {
		return nil, fmt.Errorf("--bytes-from: %w", err)
	}
	var sum reports.Summary
	if err := json.Unmarshal(data, &sum); err != nil {
		return nil, fmt.Errorf("--bytes-from %s: %w", runDir, err)
	}
	out := map[string]load.WireSize{}
	for _, c := range sum.Classes {
		if c.Sent > 0 && c.BytesIn+c.BytesOut > 0 {
			out[c.Class] = load.WireSize{In: float64(c.BytesIn) / float64(c.Sent), Out: float64(c.BytesOut) / float64(c.Sent)}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--bytes-from %s: no class with bytes counted (a run from before bytes were counted?)", runDir)
	}
	return out, nil
}

// printPlanBandwidth prints the Mbps each tier and province moves at the plan's peak,
// each way, and draws them into path.
func printPlanBandwidth(w io.Writer, s *scenarios.Scenario, plan *load.Plan, sizes map[string]load.WireSize, from, path string) error {
	zone, _ := time.LoadLocation(s.Clock.Zone)
	peak := load.Peak(plan.Series(planSpans))
	tiers, provinces, missing := plan.TrafficAt(peak.Scenario, sizes)
	fmt.Fprintf(w, "\nbandwidth at the peak (%s, scale %s, real time), bytes per request of %s:\n",
		peak.Scenario.In(zone).Format("02 Jan 15:04"), number(plan.Scale), from)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "tier\tunits\tup Mbps\tdown Mbps\tper unit up\tper unit down\t\n")
	counts := plan.Population.TierCounts()
	var tierBars []reports.TrafficBar
	for _, t := range scenarios.Tiers {
		up, down := tiers[t].Mbps()
		n := max(counts[t], 1)
		fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\t%.4f\t%.4f\t\n", t, counts[t], up, down, up/float64(n), down/float64(n))
		tierBars = append(tierBars, reports.TrafficBar{Name: t, UpMbps: up, DownMbps: down})
	}
	tw.Flush()
	names := map[string]string{}
	for _, p := range units.Provinces() {
		names[p.Code] = p.NameEN
	}
	var provBars []reports.TrafficBar
	for code, tr := range provinces {
		up, down := tr.Mbps()
		provBars = append(provBars, reports.TrafficBar{Name: names[code], UpMbps: up, DownMbps: down})
	}
	sort.Slice(provBars, func(i, j int) bool { return provBars[i].DownMbps > provBars[j].DownMbps })
	fmt.Fprintf(w, "\nper province, busiest first:\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "province\tup Mbps\tdown Mbps\t\n")
	for _, b := range provBars {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t\n", b.Name, b.UpMbps, b.DownMbps)
	}
	tw.Flush()
	if len(missing) > 0 {
		fmt.Fprintf(w, "  left out (no bytes counted in %s): %s\n", from, strings.Join(missing, ", "))
	}
	title := fmt.Sprintf("%s: Mbps at the peak, %s", s.Name, peak.Scenario.In(zone).Format("02 Jan 15:04"))
	return reports.WriteTrafficBars(path, title, tierBars, provBars)
}
