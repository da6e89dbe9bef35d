package metrics

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// The journal is a run's record on disk, in <run>/journal/: run.json (what ran, when,
// and whether it finished), windows.jsonl and faults.jsonl (append-only, synced to disk
// at every flush). Reports, verdicts and re-renders read only this.
const (
	JournalDir  = "journal"
	runFile     = "run.json"
	windowsFile = "windows.jsonl"
	faultsFile  = "faults.jsonl"
)

// RunInfo describes a run: written at the start, rewritten at the end.
type RunInfo struct {
	ID       string        `json:"id"`
	Scenario string        `json:"scenario"`
	Runtime  string        `json:"runtime"`
	Started  time.Time     `json:"started"` // wall clock at offset 0
	Window   time.Duration `json:"window"`  // wall length of a window, ns
	Windows  int           `json:"windows"` // windows in the whole run
	Classes  []string      `json:"classes"`
	Intended float64       `json:"intended"`        // arrivals the whole plan asks for
	Ended    *time.Time    `json:"ended,omitempty"` // set when the run finished cleanly
	// Orphans are responses that came back after their window was written (beyond the
	// request timeout): counted, not recorded in any window.
	Orphans int64  `json:"orphans,omitempty"`
	Version string `json:"version"`
	// Env is where the run ran; absent in journals written before it was recorded.
	Env *Environment `json:"env,omitempty"`
}

// Complete reports whether the run ended cleanly rather than being killed.
func (r RunInfo) Complete() bool { return r.Ended != nil }

// FaultWindow is a fault as it was actually applied.
type FaultWindow struct {
	Name     string            `json:"name"`
	Link     string            `json:"link,omitempty"`   // a link fault's link…
	Toxic    string            `json:"toxic,omitempty"`  // …and toxic
	Role     string            `json:"role,omitempty"`   // a process fault's role…
	Action   string            `json:"action,omitempty"` // …and action
	Params   map[string]string `json:"params,omitempty"`
	Start    time.Duration     `json:"start"`         // wall offset when applied, ns
	End      time.Duration     `json:"end,omitempty"` // wall offset when removed; 0 if never removed
	Error    string            `json:"error,omitempty"`
	Scenario time.Time         `json:"scenario_start"`
	// Kind is the fault's shape: "window" (one-shot), "flap" (one entry per cycle) or
	// "ramp" (Params say from what to what).
	Kind string `json:"kind,omitempty"`
	// Cycle numbers a flap's cycles from 1; Cycles is how many it has.
	Cycle  int `json:"cycle,omitempty"`
	Cycles int `json:"cycles,omitempty"`
	// ScenarioEnd is the scenario time at End.
	ScenarioEnd time.Time `json:"scenario_end,omitzero"`
}

// Fault shapes (FaultWindow.Kind).
const (
	FaultWindowKind = "window"
	FaultFlapKind   = "flap"
	FaultRampKind   = "ramp"
)

// Journal appends a run's windows and faults to disk. It is safe for concurrent use.
type Journal struct {
	dir     string
	windows *os.File
	faults  *os.File
	info    RunInfo

	mu     sync.Mutex
	active map[[2]string]FaultWindow // applied and not yet removed, for progress lines
}

