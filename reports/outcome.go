package reports

import (
	"fmt"
	"strings"

	"github.com/thongsuot/thongsuot/harness/slo"
)

// How an objective's values read for people. Outcomes carry their unit and limit, so
// objective kinds added later format without special cases here: "%" values are
// shares, "ms" latencies, anything else a number with its unit.

// FormatValue writes a value in its unit: 99.50%, 12.3ms, 3 dossiers.
func FormatValue(unit string, v float64) string {
	switch unit {
	case "%":
		return fmt.Sprintf("%.2f%%", v)
	case "ms":
		return fmt.Sprintf("%.1fms", v)
	case "":
		return fmt.Sprintf("%.4g", v)
	}
	return fmt.Sprintf("%.4g %s", v, unit) // a word: "0 dossiers"
}

// gap says how far v is from the limit, on the failing or the passing side:
// "60.0ms over 150.0ms", "0.40 points below 99.00%", "40.0ms under 250.0ms".
func gap(o slo.Outcome, v float64) string {
	d, limit := v-o.Limit, FormatValue(o.Unit, o.Limit)
	amount := func(x float64) string {
		if o.Unit == "%" {
			return fmt.Sprintf("%.2f points", x)
		}
		return FormatValue(o.Unit, x)
	}
	switch {
	case d == 0:
		return "exactly at " + limit
	case d > 0 && o.HigherIsBetter:
		return amount(d) + " above " + limit
	case d > 0:
		return amount(d) + " over " + limit
	case o.HigherIsBetter:
		return amount(-d) + " below " + limit
	}
	return amount(-d) + " under " + limit
}

// JudgedText says how many of its windows an objective judged and how many of those
// failed: "judged 440 of 582 windows (142 too few requests), 0 failed". The windows it
// left unjudged are those with fewer than min_requests, during faults (outside_faults)
// and saturated ones.
func JudgedText(o slo.Outcome) string {
	all := o.Evaluated + o.Skipped + o.DuringFaults + o.Saturated
	text := fmt.Sprintf("judged %d of %d windows", o.Evaluated, all)
	var left []string
	for _, n := range []struct {
		count int
		why   string
	}{{o.Skipped, "too few requests"}, {o.DuringFaults, "during faults"}, {o.Saturated, "saturated"}} {
		if n.count > 0 {
			left = append(left, fmt.Sprintf("%d %s", n.count, n.why))
		}
	}
	if len(left) > 0 {
		text += " (" + strings.Join(left, ", ") + ")"
	}
	return fmt.Sprintf("%s, %d failed", text, len(o.Failed))
}
