package slo

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/scenarios"
)

// Evaluate judges every objective over the windows of a journal. A window objective
// is met when every window it judges meets it — windows with fewer than min_requests
// requests are not judged, nor windows that failed while the harness was saturated; a recovery
// objective when every fault's recovery (see Recoveries) took at most its max. Beside
// the scenario's objectives, each latency objective brings its class's availability
// (see withImplied). zone writes scenario times in the verdict's doubts.
func Evaluate(slos scenarios.SLOs, rec *journal.Record) Verdict {
	v := Verdict{Complete: rec.Run.Complete()}
	objs := withImplied(slos.Objectives)
	byIndex := rec.ByIndex()
	var saturated map[int]bool
	v.Harness, saturated = saturation(rec, byIndex, LimitsOf(slos.Harness), aftermath(slos, rec.Run))
	for i := range v.Harness.Saturated {
		if idx := v.Harness.Saturated[i].Index; idx < len(byIndex) && len(byIndex[idx]) > 0 {
			v.Harness.Saturated[i].Scenario = byIndex[idx][0].Scenario
		}
	}
	notSaturated := func(idx int) bool { return saturated[idx] }
	// per is how many of the run's windows one of the objective's holds.
	per := func(obj scenarios.Objective) int {
		if obj.Window == nil || slos.Window.Duration <= 0 {
			return 1
		}
		return max(int(obj.Window.Duration/slos.Window.Duration), 1)
	}

	v.Objectives = make([]Outcome, len(objs))
	held := map[int]bool{}        // by window index: every objective that judged it was met
	failing := map[int][]string{} // by window index: the objectives that failed it
	unknown := map[int]bool{}     // by window index: an objective missed it while the harness was saturated
	for i, obj := range objs {
		switch obj.Kind {
		case scenarios.KindRecovery:
			continue // judged below, on the other objectives' windows
		case scenarios.KindZeroLoss:
			v.Objectives[i] = judgeZeroLoss(obj.Objective, rec.Reconciliation)
			continue // judged once at the end, not per window
		}
		o, judged, failed, unsure := judge(obj.Objective, slos.MinRequests, per(obj.Objective), byIndex, notSaturated, nil)
		o.ImpliedBy = obj.by
		for _, idx := range judged {
			if _, seen := held[idx]; !seen {
				held[idx] = true
			}
		}
		for _, idx := range failed {
			held[idx] = false
			failing[idx] = append(failing[idx], o.Name)
		}
		for _, idx := range unsure {
			unknown[idx] = true
		}
		v.Objectives[i] = o
	}
	// A window an objective missed while the harness was saturated did not hold, as far
	// as anyone can say: a recovery neither counts it nor is broken by it.
	for idx := range unknown {
		if held[idx] {
			delete(held, idx)
		}
	}
	v.Recoveries = Recoveries(rec, held, failing, notSaturated, max(slos.RecoveryWindows, 1))
	// Objectives judged outside faults are judged again, leaving each fault and the
	// recovery after it to the recovery objective: the recoveries above were measured
	// on every window.
	excused := excusedWindows(rec, v.Recoveries, recoveryMax(slos))
	for i, obj := range objs {
		if obj.OutsideFaults {
			v.Objectives[i], _, _, _ = judge(obj.Objective, slos.MinRequests, per(obj.Objective), byIndex, notSaturated, func(idx int) bool { return excused[idx] })
			v.Objectives[i].ImpliedBy = obj.by
		}
		if obj.Kind == scenarios.KindRecovery {
			v.Objectives[i] = judgeRecovery(obj.Objective, v.Recoveries, rec.Run.Window)
		}
	}
	v.Doubts = doubts(&v, rec)
	return v
}

