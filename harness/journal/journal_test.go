package journal

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/scenarios"
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
	j, err := Create(dir, RunInfo{ID: "r", Classes: []string{"c"}, Window: time.Second, Windows: 2})
	require.NoError(t, err)
	w0 := &metrics.Window{Index: 0, Class: "c", Codes: map[string]int64{}, Latency: metrics.NewHistogram()}
	w1 := &metrics.Window{Index: 1, Class: "c", Start: time.Second, Codes: map[string]int64{}, Latency: metrics.NewHistogram()}
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

// A damaged journal — edited, torn, copied from elsewhere — is an error naming its file
// and line, before anything is sized or indexed by what it says: never a panic, never an
// allocation by a number read from disk.
func TestReadRefusesDamagedJournals(t *testing.T) {
	window := `{"index":0,"class":"c","start":0,"sent":2,"codes":{"200":2}}`
	tests := []struct {
		name   string
		file   string // in the journal directory
		data   string
		want   string // in the error, after the file's name
		ofFile string // the file the error names; file when empty
	}{
		{"negative windows", runFile, `{"window":1000000000,"windows":-5,"classes":["c"]}`, ":1: windows: must be between 1 and 100001, got -5", ""},
		{"more windows than a scenario allows", runFile, `{"window":1000,"windows":2000000000,"classes":["c"]}`, ":1: windows: must be between 1 and 100001", ""},
		{"windows longer than a run", runFile, `{"window":3600000000000,"windows":100000,"classes":["c"]}`, "last longer than the longest run", ""},
		{"no window width", runFile, "{\n\"windows\":2,\n\"window\":0,\n\"classes\":[\"c\"]}", ":3: window: must be above 0", ""},
		{"no classes", runFile, `{"window":1000000000,"windows":2,"classes":[]}`, "classes: must list between 1 and", ""},
		{"a class twice", runFile, `{"window":1000000000,"windows":2,"classes":["c","c"]}`, `class "c" is listed twice`, ""},
		{"not JSON", runFile, "{\n\"windows\": 2,,\n}", ":2: invalid character", ""},
		{"a run.json without end", runFile, "{" + strings.Repeat(" ", maxRunFile) + "}", "larger than 1048576 bytes", ""},
		{"a negative window index", windowsFile, strings.Replace(window, `"index":0`, `"index":-1`, 1), ":1: window -1 is outside the run's 2 windows", ""},
		{"a window placed elsewhere", windowsFile, strings.Replace(window, `"start":0`, `"start":-5`, 1), ":1: window 0 c: starts at -5ns, not at 0s", ""},
		{"codes that do not add up", windowsFile, window + "\n" + strings.Replace(window, `"200":2`, `"200":2000`, 1), ":2: window 0 c: the status codes count 2000 responses, sent says 2", ""},
		{"a code that is no status", windowsFile, strings.Replace(window, `"200":2`, `"2e2":2`, 1), `"2e2" is not an HTTP status`, ""},
		{"a histogram of another geometry", windowsFile, strings.Replace(window, `"codes"`, `"latency_hdr":"`+wideHistogram(t)+`","codes"`, 1) + "\n", "is not the journal's geometry", ""},
		{"a last line that is whole but wrong", windowsFile, window + "\n" + `{"index":1,"class":"c",}` + "\n", ":2: invalid character", ""},
		{"a line without end", windowsFile, window + "\n" + strings.Repeat("x", maxWindowLine+1), ":2: a line longer than 4194304 bytes", ""},
		{"a negative health window", healthFile, `{"index":-3}`, ":1: health window -3 is outside the run", ""},
		{"a fault that ends before it starts", faultsFile, `{"name":"f","start":5000000000,"end":1}`, `:1: fault "f": end 1ns is not after its start 5s`, ""},
		{"more faults than a scenario applies", faultsFile, manyFaults(scenarios.MaxFaultWindows + 1), `more than 10000 fault windows`, ""},
		{"impossible reconciliation", reconciliationFile, `{"acknowledged":1,"missing":["a","b"]}`, ":1: 2 lost and 0 duplicated of 1 acknowledged", ""},
		{"negative reconciliation", reconciliationFile, `{"acknowledged":-1}`, ":1: negative counts", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			j, err := Create(dir, RunInfo{ID: "r", Classes: []string{"c"}, Window: time.Second, Windows: 2})
			require.NoError(t, err)
			require.NoError(t, j.Close(nil, time.Time{}, 0))
			require.NoError(t, os.WriteFile(filepath.Join(dir, Dir, tt.file), []byte(tt.data), 0o644))
			_, err = Read(dir)
			require.Error(t, err)
			assert.Contains(t, err.Error(), filepath.Join(dir, Dir, tt.file)+":", "the file is named")
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// Devices and FIFOs in place of a journal file are refused without reading them.
func TestReadRefusesWhatIsNotAFile(t *testing.T) {
	for _, name := range []string{runFile, windowsFile, reconciliationFile} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			j, err := Create(dir, RunInfo{ID: "r", Classes: []string{"c"}, Window: time.Second, Windows: 2})
			require.NoError(t, err)
			require.NoError(t, j.Close(nil, time.Time{}, 0))
			path := filepath.Join(dir, Dir, name)
			_ = os.Remove(path)
			require.NoError(t, os.Symlink("/dev/zero", path))
			done := make(chan error, 1)
			go func() { _, err := Read(dir); done <- err }()
			select {
			case err := <-done:
				assert.ErrorContains(t, err, path+":1: not a regular file")
			case <-time.After(10 * time.Second):
				t.Fatal("reading /dev/zero as a journal file did not end")
			}
		})
	}
}