// CreateJournal starts the journal in runDir/journal.
func CreateJournal(runDir string, info RunInfo) (*Journal, error) {
	dir := filepath.Join(runDir, JournalDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating journal: %w", err)
	}
	j := &Journal{dir: dir, info: info}
	var err error
	if j.windows, err = os.OpenFile(filepath.Join(dir, windowsFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND|os.O_TRUNC, 0o644); err != nil {
		return nil, fmt.Errorf("creating journal: %w", err)
	}
	if j.faults, err = os.OpenFile(filepath.Join(dir, faultsFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND|os.O_TRUNC, 0o644); err != nil {
		j.windows.Close()
		return nil, fmt.Errorf("creating journal: %w", err)
	}
	return j, j.writeInfo()
}

func (j *Journal) writeInfo() error {
	data, err := json.MarshalIndent(j.info, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(j.dir, runFile+".tmp")
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("writing run info: %w", err)
	}
	return os.Rename(tmp, filepath.Join(j.dir, runFile))
}

// AppendWindows writes windows and syncs them to disk.
func (j *Journal) AppendWindows(ws []*Window) error {
	return appendLines(j.windows, ws)
}

// AppendFault writes one fault window and syncs it to disk.
func (j *Journal) AppendFault(f FaultWindow) error {
	j.mu.Lock()
	if j.active == nil {
		j.active = map[[2]string]FaultWindow{}
	}
	if f.End == 0 && f.Error == "" {
		j.active[faultKey(f)] = f
	} else {
		delete(j.active, faultKey(f))
	}
	j.mu.Unlock()
	return appendLines(j.faults, []FaultWindow{f})
}

// ActiveFaults are the faults applied and not yet removed, in the order they were applied.
func (j *Journal) ActiveFaults() []FaultWindow {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]FaultWindow, 0, len(j.active))
	for _, f := range j.active {
		out = append(out, f)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Start < out[b].Start })
	return out
}

// faultKey names one application of a fault: a fault is journalled when applied and
// again, with its end, when removed.
func faultKey(f FaultWindow) [2]string { return [2]string{f.Name, f.Scenario.String()} }

// os.File writes are atomic per call for O_APPEND on local files; one Write per batch
// keeps concurrent appenders from interleaving lines.
func appendLines[T any](f *os.File, items []T) error {
	var buf []byte
	for _, it := range items {
		line, err := json.Marshal(it)
		if err != nil {
			return fmt.Errorf("journal: %w", err)
		}
		buf = append(append(buf, line...), '\n')
	}
	if _, err := f.Write(buf); err != nil {
		return fmt.Errorf("journal %s: %w", filepath.Base(f.Name()), err)
	}
	return f.Sync()
}

// Close closes the files. ended is when the run finished, or nil when it was cut
// short (interrupted): such a run is incomplete and gets no verdict.
func (j *Journal) Close(ended *time.Time, orphans int64) error {
	j.info.Ended, j.info.Orphans = ended, orphans
	return errors.Join(j.writeInfo(), j.windows.Close(), j.faults.Close())
}

// Record is a journal read back.
type Record struct {
	Run            RunInfo
	Windows        []*Window // by index, then class order of Run.Classes
	Faults         []FaultWindow
	Reconciliation *Reconciliation // nil when the run made no check
}

// ReadJournal reads runDir/journal. A torn last line (a run killed mid-write) is ignored.
func ReadJournal(runDir string) (*Record, error) {
	dir := filepath.Join(runDir, JournalDir)
	data, err := os.ReadFile(filepath.Join(dir, runFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is not a run directory: no %s/%s", runDir, JournalDir, runFile)
	}
	if err != nil {
		return nil, err
	}
	rec := &Record{}
	if err := json.Unmarshal(data, &rec.Run); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, runFile), err)
	}
	if rec.Windows, err = readLines[*Window](filepath.Join(dir, windowsFile)); err != nil {
		return nil, err
	}
	faults, err := readLines[FaultWindow](filepath.Join(dir, faultsFile))
	if err != nil {
		return nil, err
	}
	rec.Faults = latestFaults(faults)
	if rec.Reconciliation, err = readReconciliation(runDir); err != nil {
		return nil, err
	}
	order := map[string]int{}
	for i, c := range rec.Run.Classes {
		order[c] = i
	}
	sort.SliceStable(rec.Windows, func(a, b int) bool {
		wa, wb := rec.Windows[a], rec.Windows[b]
		if wa.Index != wb.Index {
			return wa.Index < wb.Index
		}
		return order[wa.Class] < order[wb.Class]
	})
	return rec, nil
}

// latestFaults keeps the last entry of each fault (see faultKey).
func latestFaults(fs []FaultWindow) []FaultWindow {
	var out []FaultWindow
	at := map[[2]string]int{}
	for _, f := range fs {
		key := faultKey(f)
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
