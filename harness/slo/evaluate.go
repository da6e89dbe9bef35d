package slo

import (
	"fmt"
	"strconv"
	"time"

	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/scenarios"
)

// Evaluate judges every objective over the windows of a journal. An objective is met
// when every window with at least min_requests requests meets it; a recovery objective
// when every fault's recovery (see Recoveries) took at most its max.
func Evaluate(slos scenarios.SLOs, rec *journal.Record) Verdict {
	v := Verdict{Complete: rec.Run.Complete(), Pass: rec.Run.Complete()}
	byIndex := rec.ByIndex()
	v.Objectives = make([]Outcome, len(slos.Objectives))
	held := map[int]bool{} // by window index: every objective that judged it was met
	for i, obj := range slos.Objectives {
		switch obj.Kind {
		case scenarios.KindRecovery:
			continue // judged below, on the other objectives' windows
		case scenarios.KindZeroLoss:
			v.Objectives[i] = judgeZeroLoss(obj, rec.Reconciliation)
			continue // judged once at the end, not per window
		}
		o, judged := judge(obj, slos.MinRequests, byIndex, nil)
		for _, idx := range judged {
			if _, seen := held[idx]; !seen {
				held[idx] = true
			}
		}
		for _, p := range o.Failed {
			held[p.Index] = false
		}
		v.Objectives[i] = o
	}
	v.Recoveries = Recoveries(rec, held, max(slos.RecoveryWindows, 1))
	// Objectives judged outside faults are judged again, leaving each fault and the
	// recovery after it to the recovery objective: the recoveries above were measured
	// on every window.
	excused := excusedWindows(rec, v.Recoveries, recoveryMax(slos))
	for i, obj := range slos.Objectives {
		if obj.OutsideFaults {
			v.Objectives[i], _ = judge(obj, slos.MinRequests, byIndex, func(idx int) bool { return excused[idx] })
		}
	}
	for i, obj := range slos.Objectives {
		if obj.Kind == scenarios.KindRecovery {
			v.Objectives[i] = judgeRecovery(obj, v.Recoveries, rec.Run.Window)
		}
		v.Pass = v.Pass && v.Objectives[i].Met
	}
	return v
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

// excusedWindows are the windows from each fault's start to the end of its recovery —
// or, when it did not recover, to its end plus the longest recovery allowed.
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
		for i := int(r.Start / width); i < rec.Run.Windows && time.Duration(i)*width < end; i++ {
			out[i] = true
		}
	}
	return out
}

// judge evaluates a window objective and lists the windows it judged.
func judge(obj scenarios.Objective, minRequests int, byIndex [][]*metrics.Window, skip func(index int) bool) (Outcome, []int) {
	o := Outcome{Name: obj.Name, Kind: obj.Kind, Class: obj.Class, Met: true}
	var value func(w *metrics.Window) float64
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
	}

	var judged []*metrics.Window
	var evaluated []int
	for _, ws := range byIndex {
		w := Select(ws, obj.Class)
		if w == nil {
			continue
		}
		if skip != nil && skip(w.Index) {
			o.DuringFaults++
			continue
		}
		judged = append(judged, w)
		if w.Sent < int64(max(minRequests, 1)) {
			o.Skipped++
			continue
		}
		o.Evaluated++
		evaluated = append(evaluated, w.Index)
		p := Point{Index: w.Index, Start: w.Start, Scenario: w.Scenario, Requests: w.Sent, Value: value(w)}
		if o.Worst == nil || worse(p.Value, o.Worst.Value) {
			worst := p
			o.Worst = &worst
		}
		if !ok(p.Value) {
			o.Met = false
			o.Failed = append(o.Failed, p)
		}
	}
	if total := metrics.Sum("all", judged...); total != nil && total.Sent > 0 {
		o.Overall = value(total)
	}
	return o, evaluated
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// judgeZeroLoss reads the end-of-run reconciliation: met when every acknowledged
// dossier is stored and none twice. Its values count dossiers lost or duplicated.
func judgeZeroLoss(obj scenarios.Objective, r *journal.Reconciliation) Outcome {
	o := Outcome{Name: obj.Name, Kind: obj.Kind, Objective: "no acknowledged dossier lost or duplicated", Unit: "dossiers"}
	if r == nil {
		o.Detail = "no reconciliation was made (the run did not finish)"
		return o
	}
	if r.Error != "" {
		o.Detail = "reconciliation could not be made: " + r.Error
		return o
	}
	o.Met = r.Held()
	o.Overall = float64(len(r.Missing) + len(r.Duplicated))
	o.Evaluated = 1
	o.Detail = fmt.Sprintf("%d acknowledged, %d stored: %d lost, %d duplicated", r.Acknowledged, r.Stored, len(r.Missing), len(r.Duplicated))
	return o
}
