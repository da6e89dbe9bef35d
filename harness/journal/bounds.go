package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/thongsuot/thongsuot/harness/health"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/scenarios"
)

// A journal on disk is untrusted: a run killed mid-write, a disk that failed, a file
// copied from elsewhere or edited by hand. Before anything is sized or indexed by a
// number read from it, that number is held to what a scenario can ask of a run
// (scenarios' bounds), and every file and line has a size limit, so a damaged journal is
// an error naming its file and line, never a panic or an allocation without end.
const (
	// maxRunFile bounds run.json: a few KiB, the command line and the classes included.
	maxRunFile = 1 << 20
	// maxReconciliationFile bounds reconcile.json, which lists every lost and duplicated
	// dossier: a run that lost a million dossiers writes about 40 MiB.
	maxReconciliationFile = 256 << 20
	// maxWindowLine bounds a line of windows.jsonl: two compressed histograms, at most a
	// few hundred KiB even for a histogram with every bucket used.
	maxWindowLine = 4 << 20
	// maxLine bounds a line of faults.jsonl and health.jsonl: a few hundred bytes.
	maxLine = 64 << 10
	// maxClassName bounds a class's name: an entry's name and a step's.
	maxClassName = 256
	// maxCount bounds any counter of a window: more requests than a run of 24 h at the
	// highest rate a scenario allows (10⁶/s × 32 entries × 86 400 s < 10¹³).
	maxCount = 1e15
	// maxParams bounds a fault's parameters: a toxic has a handful.
	maxParams = 64
)

// MaxClasses is the most request classes a run can record: every mix entry a journey
// of the longest journey (built-in, or the most steps a YAML journey has), or a
// replay's rules and "other".
var MaxClasses = func() int {
	steps := scenarios.MaxJourneySteps
	for _, j := range scenarios.Journeys {
		steps = max(steps, len(j.Steps))
	}
	return max(scenarios.MaxMixEntries*steps, scenarios.MaxRules+1)
}()

// maxWindows is the most windows a run has: the scenario's limit, and one more for the
// rounding up of the last.
const maxWindows = scenarios.MaxWindows + 1

// check holds run.json to what a run can write; data is the file, for line numbers.
func (r RunInfo) check(path string, data []byte) error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s: %s", path, keyLine(data, key), key, fmt.Sprintf(format, args...))
	}
	switch {
	case r.Windows < 1 || r.Windows > maxWindows:
		return bad("windows", "must be between 1 and %d, got %d", maxWindows, r.Windows)
	case r.Window <= 0 || r.Window > scenarios.MaxWallDuration:
		return bad("window", "must be above 0 and at most %s, got %s", scenarios.MaxWallDuration, r.Window)
	case time.Duration(r.Windows-1) > scenarios.MaxWallDuration/r.Window:
		return bad("windows", "%d windows of %s last longer than the longest run, %s", r.Windows, r.Window, scenarios.MaxWallDuration)
	case len(r.Classes) == 0 || len(r.Classes) > MaxClasses:
		return bad("classes", "must list between 1 and %d classes, got %d", MaxClasses, len(r.Classes))
	case !finite(r.Intended) || r.Intended < 0 || r.Intended > maxCount:
		return bad("intended", "must be between 0 and %g, got %g", float64(maxCount), r.Intended)
	case r.Reopened < 0 || r.Orphans < 0:
		return bad("reopened", "impossible counts: reopened %d, orphans %d", r.Reopened, r.Orphans)
	}
	seen := make(map[string]bool, len(r.Classes))
	for _, c := range r.Classes {
		switch {
		case c == "" || len(c) > maxClassName:
			return bad("classes", "a class name must have 1 to %d bytes, got %q", maxClassName, c)
		case seen[c]:
			return bad("classes", "class %q is listed twice", c)
		}
		seen[c] = true
	}
	return nil
}

