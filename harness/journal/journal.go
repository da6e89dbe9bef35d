// Package journal is a run's record on disk and the way back from it: what ran
// (run.json), what every window of every class did (windows.jsonl), which faults were
// applied when (faults.jsonl), the end-of-run reconciliation (reconcile.json) and the
// machine it ran on. Verdicts and reports read a run only through this package.
package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
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
	// provinceWindowsFile holds, per window and province, the requests of the
	// province's users over every class (metrics.ProvinceWindow); absent in journals
	// written before it was kept.
	provinceWindowsFile = "province_windows.jsonl"
)

// RunInfo describes a run: written at the start, rewritten at the end.
type RunInfo struct {
	ID       string        `json:"id"`
	Scenario string        `json:"scenario"`
	Runtime  string        `json:"runtime"`
	Started  time.Time     `json:"started"` // wall clock at offset 0
	Window   time.Duration `json:"window"`  // wall length of a window, ns
	Windows  int           `json:"windows"` // windows in the whole run
	// Timeout is the load's request timeout (wall time): how long a request sent while
	// the harness was saturated may still hold the system; 0 in journals written
	// before it was kept.
	Timeout  time.Duration `json:"timeout,omitempty"`
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
	// LinkCapacity is each capped link's standing bandwidth, bits per second each way
	// (a tier's shared cap): the line its traffic is drawn against.
	LinkCapacity map[string]float64 `json:"link_capacity_bps,omitempty"`
}

// Complete reports whether the run ended cleanly rather than being killed.
func (r RunInfo) Complete() bool { return r.Ended != nil }

// Journal appends a run's windows and faults to disk. It is safe for concurrent use.
// Every append is written and synced before it returns; the first error is kept (Err),
// for a run stops on it.
type Journal struct {
	dir     string
	windows File
	faults  File
	health  File
	// provinces is opened with the first province windows: a run whose users name no
	// unit writes none.
	provinces File
	open      Opener
	info      RunInfo

	mu  sync.Mutex
	err error
}

// File is what the journal appends to: an *os.File, or in a test one that fails.
type File interface {
	io.Writer
	Sync() error
	Close() error
	Name() string
}

// Opener opens a journal file for appending, truncating it.
type Opener func(path string) (File, error)

// OpenFile is the Opener of a real run: files on disk.
func OpenFile(path string) (File, error) {
	return os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND|os.O_TRUNC, 0o644)
}

// Create starts the journal in runDir/journal.
func Create(runDir string, info RunInfo) (*Journal, error) { return CreateWith(runDir, info, OpenFile) }

// CreateWith starts the journal in runDir/journal, its append-only files opened by open.
func CreateWith(runDir string, info RunInfo, open Opener) (*Journal, error) {
	dir := filepath.Join(runDir, Dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating journal: %w", err)
	}
	j := &Journal{dir: dir, info: info, open: open}
	var opened []File
	for _, f := range []struct {
		name string
		to   *File
	}{{windowsFile, &j.windows}, {faultsFile, &j.faults}, {healthFile, &j.health}} {
		file, err := open(filepath.Join(dir, f.name))
		if err != nil {
			for _, o := range opened {
				o.Close()
			}
			return nil, fmt.Errorf("creating journal: %w", err)
		}
		*f.to = file
		opened = append(opened, file)
	}
	return j, j.fail(j.writeInfo())
}

// writeInfo replaces run.json whole (a temporary file renamed over it, synced), so a
// kill leaves the old or the new, never half of one; the temporary file never outlives
// a failed write.
func (j *Journal) writeInfo() error {
	data, err := json.MarshalIndent(j.info, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(j.dir, runFile)
	tmp := path + ".tmp"
	err = writeSynced(tmp, append(data, '\n'))
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// AppendWindows writes windows and syncs them to disk.
func (j *Journal) AppendWindows(ws []*metrics.Window) error {
	return j.fail(appendLines(j.windows, ws))
}

// AppendProvinceWindows writes the provinces' windows and syncs them to disk.
func (j *Journal) AppendProvinceWindows(ws []*metrics.ProvinceWindow) error {
	j.mu.Lock()
	if j.provinces == nil {
		f, err := j.open(filepath.Join(j.dir, provinceWindowsFile))
		if err != nil {
			j.mu.Unlock()
			return j.fail(fmt.Errorf("creating journal: %w", err))
		}
		j.provinces = f
	}
	f := j.provinces
	j.mu.Unlock()
	return j.fail(appendLines(f, ws))
}

// AppendFault writes one fault window and syncs it to disk.
func (j *Journal) AppendFault(f FaultWindow) error {
	return j.fail(appendLines(j.faults, []FaultWindow{f}))
}

// AppendHealth writes the harness's health over one window and syncs it to disk.
func (j *Journal) AppendHealth(h health.Window) error {
	return j.fail(appendLines(j.health, []health.Window{h}))
}

// Err is the first error writing the journal, or nil.
func (j *Journal) Err() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

func (j *Journal) fail(err error) error {
	if err != nil {
		j.mu.Lock()
		if j.err == nil {
			j.err = err
		}
		j.mu.Unlock()
	}
	return err
}

// os.File writes are atomic per call for O_APPEND on local files; one Write per batch
// keeps concurrent appenders from interleaving lines.
func appendLines[T any](f File, items []T) error {
	var buf []byte
	for _, it := range items {
		line, err := json.Marshal(it)
		if err != nil {
			return fmt.Errorf("journal %s: %w", f.Name(), err)
		}
		buf = append(append(buf, line...), '\n')
	}
	if _, err := f.Write(buf); err != nil {
		return fmt.Errorf("writing %s: %w", f.Name(), err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", f.Name(), err)
	}
	return nil
}

// Close closes the files. ended is when the run finished, or nil when it was cut
// short (interrupted): such a run is incomplete and gets no verdict.
// stopped is when the load stopped; reopened, how many windows got later additions.
func (j *Journal) Close(ended *time.Time, stopped time.Time, reopened int64) error {
	j.info.Ended, j.info.Stopped, j.info.Reopened = ended, &stopped, reopened
	err := errors.Join(j.writeInfo(), j.windows.Close(), j.faults.Close(), j.health.Close())
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.provinces != nil {
		err = errors.Join(err, j.provinces.Close())
	}
	return err
}