// doubts lists why a run cannot be judged: the harness saturated for too much of it, a
// run that sent nothing or dropped what it should have sent, objectives with nothing to
// judge them on.
func doubts(v *Verdict, rec *journal.Record) []string {
	var out []string
	windows := 0
	var sent, dropped int64
	for _, ws := range rec.ByIndex() {
		due := int64(0)
		for _, w := range ws {
			sent += w.Sent
			dropped += w.Dropped
			due += w.Due()
		}
		if due > 0 {
			windows++
		}
	}
	if n := v.Harness.starvedWindows(); n > 0 && float64(n) > v.Harness.Limits.MaxSaturated*float64(max(windows, 1)) {
		v.Harness.TooSaturated = true
		out = append(out, v.Harness.saturationDoubt(max(windows, n), func(t time.Time) string { return t.Format("02 Jan 15:04") }))
	}
	switch {
	case sent == 0:
		out = append(out, "no request was sent: there is nothing to judge")
	case float64(dropped) > v.Harness.Limits.MaxDropped*float64(sent+dropped):
		out = append(out, fmt.Sprintf("the harness dropped %d of the %d requests that fell due (%.1f%%, more than %.0f%%): the load was not the scenario's",
			dropped, sent+dropped, 100*float64(dropped)/float64(sent+dropped), 100*v.Harness.Limits.MaxDropped))
	}
	for _, o := range v.Objectives {
		switch {
		case o.Status == StatusUnjudged:
			out = append(out, fmt.Sprintf("%s: not judged — %s", o.Name, unjudgedBecause(o)))
		case o.Saturated > 0 && o.Kind == scenarios.KindRecovery:
			out = append(out, fmt.Sprintf("%s: %s", o.Name, saturatedRecoveries(o)))
		case o.Saturated > 0:
			out = append(out, fmt.Sprintf("%s: missed in %d windows the harness was saturated in — it cannot say whether the system did", o.Name, o.Saturated))
		}
	}
	return out
}

// saturatedRecoveries says why recoveries were not judged against the system.
func saturatedRecoveries(o Outcome) string {
	return fmt.Sprintf("%d of %d recoveries came late or not at all through windows the harness was saturated in — it cannot say whether the system recovered in time",
		o.Saturated, o.Saturated+o.Evaluated)
}

// unjudgedBecause says why an objective judged nothing.
func unjudgedBecause(o Outcome) string {
	switch {
	case o.Detail != "":
		return o.Detail
	case o.Kind == scenarios.KindRecovery && o.Saturated > 0:
		return saturatedRecoveries(o)
	case o.Kind == scenarios.KindRecovery:
		return "no fault was applied"
	}
	var parts []string
	if o.Skipped > 0 {
		what := "requests"
		if o.Kind == scenarios.KindLatency || o.Kind == scenarios.KindChecks {
			what = "answered requests" // latency and checks judge answers only
		}
		parts = append(parts, fmt.Sprintf("%d windows had too few %s", o.Skipped, what))
	}
	if o.Saturated > 0 {
		parts = append(parts, fmt.Sprintf("%d the harness was saturated in", o.Saturated))
	}
	if o.DuringFaults > 0 {
		parts = append(parts, fmt.Sprintf("%d were during faults", o.DuringFaults))
	}
	if len(parts) == 0 {
		return "no window had a request of its class"
	}
	return strings.Join(parts, ", ")
}

// Select merges the windows of one index that an objective looks at: one class, or
// all of them when class is empty.
func Select(ws []*metrics.Window, class string) *metrics.Window {
	if class == "" {
		return metrics.Sum("all", ws...)
	}
	for _, w := range ws {
		if w.Class == class {
			return w
		}
	}
	return nil
}

// recoveryMax is the longest recovery the scenario allows (its recovery objective's
// max), or 0 without one.
func recoveryMax(slos scenarios.SLOs) time.Duration {
	var m time.Duration
	for _, obj := range slos.Objectives {
		if obj.Kind == scenarios.KindRecovery {
			m = max(m, obj.Max.Duration)
		}
	}
	return m
}

