package sizing

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"
	"time"
)

// Sizing is what `thongsuot size` found: the file sizing.json.
type Sizing struct {
	Scenario string    `json:"scenario"`
	Units    int       `json:"units"` // the link carries this many units' traffic (the scenario's load × Units)
	Started  time.Time `json:"started"`
	Took     float64   `json:"took_seconds"`
	Results  []Result  `json:"tiers"`
}

// Chosen is the probe the answer rests on: the last that held at Minimum.
func (r Result) Chosen() (Probe, bool) {
	if i := r.chosen(); i >= 0 {
		return r.Probes[i], true
	}
	return Probe{}, false
}

// chosen is Chosen's index in Probes, -1 without one: two probes at one bandwidth can be
// equal in every field, so only the index tells the chosen one.
func (r Result) chosen() int {
	for i := len(r.Probes) - 1; i >= 0; i-- {
		if p := r.Probes[i]; p.Verdict == Held && p.Mbps == r.Minimum && r.Found {
			return i
		}
	}
	return -1
}

// WriteTable writes the answer per tier for a terminal.
func (s Sizing) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "tier\tmeasured minimum\tanalytic (up / down)\tmeasured ÷ analytic\tfailed at\tp95 there\tavailability there\tprobes\tretried\n")
	for _, r := range s.Results {
		minimum, ratio, p95, avail := "not found", "", "", ""
		if r.Found {
			minimum = mbpsText(r.Minimum)
			ratio = fmt.Sprintf("%.2f", r.Ratio())
			if p, ok := r.Chosen(); ok {
				p95 = p.P95.Round(time.Millisecond).String()
				if p.P95Limit > 0 {
					p95 += " ≤ " + p.P95Limit.String()
				}
				avail = fmt.Sprintf("%.2f %%", p.Availability)
			}
		}
		bracket := ""
		if r.Bracket > 0 {
			bracket = mbpsText(r.Bracket)
		}
		fmt.Fprintf(tw, "%s\t%s\t%.2f (%.2f / %.2f) Mbps\t%s\t%s\t%s\t%s\t%d\t%d\n", r.Tier, minimum, r.Analytic, r.UpMbps, r.DownMbps,
			ratio, bracket, p95, avail, len(r.Probes), r.Retried)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range s.Results {
		if r.Note != "" {
			fmt.Fprintf(w, "  %s: %s\n", r.Tier, r.Note)
		}
		for _, u := range r.Unjudged {
			fmt.Fprintf(w, "  %s: the probes at %s could not be judged (harness saturated): taken as not holding, so the minimum may be high\n", r.Tier, mbpsText(u))
		}
	}
	if s.Units > 1 {
		fmt.Fprintf(w, "  each link carries %d units' traffic (--units)\n", s.Units)
	}
	return nil
}

// WriteJSON writes sizing.json.
func (s Sizing) WriteJSON(path string) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// csvHeader is sizing.csv's first line: one row per probe.
var csvHeader = []string{"tier", "mbps", "verdict", "retry", "chosen", "p95_ms", "p95_limit_ms", "availability_pct",
	"availability_target_pct", "up_mbps", "down_mbps", "analytic_mbps", "minimum_mbps", "wall_s", "why", "dir"}

// WriteCSV writes sizing.csv: every probe, the chosen one marked, with its tier's answer.
func (s Sizing) WriteCSV(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write(csvHeader)
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }
	for _, r := range s.Results {
		chosen := r.chosen()
		minimum := ""
		if r.Found {
			minimum = num(r.Minimum)
		}
		for i, p := range r.Probes {
			_ = w.Write([]string{r.Tier, num(p.Mbps), p.Verdict, strconv.FormatBool(p.Retry),
				strconv.FormatBool(i == chosen), num(ms(p.P95)), num(ms(p.P95Limit)), num(p.Availability),
				num(p.Target), num(p.UpMbps), num(p.DownMbps), num(r.Analytic), minimum, num(p.Wall.Seconds()), p.Why, p.Dir})
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
