package slo

import (
	"fmt"
	"sort"
	"time"

	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/scenarios"
)

// Recovery is how long the system took to come back after one fault window.
type Recovery struct {
	Fault       string        `json:"fault"`
	Link        string        `json:"link,omitempty"`
	Toxic       string        `json:"toxic,omitempty"`
	Role        string        `json:"role,omitempty"`   // a process fault's role
	Action      string        `json:"action,omitempty"` // and action
	Cycle       int           `json:"cycle,omitempty"`  // flap cycle, from 1
	Start       time.Duration `json:"start"`            // wall offset the fault was applied, ns
	End         time.Duration `json:"end"`              // wall offset the fault was removed, ns
	ScenarioEnd time.Time     `json:"scenario_end"`
	// Recovered: every objective held again for slos.recovery_windows consecutive windows.
	Recovered bool `json:"recovered"`
	// Time from the fault's end to the start of the first of those windows (0 when the
	// window the fault ended in already held), in ns of wall time; its resolution is one
	// window. When not recovered: to the end of the run.
	Time time.Duration `json:"time"`
	// Window is the index of the first window of the run that held, when recovered.
	Window int `json:"window,omitempty"`
	// When not recovered: the objectives that failed the last window judged after the
	// fault, and that window's wall offset — how long the system was still failing.
	Failing     []string      `json:"failing,omitempty"`
	FailedUntil time.Duration `json:"failed_until,omitempty"`
	// Saturated: the harness was saturated in windows it could not judge between the
	// fault's end and the recovery (or the run's end), so a slow or missing recovery
	// may be the harness's, not the system's.
	Saturated bool `json:"saturated,omitempty"`
}

// Recoveries measures, for each fault window of the journal, the recovery time: from
// the fault's end until every objective held again for n consecutive windows. held
// says per window index whether every objective that judged the window was met, and
// failing which objectives did not; windows no objective judged (too few requests, a
// saturated harness) neither break nor extend a run, and saturated says which windows
// the harness was saturated in.
func Recoveries(rec *journal.Record, held map[int]bool, failing map[int][]string, saturated func(int) bool, n int) []Recovery {
	width := rec.Run.Window
	if width <= 0 {
		return nil
	}
	last := rec.Run.Windows - 1
	for idx := range held {
		last = max(last, idx)
	}
	var out []Recovery
	for _, f := range rec.Faults {
		if f.Error != "" && f.End == 0 {
			continue // never applied
		}
		r := Recovery{Fault: f.Name, Link: f.Link, Toxic: f.Toxic, Role: f.Role, Action: f.Action, Cycle: f.Cycle,
			Start: f.Start, End: f.End, ScenarioEnd: f.ScenarioEnd}
		runEnd := time.Duration(last+1) * width
		if f.End == 0 { // never removed: the run ended under the fault
			r.Time = max(runEnd-f.Start, 0)
			out = append(out, r)
			continue
		}
		first, count, lastBad := -1, 0, -1
		for i := int(f.End / width); i <= last && count < n; i++ {
			ok, judged := held[i]
			switch {
			case !judged:
				r.Saturated = r.Saturated || (saturated != nil && saturated(i))
			case !ok:
				first, count, lastBad = -1, 0, i
				r.Saturated = false // failing in a window it judged: the system's own
			default:
				if first < 0 {
					first = i
				}
				count++
			}
		}
		if count >= n {
			r.Recovered, r.Window = true, first
			r.Time = max(time.Duration(first)*width-f.End, 0)
		} else {
			r.Time = max(runEnd-f.End, 0)
			if lastBad >= 0 {
				r.Failing, r.FailedUntil = failing[lastBad], time.Duration(lastBad+1)*width
			}
		}
		out = append(out, r)
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].End < out[b].End })
	return out
}

// judgeRecovery holds a recovery objective against every fault's recovery.
func judgeRecovery(obj scenarios.Objective, rs []Recovery, width time.Duration) Outcome {
	o := Outcome{Name: obj.Name, Kind: obj.Kind, Unit: "ms", Limit: ms(obj.Max.Duration),
		Objective: fmt.Sprintf("recovery ≤ %s", obj.Max.Duration), Recoveries: rs}
	for _, r := range rs {
		o.Evaluated++
		p := Point{Start: r.End, Scenario: r.ScenarioEnd, Value: ms(r.Time)}
		if width > 0 {
			p.Index = int(r.End / width)
		}
		if o.Worst == nil || p.Value > o.Worst.Value {
			worst := p
			o.Worst = &worst
			o.Overall = p.Value
		}
		if !r.Recovered || r.Time > obj.Max.Duration {
			if r.Saturated {
				// Late or never, with windows the harness was too starved to judge in
				// between: it cannot say whether the system recovered in time.
				o.Evaluated--
				o.Saturated++
				continue
			}
			o.Failed = append(o.Failed, p)
		}
	}
	o.setStatus(len(o.Failed) > 0)
	return o
}
