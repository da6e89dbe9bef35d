package reports

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/thongsuot/thongsuot/harness/slo"
)

// JUnitFile is the verdict for CI systems: one test suite per scenario, one test case
// per objective.
const JUnitFile = "junit.xml"

// maxListedWindows bounds the failed windows a failure message spells out.
const maxListedWindows = 10

// WriteJUnit writes junit.xml.
func WriteJUnit(r *Run, path string) error {
	suite := junit.Testsuite{Name: r.Scenario.Name, Time: seconds(r), File: r.Scenario.File}
	suite.SetTimestamp(r.Journal.Run.Started)
	suite.AddProperty("runtime", r.Journal.Run.Runtime)
	for _, role := range sortedKeys(r.Journal.Run.SUT) { // the build a gate's verdict is about
		suite.AddProperty("sut."+role, r.Journal.Run.SUT[role])
	}
	suite.AddProperty("compress", fmt.Sprint(r.Clock.Compress))
	for _, o := range r.Verdict.Objectives {
		tc := junit.Testcase{Name: o.Name, Classname: r.Scenario.Name + "." + orAll(o.Class)}
		switch {
		case !r.Verdict.Complete:
			tc.Error = &junit.Result{Type: "incomplete", Message: "the run did not finish: no verdict"}
		case r.Verdict.Harness.TooSaturated:
			tc.Error = &junit.Result{Type: slo.VerdictInconclusive, Message: "not judged: the harness was saturated for too much of the run"}
		case o.Status == slo.StatusUnjudged:
			tc.Error = &junit.Result{Type: slo.StatusUnjudged, Message: "not judged: " + unjudgedDetail(o)}
		case o.Status == slo.StatusFailed:
			tc.Failure = &junit.Result{Type: "slo", Message: failureMessage(r, o), Data: failureDetail(r, o)}
		case o.Saturated > 0:
			tc.Error = &junit.Result{Type: slo.VerdictInconclusive,
				Message: fmt.Sprintf("missed in %d windows the harness was saturated in: cannot say whether the system did", o.Saturated)}
		}
		suite.AddTestcase(tc)
	}
	suite.AddTestcase(harnessCase(r))
	var suites junit.Testsuites
	suites.AddSuite(suite)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := suites.WriteXML(f); err != nil {
		return err
	}
	return f.Close()
}

// harnessCase is the harness's own health as a test case: an error when the run cannot
// be judged for a reason no objective carries (a saturated harness, nothing sent, a load
// that was not the scenario's), the saturated windows in its output either way.
func harnessCase(r *Run) junit.Testcase {
	tc := junit.Testcase{Name: "harness health", Classname: r.Scenario.Name + ".harness"}
	var doubts []string
	for _, d := range r.Verdict.Doubts {
		if !strings.Contains(d, ": not judged") {
			doubts = append(doubts, d)
		}
	}
	if len(doubts) > 0 && r.Verdict.Complete {
		tc.Error = &junit.Result{Type: slo.VerdictInconclusive, Message: doubts[0], Data: strings.Join(doubts, "\n")}
	}
	if n := len(r.Verdict.Harness.Saturated); n > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "%d windows saturated, not judged:\n", n)
		for i, w := range r.Verdict.Harness.Saturated {
			if i == maxListedWindows {
				fmt.Fprintf(&b, "... and %d more\n", n-i)
				break
			}
			fmt.Fprintf(&b, "window %d at %s: %s\n", w.Index, r.zoned(w.Scenario), strings.Join(w.Why, ", "))
		}
		tc.SystemOut = &junit.Output{Data: b.String()}
	}
	return tc
}

// unjudgedDetail says why an objective judged nothing, from the verdict's doubt.
func unjudgedDetail(o slo.Outcome) string {
	if o.Detail != "" {
		return o.Detail
	}
	return fmt.Sprintf("%d windows had too few requests, %d the harness was saturated in, %d were during faults",
		o.Skipped, o.Saturated, o.DuringFaults)
}

func seconds(r *Run) string {
	if r.Journal.Run.Ended == nil {
		return "0"
	}
	return fmt.Sprintf("%.3f", r.Journal.Run.Ended.Sub(r.Journal.Run.Started).Seconds())
}

func orAll(class string) string {
	if class == "" {
		return "all"
	}
	return class
}

// failureMessage says in one line what failed and by how much.
func failureMessage(r *Run, o slo.Outcome) string {
	if o.Worst == nil { // failed without a judged window: say what the outcome says
		return fmt.Sprintf("%s: not met; overall %s", o.Objective, FormatValue(o.Unit, o.Overall))
	}
	w := o.Worst
	if w == nil { // not judged per window
		return o.Objective + ": " + o.Detail
	}
	return fmt.Sprintf("%s: %d of %d windows failed; worst %s at %s (%s)",
		o.Objective, len(o.Failed), o.Evaluated, FormatValue(o.Unit, w.Value), r.zoned(w.Scenario), gap(o, w.Value))
}

// failureDetail lists the failed windows.
func failureDetail(r *Run, o slo.Outcome) string {
	var b strings.Builder
	for i, p := range o.Failed {
		if i == maxListedWindows {
			fmt.Fprintf(&b, "... and %d more\n", len(o.Failed)-i)
			break
		}
		fmt.Fprintf(&b, "window %d at %s (wall +%s): %s over %d requests (%s)\n",
			p.Index, r.zoned(p.Scenario), p.Start.Round(time.Millisecond), FormatValue(o.Unit, p.Value), p.Requests, gap(o, p.Value))
	}
	return b.String()
}

// zoned writes a moment in the scenario's zone: "2025-07-01 08:04:00 ICT".
func (r *Run) zoned(t time.Time) string {
	name, _, _ := strings.Cut(zoneName(r.Zone, t), " ")
	return t.In(r.Zone).Format("2006-01-02 15:04:05") + " " + name
}
