package journal

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/thongsuot/thongsuot/harness/health"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/scenarios"
)

// Record is a journal read back.
type Record struct {
	Run     RunInfo
	Windows []*metrics.Window // by index, then class order of Run.Classes
	Faults  []FaultWindow
	// Health is the harness's own health per window, by index; empty for journals
	// written before it was measured.
	Health []health.Window
	// Links is what each link carried per window; empty where the runtime could not
	// read its links' meters, and in journals written before they were.
	Links []metrics.LinkWindow
	// ProvinceWindows are the provinces' requests per window, over every class (one
	// per window and province that sent, additions merged), by index then code; empty
	// in journals written before they were kept.
	ProvinceWindows []*metrics.ProvinceWindow
	Reconciliation  *Reconciliation // nil when the run made no check
	Sessions        *Sessions       // nil when the run had no journeys or did not finish
	Provinces       *Provinces      // nil when no provincial system was started
}

// Read reads runDir/journal. A torn last line (a run killed mid-write) is ignored;
// anything else a run could not have written is an error naming the file and line.
func Read(runDir string) (*Record, error) {
	dir := filepath.Join(runDir, Dir)
	path := filepath.Join(dir, runFile)
	data, err := readBounded(path, maxRunFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is not a run directory: no %s/%s", runDir, Dir, runFile)
	}
	if err != nil {
		return nil, err
	}
	rec := &Record{}
	if err := decodeJSON(path, data, &rec.Run); err != nil {
		return nil, err
	}
	if err := rec.Run.check(path, data); err != nil {
		return nil, err
	}
	if rec.Windows, err = readWindows(filepath.Join(dir, windowsFile), rec.Run); err != nil {
		return nil, err
	}
	if rec.Faults, err = readFaults(filepath.Join(dir, faultsFile)); err != nil {
		return nil, err
	}
	err = readLines(filepath.Join(dir, healthFile), maxLine, func(h health.Window) error {
		if len(rec.Health) > 2*maxWindows {
			return fmt.Errorf("more health windows than a run measures")
		}
		rec.Health = append(rec.Health, h)
		return checkHealth(h, rec.Run)
	})
	if err != nil {
		return nil, err
	}
	if rec.Sessions, err = readSessions(runDir); err != nil {
		return nil, err
	}
	if rec.Provinces, err = readProvinces(runDir); err != nil {
		return nil, err
	}
	if rec.Links, err = readLinks(dir); err != nil {
		return nil, err
	}
	if rec.ProvinceWindows, err = readProvinceWindows(dir, rec.Run); err != nil {
		return nil, err
	}
	if rec.Reconciliation, err = readReconciliation(runDir); err != nil {
		return nil, err
	}
	return rec, nil
}

// readOptional decodes the journal file name of runDir, read through limit, into a T;
// nil when the run did not write it. path names the file in the caller's errors.
func readOptional[T any](runDir, name string, limit int64) (v *T, path string, err error) {
	path = filepath.Join(runDir, Dir, name)
	data, err := readBounded(path, limit)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, path, nil
	}
	if err != nil {
		return nil, path, err
	}
	v = new(T)
	if err := decodeJSON(path, data, v); err != nil {
		return nil, path, err
	}
	return v, path, nil
}

// readBounded reads a whole file of at most limit bytes. It reads through the limit, so
// a device or a file that never ends is refused at once; a FIFO is not opened.
func readBounded(path string, limit int64) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s:1: not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s:%d: the file is larger than %d bytes, more than a run writes", path, lineAt(data, limit), limit)
	}
	return data, nil
}

// readWindows reads windows.jsonl: every window once, in index then class order, the
// additions a window got after it was first written merged into it. A window outside
// the run's span or of a class the run does not record is an error with its line: the
// journal was damaged or written by something else.
func readWindows(path string, run RunInfo) ([]*metrics.Window, error) {
	order := make(map[string]int, len(run.Classes))
	for i, c := range run.Classes {
		order[c] = i
	}
	type key struct {
		index, class int
	}
	at := map[key]*metrics.Window{}
	var out []*metrics.Window
	err := readLines(path, maxWindowLine, func(w *metrics.Window) error {
		c, known := order[w.Class]
		if err := checkWindow(w, run, known); err != nil {
			return err
		}
		k := key{w.Index, c}
		if first, ok := at[k]; ok {
			first.Merge(w)
			return checkMerged(first)
		}
		at[k] = w
		out = append(out, w)
		return nil
	})
	if err != nil {
		return nil, err
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

// readFaults reads faults.jsonl, keeping the last entry of each fault (see
// FaultWindow.Key): a journal holds at most as many as a scenario can apply.
func readFaults(path string) ([]FaultWindow, error) {
	var out []FaultWindow
	at := map[[2]string]int{}
	err := readLines(path, maxLine, func(f FaultWindow) error {
		if err := checkFault(f); err != nil {
			return err
		}
		key := f.Key()
		if i, ok := at[key]; ok {
			out[i] = f
			return nil
		}
		if len(out) == scenarios.MaxFaultWindows {
			return fmt.Errorf("more than %d fault windows, more than a scenario applies", scenarios.MaxFaultWindows)
		}
		at[key] = len(out)
		out = append(out, f)
		return nil
	})
	return out, err
}

// readLines reads a file of JSON lines, each at most maxLen bytes, handing each to
// each (which checks it and keeps what it needs) before the next is read: memory goes
// with what each keeps, not with the file. A missing file is empty. Only the last line
// may fail to decode: a run killed mid-write tears it.
func readLines[T any](path string, maxLen int, each func(T) error) error {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() { // a FIFO or a device would be read without end
		return fmt.Errorf("%s:1: not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, min(maxLen, 64<<10)), maxLen)
	var pending error
	line := 0
	for sc.Scan() {
		line++
		if pending != nil { // only the last line may be torn
			return pending
		}
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			pending = fmt.Errorf("%s:%d: %w", path, line, err)
			continue
		}
		if err := each(v); err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
	}
	switch err := sc.Err(); {
	case errors.Is(err, bufio.ErrTooLong):
		return fmt.Errorf("%s:%d: a line longer than %d bytes, more than a run writes", path, line+1, maxLen)
	case err != nil:
		return fmt.Errorf("%s:%d: %w", path, line+1, err)
	case pending != nil && endsLine(f, info.Size()):
		return pending // whole, so not torn: written wrong
	}
	return nil
}

// endsLine says whether a file of size bytes ends with a newline: a line is written
// with its newline in one call, so a torn last line has none.
func endsLine(f *os.File, size int64) bool {
	last := make([]byte, 1)
	_, err := f.ReadAt(last, size-1)
	return err == nil && last[0] == '\n'
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
