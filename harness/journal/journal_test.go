package journal

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/harness/metrics"
)

// A recorder writing into a journal: what is read back is what was recorded, with the
// run's end and orphans.
func TestRecordedWindowsReadBack(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	classes := []string{"catalogue", "submit"}
	j, err := Create(dir, RunInfo{ID: "r1", Classes: classes, Started: start, Window: time.Second, Windows: 3})
	require.NoError(t, err)
	rec := metrics.NewRecorder(j, metrics.RecorderConfig{Start: start, Width: time.Second, Windows: 3, Classes: classes,
		Planned: func(int, time.Duration, time.Duration) float64 { return 1 }, Grace: time.Second})
	rec.Sent(1, &vegeta.Result{Timestamp: start.Add(1500 * time.Millisecond), Code: 201, Latency: time.Millisecond}, start.Add(1500*time.Millisecond))
	require.NoError(t, rec.Flush(start.Add(5*time.Second)))
	rec.Sent(1, &vegeta.Result{Timestamp: start.Add(6 * time.Second), Code: 503, Latency: time.Millisecond}, start.Add(1200*time.Millisecond)) // after window 1 was written
	ended := start.Add(3 * time.Second)
	reopened, err := rec.Close(ended)
	require.NoError(t, err)
	require.NoError(t, j.Close(&ended, ended, reopened))

	got, err := Read(dir)
	require.NoError(t, err)
	assert.True(t, got.Run.Complete())
	assert.Equal(t, int64(1), got.Run.Reopened)
	require.Len(t, got.Windows, 6, "the addition to window 1 is merged into it")
	w := got.Windows[3]
	assert.Equal(t, "submit", w.Class)
	assert.Equal(t, map[string]int64{"201": 1, "503": 1}, w.Codes)
	assert.Equal(t, 1.0, w.Planned, "planned once, not once per line")
}

func TestReadToleratesATornLastLine(t *testing.T) {
	dir := t.TempDir()
	j, err := Create(dir, RunInfo{ID: "r", Classes: []string{"c"}, Windows: 2})
	require.NoError(t, err)
	w0 := &metrics.Window{Index: 0, Class: "c", Codes: map[string]int64{}, Latency: metrics.NewHistogram()}
	w1 := &metrics.Window{Index: 1, Class: "c", Codes: map[string]int64{}, Latency: metrics.NewHistogram()}
	require.NoError(t, j.AppendWindows([]*metrics.Window{w0, w1}))
	f, err := os.OpenFile(filepath.Join(dir, Dir, windowsFile), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(`{"index":1,"cla`)
	require.NoError(t, err)
	require.NoError(t, f.Close())

	got, err := Read(dir)
	require.NoError(t, err)
	assert.Len(t, got.Windows, 2)
	assert.False(t, got.Run.Complete(), "never closed: a killed run")

	_, err = Read(t.TempDir())
	assert.ErrorContains(t, err, "not a run directory")
}

func TestCurrentEnvironment(t *testing.T) {
	e := CurrentEnvironment()
	assert.Equal(t, runtime.GOOS, e.OS)
	assert.Equal(t, runtime.Version(), e.GoVersion)
	assert.Positive(t, e.CPUs)
	assert.NotEmpty(t, e.Command)
	if info, _ := debug.ReadBuildInfo(); info != nil && len(info.Deps) > 0 { // test binaries list none
		assert.Contains(t, e.Modules, "github.com/tsenart/vegeta/v12", "the generator's version is recorded")
	}
	if runtime.GOOS == "linux" {
		assert.NotEmpty(t, e.Kernel)
		assert.Greater(t, e.MemoryBytes, uint64(1<<20))
	}
}
