package slo

import (
	"fmt"
	"strconv"
	"time"

	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/scenarios"
)

// Evaluate judges every objective over the windows of a journal. An objective is met
// when every window with at least min_requests requests meets it; a recovery objective
// when every fault's recovery (see Recoveries) took at most its max.
func Evaluate(slos scenarios.SLOs, rec *metrics.Record) Verdict {
	v := Verdict{Complete: rec.Run.Complete(), Pass: rec.Run.Complete()}
	byIndex := groupByIndex(rec.Windows)
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
		o, judged := judge(obj, slos.MinRequests, byIndex)
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

func groupByIndex(ws []*metrics.Window) [][]*metrics.Window {
	var out [][]*metrics.Window
	for _, w := range ws {
		for len(out) <= w.Index {
			out = append(out, nil)
		}
		out[w.Index] = append(out[w.Index], w)
	}
	return out
}

// judge evaluates a window objective and lists the windows it judged.
func judge(obj scenarios.Objective, minRequests int, byIndex [][]*metrics.Window) (Outcome, []int) {
	o := Outcome{Name: obj.Name, Kind: obj.Kind, Class: obj.Class, Met: true}
	var value func(w *metrics.Window) float64
	var ok func(v float64) bool
	var worse func(a, b float64) bool
	switch obj.Kind {
	case scenarios.KindAvailability:
		o.Unit, o.Limit = "%", float64(*obj.Target)*100
		o.Objective = fmt.Sprintf("availability ≥ %s%%", strconv.FormatFloat(o.Limit, 'g', -1, 64))
		value = func(w *metrics.Window) float64 {
			if w.Sent == 0 {
				return 100
			}
			return 100 * float64(w.Sent-w.Failed()) / float64(w.Sent)
		}
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
func judgeZeroLoss(obj scenarios.Objective, r *metrics.Reconciliation) Outcome {
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
