package harness

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/scenarios"
)

// fullDisk is windows.jsonl on a disk that fills up after a few windows.
type fullDisk struct {
	journal.File
	ok, writes int
}

func (f *fullDisk) Write(p []byte) (int, error) {
	if f.writes++; f.writes > f.ok {
		return 0, syscall.ENOSPC
	}
	return f.File.Write(p)
}

// A journal that cannot be written stops the run: the load ends within a flush of the
// failure instead of running the scenario out, and the error names the file.
func TestRunStopsWhenTheJournalCannotBeWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("brings the embedded runtime up and sends load")
	}
	s, err := scenarios.Open("smoke")
	require.NoError(t, err)
	s.Faults = nil // nothing to wait for
	dir := filepath.Join(t.TempDir(), "run")
	opts := Options{Dir: dir, openJournal: func(path string) (journal.File, error) {
		f, err := journal.OpenFile(path)
		if err != nil || !strings.HasSuffix(path, "windows.jsonl") {
			return f, err
		}
		return &fullDisk{File: f, ok: 3}, nil
	}}
	began := time.Now()
	runErr := Run(context.Background(), s, opts)
	took := time.Since(began)
	require.Error(t, runErr)
	assert.ErrorIs(t, runErr, syscall.ENOSPC)
	assert.Contains(t, runErr.Error(), "the load was stopped")
	assert.Contains(t, runErr.Error(), filepath.Join(dir, journal.Dir, "windows.jsonl"))
	wall := s.Clock.Map().WallDuration()
	assert.Less(t, took, wall, "stopped, not run for the scenario's %s", wall)

	info, err := os.ReadFile(filepath.Join(dir, journal.Dir, "run.json"))
	require.NoError(t, err)
	assert.NotContains(t, string(info), `"ended"`, "the run did not finish")
	assert.NoFileExists(t, filepath.Join(dir, journal.Dir, "run.json.tmp"))
	t.Logf("stopped %s after the start (scenario %s): %v", took.Round(time.Millisecond), wall, runErr)
}
