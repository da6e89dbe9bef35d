package journal

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/thongsuot/thongsuot/harness/health"
	"github.com/thongsuot/thongsuot/harness/metrics"
)

// Record is a journal read back.
type Record struct {
	Run     RunInfo
	Windows []*metrics.Window // by index, then class order of Run.Classes
	Faults  []FaultWindow
	// Health is the harness's own health per window, by index; empty for journals
	// written before it was measured.
	Health         []health.Window
	Reconciliation *Reconciliation // nil when the run made no check
}

// Read reads runDir/journal. A torn last line (a run killed mid-write) is ignored.
func Read(runDir string) (*Record, error) {
	dir := filepath.Join(runDir, Dir)
	data, err := os.ReadFile(filepath.Join(dir, runFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is not a run directory: no %s/%s", runDir, Dir, runFile)
	}
	if err != nil {
		return nil, err
	}
	rec := &Record{}
	if err := json.Unmarshal(data, &rec.Run); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, runFile), err)
	}
	if rec.Windows, err = readWindows(filepath.Join(dir, windowsFile), rec.Run); err != nil {
		return nil, err
	}
	faults, err := readLines[FaultWindow](filepath.Join(dir, faultsFile))
	if err != nil {
		return nil, err
	}
	rec.Faults = latestFaults(faults)
	if rec.Health, err = readLines[health.Window](filepath.Join(dir, healthFile)); err != nil {
		return nil, err
	}
	if rec.Reconciliation, err = readReconciliation(runDir); err != nil {
		return nil, err
	}
	return rec, nil
}

// readWindows reads windows.jsonl: every window once, in index then class order, the
// additions a window got after it was first written merged into it. A window outside
// the run's span or of a class the run does not record is an error with its line: the
// journal was damaged or written by something else.
func readWindows(path string, run RunInfo) ([]*metrics.Window, error) {
	lines, err := readLines[*metrics.Window](path)
	if err != nil {
		return nil, err
	}
	order := map[string]int{}
	for i, c := range run.Classes {
		order[c] = i
	}
	type key struct {
		index, class int
	}
	at := map[key]*metrics.Window{}
	var out []*metrics.Window
	for i, w := range lines {
		c, known := order[w.Class]
		switch {
		case w.Index < 0 || w.Index >= run.Windows:
			return nil, fmt.Errorf("%s:%d: window %d is outside the run's %d windows", path, i+1, w.Index, run.Windows)
		case !known:
			return nil, fmt.Errorf("%s:%d: class %q is not one the run records", path, i+1, w.Class)
		case w.Sent < 0 || w.Late < 0 || w.Dropped < 0 || w.Late > w.Sent:
			return nil, fmt.Errorf("%s:%d: window %d %s: impossible counts", path, i+1, w.Index, w.Class)
		}
		k := key{w.Index, c}
		if first, ok := at[k]; ok {
			first.Merge(w)
			continue
		}
		at[k] = w
		out = append(out, w)
	}
	sort.SliceStable(out, func(a, b int) bool {
		wa, wb := out[a], out[b]
		if wa.Index != wb.Index {
			return wa.Index < wb.Index
		}
		return order[wa.Class] < order[wb.Class]
	})
	return out, nil
}

// latestFaults keeps the last entry of each fault (see FaultWindow.Key).
func latestFaults(fs []FaultWindow) []FaultWindow {
	var out []FaultWindow
	at := map[[2]string]int{}
	for _, f := range fs {
		key := f.Key()
		if i, ok := at[key]; ok {
			out[i] = f
			continue
		}
		at[key] = len(out)
		out = append(out, f)
	}
	return out
}

func readLines[T any](path string) ([]T, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	var pending error
	for line := 1; sc.Scan(); line++ {
		if pending != nil { // only the last line may be torn
			return nil, pending
		}
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			pending = fmt.Errorf("%s:%d: %w", path, line, err)
			continue
		}
		out = append(out, v)
	}
	return out, sc.Err()
}

// ByIndex groups the windows by window index: ByIndex()[i] holds every class's window i,
// in class order. Indexes with no window are empty.
func (r *Record) ByIndex() [][]*metrics.Window {
	var out [][]*metrics.Window
	for _, w := range r.Windows {
		for len(out) <= w.Index {
			out = append(out, nil)
		}
		out[w.Index] = append(out[w.Index], w)
	}
	return out
}