// excusedWindows are the windows from each fault's start (and those before it that the
// request timeout spans, at least one) to the end of its recovery — or, when it did not
// recover, to its end plus the longest recovery allowed.
func excusedWindows(rec *journal.Record, rs []Recovery, allowed time.Duration) map[int]bool {
	out := map[int]bool{}
	width := rec.Run.Window
	if width <= 0 {
		return out
	}
	for _, r := range rs {
		end := r.End + allowed
		if r.End == 0 { // never removed: to the end of the run
			end = time.Duration(rec.Run.Windows) * width
		} else if r.Recovered {
			end = r.End + r.Time
		}
		// From before the fault's window: requests count in the window they fell due in,
		// and one due before the fault but sent late, or still waiting for its answer
		// when the fault struck (up to the request timeout), is the fault's casualty.
		for i := max(int(r.Start/width)-max(inFlightWindows(rec.Run), 1), 0); i < rec.Run.Windows && time.Duration(i)*width < end; i++ {
			out[i] = true
		}
	}
	return out
}

// judge evaluates a window objective and lists the run's windows it judged, those it
// failed, and those it missed while the harness was saturated (unsure: not judged).
// Excused windows are not judged.
//
// per is how many of the run's windows make one of the objective's: 1, or more when
// the objective has a window of its own.
func judge(obj scenarios.Objective, minRequests, per int, byIndex [][]*metrics.Window, saturated, excused func(index int) bool) (o Outcome, evaluated, failed, unsure []int) {
	o = Outcome{Name: obj.Name, Kind: obj.Kind, Class: obj.Class}
	var value func(w *metrics.Window) float64
	// counted is what a window needs min_requests of: requests for availability,
	// answers for latency, which judges answered requests only.
	counted := func(w *metrics.Window) int64 { return w.Sent }
	var ok func(v float64) bool
	var worse func(a, b float64) bool
	switch obj.Kind {
	case scenarios.KindAvailability:
		o.Unit, o.Limit, o.HigherIsBetter = "%", float64(*obj.Target)*100, true
		o.Objective = fmt.Sprintf("availability ≥ %s%%", strconv.FormatFloat(o.Limit, 'g', -1, 64))
		value = (*metrics.Window).Availability
		ok = func(v float64) bool { return v >= o.Limit }
		worse = func(a, b float64) bool { return a < b }
	case scenarios.KindLatency:
		o.Unit, o.Limit = "ms", ms(obj.Max.Duration)
		o.Objective = fmt.Sprintf("p%s ≤ %s", strconv.FormatFloat(obj.Percentile, 'g', -1, 64), obj.Max.Duration)
		value = func(w *metrics.Window) float64 { return ms(w.Percentile(obj.Percentile)) }
		ok = func(v float64) bool { return v <= o.Limit }
		worse = func(a, b float64) bool { return a > b }
		counted = (*metrics.Window).Answered
	case scenarios.KindChecks:
		// Checks judge answers: a 5xx or a transport error is availability's to count.
		o.Unit, o.Limit, o.HigherIsBetter = "%", float64(*obj.Target)*100, true
		o.Objective = fmt.Sprintf("checks held ≥ %s%%", strconv.FormatFloat(o.Limit, 'g', -1, 64))
		value = (*metrics.Window).ChecksHeld
		ok = func(v float64) bool { return v >= o.Limit }
		worse = func(a, b float64) bool { return a < b }
		counted = (*metrics.Window).Answered
	case scenarios.KindCodes:
		// Like availability, a share of the window's requests; a window that sent none
		// has no share to judge (counted is 0), never a vacuous 100%.
		o.Unit, o.Limit, o.HigherIsBetter = "%", float64(*obj.Target)*100, true
		o.Objective = fmt.Sprintf("%s ≥ %s%%", codesText(obj.Codes), strconv.FormatFloat(o.Limit, 'g', -1, 64))
		value = func(w *metrics.Window) float64 { return shareWithCodes(w, obj.Codes) }
		ok = func(v float64) bool { return v >= o.Limit }
		worse = func(a, b float64) bool { return a < b }
	}

	var judged []*metrics.Window
	for _, u := range units(obj, byIndex, per, excused, &o) {
		w := u.window
		if counted(w) < int64(max(minRequests, 1)) {
			o.Skipped++
			continue
		}
		p := Point{Index: w.Index, Start: w.Start, Scenario: w.Scenario, Requests: w.Sent, Value: value(w)}
		if !ok(p.Value) && u.saturated(saturated) {
			// A starved harness only makes a system look worse — slower, less available —
			// so a window it held stands; one it failed cannot be blamed on the system.
			o.Saturated++
			unsure = append(unsure, u.indexes...)
			continue
		}
		judged = append(judged, w)
		o.Evaluated++
		evaluated = append(evaluated, u.indexes...)
		if o.Worst == nil || worse(p.Value, o.Worst.Value) {
			worst := p
			o.Worst = &worst
		}
		if !ok(p.Value) {
			o.Failed = append(o.Failed, p)
			failed = append(failed, u.indexes...)
		}
	}
	if total := metrics.Sum("all", judged...); total != nil && total.Sent > 0 {
		o.Overall = value(total)
	}
	o.setStatus(len(o.Failed) > 0)
	return o, evaluated, failed, unsure
}

