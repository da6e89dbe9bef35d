// Package journal is a run's record on disk and the way back from it: what ran
// (run.json), what every window of every class did (windows.jsonl), which faults were
// applied when (faults.jsonl), the end-of-run reconciliation (reconcile.json) and the
// machine it ran on. Verdicts and reports read a run only through this package.
package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/thongsuot/thongsuot/harness/health"
	"github.com/thongsuot/thongsuot/harness/metrics"
)

// The journal is a run's record on disk, in <run>/journal/: run.json (what ran, when,
// and whether it finished), windows.jsonl and faults.jsonl (append-only, synced to disk
// at every flush). Reports, verdicts and re-renders read only this.
const (
	Dir         = "journal"
	runFile     = "run.json"
	windowsFile = "windows.jsonl"
	faultsFile  = "faults.jsonl"
	healthFile  = "health.jsonl"
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
	// Stopped is when the load stopped: at Ended, or earlier for a run cut short.
	Stopped *time.Time `json:"stopped,omitempty"`
	// Reopened counts windows that got responses after they were first written (sent
	// later than the request timeout after their window): the additions are journalled
	// as further lines for the same window, which Read merges.
	Reopened int64 `json:"reopened,omitempty"`
	// Orphans: journals written before windows could be reopened counted here the
	// responses they could not place.
	Orphans int64  `json:"orphans,omitempty"`
	Version string `json:"version"`
	// SUT names the system under test, role by role: what the verdict is about.
	SUT map[string]string `json:"sut,omitempty"`
	// Env is where the run ran; absent in journals written before it was recorded.
	Env *Environment `json:"env,omitempty"`
}

// Complete reports whether the run ended cleanly rather than being killed.
func (r RunInfo) Complete() bool { return r.Ended != nil }

// Journal appends a run's windows and faults to disk. It is safe for concurrent use.
type Journal struct {
	dir     string
	windows *os.File
	faults  *os.File
	health  *os.File
	info    RunInfo
}

// Create starts the journal in runDir/journal.
func Create(runDir string, info RunInfo) (*Journal, error) {
	dir := filepath.Join(runDir, Dir)
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
	if j.health, err = os.OpenFile(filepath.Join(dir, healthFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND|os.O_TRUNC, 0o644); err != nil {
		j.windows.Close()
		j.faults.Close()
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
func (j *Journal) AppendWindows(ws []*metrics.Window) error {
	return appendLines(j.windows, ws)
}

// AppendFault writes one fault window and syncs it to disk.
func (j *Journal) AppendFault(f FaultWindow) error {
	return appendLines(j.faults, []FaultWindow{f})
}

// AppendHealth writes the harness's health over one window and syncs it to disk.
func (j *Journal) AppendHealth(h health.Window) error {
	return appendLines(j.health, []health.Window{h})
}

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
// stopped is when the load stopped; reopened, how many windows got later additions.
func (j *Journal) Close(ended *time.Time, stopped time.Time, reopened int64) error {
	j.info.Ended, j.info.Stopped, j.info.Reopened = ended, &stopped, reopened
	return errors.Join(j.writeInfo(), j.windows.Close(), j.faults.Close(), j.health.Close())
}
