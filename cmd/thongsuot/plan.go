package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"github.com/thongsuot/thongsuot/harness/fault"
	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/reports"
	"github.com/thongsuot/thongsuot/scenarios"
)

// planSpans is how finely the plan looks for its peak: 10 scenario minutes per span on
// a 24-day scenario.
const planSpans = 3000

func newPlanCmd() *cobra.Command {
	var (
		out       string
		scale     float64
		compress  float64
		bytesFrom string
	)
	cmd := &cobra.Command{
		Use:   "plan SCENARIO",
		Short: "Show what a scenario will send, without sending anything",
		Long: `Plan reads a scenario and prints its timeline — events, faults, SLO windows — with
the peak request rate, the requests planned per class, the total and how long the run
takes on the wall clock. It writes plan.png: the planned request rate over scenario time,
per mix entry and in total, events marked and labelled, faults shaded. Nothing is sent.

--scale and --compress override the scenario's: at --scale 1 the rates are the real,
national ones the scenario models.`,
		Example: `  thongsuot plan july1-surge                     # the surge as the default run plays it
  thongsuot plan july1-surge --scale 1 --out out/plan   # real national rates
  thongsuot plan my.yaml --compress 7200                # how long at twice the speed
  thongsuot plan july1-surge --scale 1 --bytes-from out/surge-1   # Mbps per tier and province at the peak`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := scenarios.Open(args[0])
			if err != nil {
				return &exitError{code: slo.ExitError, err: err}
			}
			var overrides []string
			if cmd.Flags().Changed("scale") {
				s.Load.Scale = scale
				overrides = append(overrides, "--scale "+number(scale))
			}
			if cmd.Flags().Changed("compress") {
				s.Clock.Compress = compress
				overrides = append(overrides, "--compress "+number(compress))
			}
			if s, err = revalidate(s, overrides); err != nil {
				return &exitError{code: slo.ExitError, err: err}
			}
			plan, err := load.NewPlan(s)
			if err != nil {
				return &exitError{code: slo.ExitError, err: err}
			}
			markers := load.ScenarioMarkers(s)
			printPlan(cmd.OutOrStdout(), s, plan, markers)
			if out == "" {
				out = filepath.Join("out", "plan-"+s.Name)
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return &exitError{code: slo.ExitError, err: err}
			}
			path := filepath.Join(out, reports.PlanFile)
			if err := reports.WritePlan(path, s, plan, markers); err != nil {
				return &exitError{code: slo.ExitError, err: fmt.Errorf("plan.png: %w", err)}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "\nplot: %s\n", path)
			if bytesFrom != "" {
				sizes, err := wireSizes(bytesFrom)
				if err != nil {
					return &exitError{code: slo.ExitError, err: err}
				}
				bw := filepath.Join(out, reports.PlanBandwidthFile)
				if err := printPlanBandwidth(cmd.OutOrStdout(), s, plan, sizes, bytesFrom, bw); err != nil {
					return &exitError{code: slo.ExitError, err: fmt.Errorf("%s: %w", reports.PlanBandwidthFile, err)}
				}
				fmt.Fprintf(cmd.OutOrStdout(), "plot: %s\n", bw)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory for plan.png (default out/plan-<scenario>)")
	cmd.Flags().Float64Var(&scale, "scale", 0, "override load.scale (1 = the real rates)")
	cmd.Flags().Float64Var(&compress, "compress", 0, "override clock.compress (scenario seconds per wall second)")
	cmd.Flags().StringVar(&bytesFrom, "bytes-from", "", "a run directory whose bytes per request per class give the Mbps per tier and province at the peak (printed, and drawn in plan-bandwidth.png)")
	return cmd
}

// revalidate validates a scenario again after flags changed it, as if its file said what
// the flags say: an override meets the ranges and limits the file's value met (a NaN
// compress, or one that makes the run longer than a day, is refused before anything is
// planned).
func revalidate(s *scenarios.Scenario, overrides []string) (*scenarios.Scenario, error) {
	if len(overrides) == 0 {
		return s, nil
	}
	data, err := scenarios.Marshal(s)
	if err != nil {
		return nil, err
	}
	checked, err := scenarios.Parse(data, s.File)
	var problems scenarios.Errors
	if errors.As(err, &problems) {
		for i := range problems {
			problems[i].File, problems[i].Line = strings.Join(overrides, " "), 0 // the flags, not the file, said it
		}
		return nil, problems
	}
	return checked, err
}

func printPlan(w io.Writer, s *scenarios.Scenario, plan *load.Plan, markers []load.Marker) {
	zone, _ := time.LoadLocation(s.Clock.Zone)
	at := func(t time.Time) string { return t.In(zone).Format("Mon 2006-01-02 15:04") }
	c := plan.Clock
	wall := c.WallDuration()
	fmt.Fprintf(w, "%s: %s → %s %s (%s of scenario time)\n", s.Name, at(c.Start), at(c.End), s.Clock.Zone, c.End.Sub(c.Start))
	fmt.Fprintf(w, "  played at %g× in %s of wall time, scale %g\n", c.Compress, wall.Round(time.Second), plan.Scale)
	series := plan.Series(planSpans)
	peak := load.Peak(series)
	total := plan.Total()
	fmt.Fprintf(w, "  requests planned: %s (%.0f/s on average); peak %.0f requests/s at %s\n",
		thousands(total), total/wall.Seconds(), peak.Rate, at(peak.Scenario))
	printSessions(w, s, plan, at)

	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(w, "\nmix:")
	fmt.Fprintln(tw, "  entry\tkind\tbase rate\tshape\ttier\tarrivals\trequests")
	for i, f := range plan.Flows {
		kind, base, shape, tier := "class", "", "", orAny(f.Tier)
		switch {
		case f.Users > 0:
			kind = fmt.Sprintf("journey, closed: %s users, %s in the run (%d steps, session %s)",
				thousands(float64(s.Mix[i].ConcurrentUsers)), thousands(float64(f.Users)), len(f.Journey.Steps), f.Session.Round(time.Second))
		case f.Journey != nil:
			kind = fmt.Sprintf("journey (%d steps, session %s)", len(f.Journey.Steps), f.Session.Round(time.Second))
		case f.Replay != nil:
			kind = "replay"
		}
		if f.Replay == nil {
			base = fmt.Sprintf("%.3g/s", f.Curve.Base)
			if f.Users > 0 {
				base = fmt.Sprintf("≤ %.3g/s", f.Curve.Base) // every answer instant: the most its users ask
			}
			shape = orDash(s.Mix[i].Shape)
		}
		n := 0.0
		for _, k := range f.Classes {
			n += plan.Intended(k, 0, wall)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Name, kind, base, shape, tier, thousands(f.Arrivals.Total()), thousands(n))
	}
	tw.Flush()

	fmt.Fprintln(w, "\nrequests per class:")
	for _, ct := range plan.ClassTotals() {
		fmt.Fprintf(tw, "  %s\t%s\n", ct.Class, thousands(ct.Requests))
	}
	tw.Flush()

	if len(markers) > 0 {
		fmt.Fprintln(w, "\nevents (scenario time):")
		for _, m := range markers {
			span := at(m.At)
			if !m.Until.IsZero() {
				span += " → " + m.Until.In(zone).Format("01-02 15:04")
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", span, m.Kind, orDash(m.Label), whereMarker(m.Entry))
		}
		tw.Flush()
	}
	if len(s.Faults) > 0 {
		fmt.Fprintln(w, "\nfaults (each window in scenario time and in wall time from the start of the load):")
		for _, f := range s.Faults {
			windows := fault.Windows(f, c)
			params := journal.ParamText(fault.Params(f, windows[0].End-windows[0].Start))
			if params != "" {
				params = " (" + params + ")"
			}
			fmt.Fprintf(w, "  %s: %s%s%s\n", f.Name, f.Summary(), params, faultShape(f, len(windows)))
			for k, win := range windows {
				if k == maxPlanCycles && len(windows) > maxPlanCycles+1 {
					fmt.Fprintf(tw, "    … %d more cycles\t\t\n", len(windows)-k)
					break
				}
				cycle := ""
				if len(windows) > 1 {
					cycle = fmt.Sprintf("cycle %d: ", k+1)
				}
				fmt.Fprintf(tw, "    %s%s → %s\twall %s → %s\t(%s wall)\n", cycle,
					c.ToScenario(win.Start).In(zone).Format("Mon 2006-01-02 15:04:05"), c.ToScenario(win.End).In(zone).Format("15:04:05"),
					win.Start.Round(time.Millisecond), win.End.Round(time.Millisecond), (win.End - win.Start).Round(time.Millisecond))
			}
			tw.Flush()
		}
	}
	win := s.SLOs.Window.Duration
	fmt.Fprintf(w, "\nSLO windows: %d × %s (%s wall), judged from %d requests; %d objectives\n",
		int((wall+c.WallSpan(win)-1)/c.WallSpan(win)), win, c.WallSpan(win), s.SLOs.MinRequests, len(s.SLOs.Objectives))
	printJudged(tw, s, plan)
	tw.Flush()
	counts := plan.Population.TierCounts()
	var tiers []string
	for _, t := range scenarios.Tiers {
		tiers = append(tiers, fmt.Sprintf("%s %d", t, counts[t]))
	}
	fmt.Fprintf(w, "population: %d units (%s), %d citizen accounts\n", len(plan.Population.Units), strings.Join(tiers, ", "), plan.Population.Citizens)
}

// printSessions says how many journeys are in progress at once: at the peak in the
// world the scenario models (beside load.peak_sessions, F2's 120,000 for the July-1
// scenarios), in the run itself, and Little's law over the whole scenario.
func printSessions(w io.Writer, s *scenarios.Scenario, plan *load.Plan, at func(time.Time) string) {
	rate, length := plan.SessionRate()
	if rate == 0 {
		return
	}
	series := plan.SessionSeries(planSpans)
	peak := load.PeakSessions(series)
	mean := 0.0
	for _, pt := range series {
		mean += pt.Sessions / float64(len(series))
	}
	fmt.Fprintf(w, "  concurrent sessions at scale %g: peak %s at %s", plan.Scale, thousands(peak.Sessions), at(peak.Scenario))
	if target := s.Load.PeakSessions; target > 0 {
		atOne := peak.Sessions / plan.Scale // the target is the world's, at scale 1
		scaled := ""
		if plan.Scale != 1 {
			scaled = fmt.Sprintf(" (%s at scale 1)", thousands(atOne))
		}
		fmt.Fprintf(w, "%s against %s the portal is built for (load.peak_sessions): %+.1f %%", scaled, thousands(float64(target)), 100*(atOne/float64(target)-1))
	}
	fmt.Fprintf(w, "; about %s in flight in this run at %g×\n", thousands(peak.Sessions/plan.Clock.Compress), plan.Clock.Compress)
	if users, run := closedUsers(s, plan); users > 0 {
		fmt.Fprintf(w, "  closed users (always in a session): %s at scale 1, %s at scale %g, %s in this run\n",
			thousands(float64(users)), thousands(float64(users)*plan.Scale), plan.Scale, thousands(float64(run)))
	}
	fmt.Fprintf(w, "  Little's law: %.1f sessions/s × %s mean session = %s mean concurrent (the series' mean: %s)\n",
		rate, length.Round(time.Second), thousands(rate*length.Seconds()), thousands(mean))
}

// closedUsers are the users of the scenario's closed entries, in the world at scale 1
// and in the run.
func closedUsers(s *scenarios.Scenario, plan *load.Plan) (world, run int) {
	for i, f := range plan.Flows {
		if f.Users > 0 {
			world += s.Mix[i].ConcurrentUsers
			run += f.Users
		}
	}
	return world, run
}

// printJudged says in how many of its windows each availability and latency objective
// has at least min_requests planned: the windows a run at this scale can judge, before
// faults and saturation leave any out.
func printJudged(w io.Writer, s *scenarios.Scenario, plan *load.Plan) {
	c := plan.Clock
	for _, obj := range s.SLOs.Objectives {
		if obj.Kind != scenarios.KindAvailability && obj.Kind != scenarios.KindLatency {
			continue
		}
		width := c.WallSpan(s.SLOs.Window.Duration)
		if obj.Window != nil {
			width = c.WallSpan(obj.Window.Duration)
		}
		windows, judged := 0, 0
		for from := time.Duration(0); from < c.WallDuration(); from += width {
			n := 0.0
			for i, class := range plan.Classes {
				if obj.Class == "" || obj.Class == class {
					n += plan.Expected(i, from, min(from+width, c.WallDuration()))
				}
			}
			windows++
			if n >= float64(s.SLOs.MinRequests) {
				judged++
			}
		}
		fmt.Fprintf(w, "  %s\tjudged in %d of %d windows\t(%d planned requests or more)\n", obj.Name, judged, windows, s.SLOs.MinRequests)
	}
}

// maxPlanCycles is how many cycles of a flap the plan lists before summing up the rest.
const maxPlanCycles = 12

// faultShape says how a fault unfolds beyond its parameters: a flap's cycles.
func faultShape(f scenarios.Fault, windows int) string {
	if f.Flap != nil {
		return fmt.Sprintf(", flapping %d times", windows)
	}
	return ""
}

func whereMarker(entry string) string {
	switch {
	case entry == "":
		return "(all traffic)"
	case strings.Contains(entry, ","):
		return "(shapes " + entry + ")"
	}
	return "(shape " + entry + ")"
}

func orAny(s string) string {
	if s == "" {
		return "all"
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// thousands writes n rounded, with thousands separated: 1,234,567.
func thousands(n float64) string { return humanize.Comma(int64(math.Round(n))) }