// unit is what an objective judges at once: one window of the run, or, for an
// objective with a longer window of its own, several merged.
type unit struct {
	window  *metrics.Window
	indexes []int // the run's windows in it
}

// saturated says whether the harness was saturated in any of the unit's windows.
func (u unit) saturated(in func(int) bool) bool {
	for _, i := range u.indexes {
		if in(i) {
			return true
		}
	}
	return false
}

// units are the windows an objective judges: the run's own one by one, or per of them
// merged. Windows excused for a fault are left out (and counted in o); the rest of their
// group is judged.
func units(obj scenarios.Objective, byIndex [][]*metrics.Window, per int, excused func(int) bool, o *Outcome) []unit {
	var out []unit
	for first := 0; first < len(byIndex); first += per {
		var ws []*metrics.Window
		var idx []int
		for i := first; i < min(first+per, len(byIndex)); i++ {
			w := Select(byIndex[i], obj.Class)
			switch {
			case w == nil:
				continue
			case excused != nil && excused(i):
				o.DuringFaults++
				continue
			}
			ws, idx = append(ws, w), append(idx, i)
		}
		switch len(ws) {
		case 0:
		case 1:
			out = append(out, unit{ws[0], idx})
		default:
			out = append(out, unit{metrics.Sum(ws[0].Class, ws...), idx})
		}
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// shareWithCodes is the share, in percent, of the window's requests answered with one of
// codes; transport errors and timeouts count against it.
func shareWithCodes(w *metrics.Window, codes []int) float64 {
	if w.Sent == 0 {
		return 0
	}
	var n int64
	for _, c := range codes {
		n += w.Codes[strconv.Itoa(c)]
	}
	return 100 * float64(n) / float64(w.Sent)
}

// codesText writes a codes objective's statuses: "401" or "408|429".
func codesText(codes []int) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = strconv.Itoa(c)
	}
	return strings.Join(out, "|")
}

// judgeZeroLoss reads the end-of-run reconciliation: met when every acknowledged
// dossier is stored and none twice. Its values count dossiers lost or duplicated.
func judgeZeroLoss(obj scenarios.Objective, r *journal.Reconciliation) Outcome {
	o := Outcome{Name: obj.Name, Kind: obj.Kind, Objective: "no acknowledged dossier lost or duplicated", Unit: "dossiers"}
	switch {
	case r == nil:
		o.Detail = "no reconciliation was made (the run did not finish)"
	case r.Error != "":
		o.Detail = "reconciliation could not be made: " + r.Error
	case r.Acknowledged == 0:
		o.Detail = "no dossier was acknowledged: there was nothing to reconcile"
	default:
		o.Overall = float64(len(r.Missing) + len(r.Duplicated))
		o.Evaluated = 1
		o.Detail = fmt.Sprintf("%d acknowledged, %d stored: %d lost, %d duplicated", r.Acknowledged, r.Stored, len(r.Missing), len(r.Duplicated))
	}
	o.setStatus(r != nil && !r.Held())
	return o
}