// wideHistogram is a histogram whose decoding would allocate tens of MiB.
func wideHistogram(t *testing.T) string {
	h := hdrhistogram.New(1, 1<<62, 5)
	require.NoError(t, h.RecordValue(5))
	enc, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	require.NoError(t, err)
	return string(enc)
}

func manyFaults(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"name":"f%d","start":0}`+"\n", i)
	}
	return b.String()
}

// failingFile is a journal file on a disk that fills up: writes after the first ok fail.
type failingFile struct {
	name   string
	ok     int
	writes int
}

func (f *failingFile) Write(p []byte) (int, error) {
	if f.writes++; f.writes > f.ok {
		return 0, syscall.ENOSPC
	}
	return len(p), nil
}
func (f *failingFile) Sync() error  { return nil }
func (f *failingFile) Close() error { return nil }
func (f *failingFile) Name() string { return f.name }

// A write that fails is returned naming the file and kept (Err), whatever wrote it, so
// that the run can stop on it; run.json is replaced whole and its temporary file never
// stays behind.
func TestJournalWriteErrors(t *testing.T) {
	dir := t.TempDir()
	j, err := CreateWith(dir, RunInfo{ID: "r", Classes: []string{"c"}, Window: time.Second, Windows: 2},
		func(path string) (File, error) { return &failingFile{name: path, ok: 1}, nil })
	require.NoError(t, err)
	w := &metrics.Window{Index: 0, Class: "c", Codes: map[string]int64{}, Latency: metrics.NewHistogram()}
	require.NoError(t, j.AppendWindows([]*metrics.Window{w}), "the first line fits")
	require.NoError(t, j.Err())
	err = j.AppendWindows([]*metrics.Window{w, w})
	require.Error(t, err)
	assert.ErrorIs(t, err, syscall.ENOSPC)
	assert.Contains(t, err.Error(), filepath.Join(dir, Dir, windowsFile))
	assert.Equal(t, err, j.Err(), "kept for the run to stop on")
	assert.NoError(t, j.AppendFault(FaultWindow{Name: "f"}))
	assert.Equal(t, err, j.Err(), "the first error is the one kept")

	// run.json cannot be replaced: the temporary file is removed, the error names run.json.
	runJSON := filepath.Join(dir, Dir, runFile)
	require.NoError(t, os.Remove(runJSON))
	require.NoError(t, os.Mkdir(runJSON, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(runJSON, "x"), nil, 0o644))
	closeErr := j.Close(nil, time.Now(), 0)
	require.Error(t, closeErr)
	assert.Contains(t, closeErr.Error(), "writing "+runJSON)
	assert.NoFileExists(t, runJSON+".tmp")
}

// Province windows read back in index then code order, a window's later additions
// merged into it; a line no run writes is refused with its line number.
func TestProvinceWindowsReadBack(t *testing.T) {
	line := func(index int, code string, sent, failed int64, latency time.Duration) *metrics.ProvinceWindow {
		p := metrics.NewProvinceWindow(index, code)
		p.Sent, p.Failed = sent, failed
		for range sent - failed {
			require.NoError(t, p.Latency.RecordValue(latency.Microseconds()))
		}
		return p
	}
	tests := []struct {
		name  string
		lines []*metrics.ProvinceWindow
		want  []string // index/code/sent/failed, in order
		err   string
	}{
		{"additions merged", []*metrics.ProvinceWindow{line(1, "79", 3, 1, time.Millisecond), line(0, "01", 2, 0, time.Millisecond), line(1, "79", 4, 0, time.Second)},
			[]string{"0/01/2/0", "1/79/7/1"}, ""},
		{"more failed than sent", []*metrics.ProvinceWindow{{Index: 0, Province: "01", Sent: 1, Failed: 2}}, nil, "province_windows.jsonl:1: province window 0"},
		{"past the run", []*metrics.ProvinceWindow{line(5, "01", 1, 0, time.Millisecond)}, nil, "province_windows.jsonl:1:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			j, err := Create(dir, RunInfo{ID: "r", Classes: []string{"c"}, Window: time.Second, Windows: 2})
			require.NoError(t, err)
			require.NoError(t, j.AppendProvinceWindows(tt.lines))
			require.NoError(t, j.Close(nil, time.Now(), 0))
			rec, err := Read(dir)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			var got []string
			for _, p := range rec.ProvinceWindows {
				got = append(got, fmt.Sprintf("%d/%s/%d/%d", p.Index, p.Province, p.Sent, p.Failed))
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, time.Second, rec.ProvinceWindows[1].Percentile(100).Round(100*time.Millisecond), "the addition's latencies merged")
		})
	}
}