// checkWindow holds one line of windows.jsonl to the run: a window of the run's span, of
// a class it records, placed where the recorder places it, with counts that add up.
func checkWindow(w *metrics.Window, run RunInfo, known bool) error {
	switch {
	case w.Index < 0 || w.Index >= run.Windows:
		return fmt.Errorf("window %d is outside the run's %d windows", w.Index, run.Windows)
	case !known:
		return fmt.Errorf("class %q is not one the run records", w.Class)
	case w.Start != time.Duration(w.Index)*run.Window:
		return fmt.Errorf("window %d %s: starts at %s, not at %s", w.Index, w.Class, w.Start, time.Duration(w.Index)*run.Window)
	case w.Sent < 0 || w.Late < 0 || w.Dropped < 0 || w.Late > w.Sent || w.Sent > maxCount || w.Dropped > maxCount:
		return fmt.Errorf("window %d %s: impossible counts", w.Index, w.Class)
	case w.ChecksFailed < 0 || w.ChecksFailed > w.Sent:
		return fmt.Errorf("window %d %s: %d failed checks of %d requests", w.Index, w.Class, w.ChecksFailed, w.Sent)
	case w.BytesIn < 0 || w.BytesOut < 0:
		return fmt.Errorf("window %d %s: negative byte counts", w.Index, w.Class)
	case !finite(w.Planned) || w.Planned < 0 || w.Planned > maxCount:
		return fmt.Errorf("window %d %s: planned %g is not a count of requests", w.Index, w.Class, w.Planned)
	}
	var answers int64
	for code, n := range w.Codes {
		if c, err := strconv.Atoi(code); err != nil || c < 0 || c > 999 || strconv.Itoa(c) != code {
			return fmt.Errorf("window %d %s: %q is not an HTTP status", w.Index, w.Class, code)
		}
		if n < 0 || n > maxCount {
			return fmt.Errorf("window %d %s: %d responses with status %s", w.Index, w.Class, n, code)
		}
		answers += n
	}
	if answers != w.Sent {
		return fmt.Errorf("window %d %s: the status codes count %d responses, sent says %d", w.Index, w.Class, answers, w.Sent)
	}
	for text, n := range w.Errors {
		if n < 0 || n > w.Sent || len(text) > maxLine {
			return fmt.Errorf("window %d %s: impossible error count", w.Index, w.Class)
		}
	}
	return nil
}

// checkMerged holds a window with its later additions merged in to the same bounds:
// additions can only add up to so much.
func checkMerged(w *metrics.Window) error {
	if w.Sent > maxCount || w.Dropped > maxCount || w.Planned > maxCount {
		return fmt.Errorf("window %d %s: its additions count more than any run sends", w.Index, w.Class)
	}
	return nil
}

// checkFault holds one line of faults.jsonl to what the schedule writes.
func checkFault(f FaultWindow) error {
	maxOffset := 2 * scenarios.MaxWallDuration // a fault ends at most a run's length after the last window
	switch {
	case f.Start < 0 || f.Start > maxOffset:
		return fmt.Errorf("fault %q: start %s is outside the run", f.Name, f.Start)
	case f.End < 0 || f.End > maxOffset || (f.End != 0 && f.End < f.Start):
		return fmt.Errorf("fault %q: end %s is not after its start %s", f.Name, f.End, f.Start)
	case f.Cycle < 0 || f.Cycles < 0 || f.Cycle > scenarios.MaxFaultWindows || f.Cycles > scenarios.MaxFaultWindows:
		return fmt.Errorf("fault %q: cycle %d of %d is not a flap's", f.Name, f.Cycle, f.Cycles)
	case len(f.Params) > maxParams:
		return fmt.Errorf("fault %q: %d parameters", f.Name, len(f.Params))
	}
	return nil
}

// checkHealth holds one line of health.jsonl to what the monitor measures. The monitor
// goes on while the last responses come in, so its windows may pass the run's last.
func checkHealth(h health.Window, run RunInfo) error {
	switch {
	case h.Index < 0 || h.Index > 2*maxWindows:
		return fmt.Errorf("health window %d is outside the run", h.Index)
	case h.LagP99 < 0 || h.LagMax < 0 || h.GCPause < 0:
		return fmt.Errorf("health window %d: negative durations", h.Index)
	case h.Cores < 0 || h.Cores > 1<<20:
		return fmt.Errorf("health window %d: %d cores", h.Index, h.Cores)
	}
	for _, v := range []float64{h.ProcessCPU, h.Starved, h.HostBusy, h.Runnable, h.Load1} {
		if !finite(v) || v < 0 {
			return fmt.Errorf("health window %d: %g is not a measure", h.Index, v)
		}
	}
	return nil
}

// check holds reconcile.json to what a check can find.
func (r *Reconciliation) check() error {
	switch {
	case r.Acknowledged < 0 || r.Stored < 0 || r.Unacknowledged < 0:
		return errors.New("negative counts")
	case len(r.Missing) > r.Acknowledged || len(r.Duplicated) > r.Acknowledged:
		return fmt.Errorf("%d lost and %d duplicated of %d acknowledged", len(r.Missing), len(r.Duplicated), r.Acknowledged)
	}
	return nil
}

// decodeJSON decodes a whole file's JSON into v; a syntax error names its line.
func decodeJSON(path string, data []byte, v any) error {
	err := json.Unmarshal(data, v)
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syntax):
		return fmt.Errorf("%s:%d: %w", path, lineAt(data, syntax.Offset), err)
	case errors.As(err, &typ):
		return fmt.Errorf("%s:%d: %w", path, lineAt(data, typ.Offset), err)
	}
	return fmt.Errorf("%s:1: %w", path, err)
}

// lineAt is the line of byte offset off in data.
func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// keyLine is the line where a top-level key of a JSON file is written, or 1.
func keyLine(data []byte, key string) int {
	if i := bytes.Index(data, []byte(`"`+key+`"`)); i >= 0 {
		return lineAt(data, int64(i))
	}
	return 1
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
