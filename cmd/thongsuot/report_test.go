package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/harness/runtime/runtimetest"
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/reports"
)

// asMain makes this test binary behave as the thongsuot command, so a test can run
// it as a separate process and kill it.
const asMain = "THONGSUOT_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMain) == "1" {
		main()
		os.Exit(slo.ExitPass)
	}
	code := m.Run()
	runtimetest.ReleaseImages() // the pins of the images the tests built
	os.Exit(code)
}

// countWindows counts the distinct windows in windows.jsonl (0 when it does not exist
// yet): a window is written when it ends, and its later answers as further lines.
func countWindows(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	seen := map[int]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		var w struct {
			Index int `json:"index"`
		}
		if json.Unmarshal(sc.Bytes(), &w) == nil {
			seen[w.Index] = true
		}
	}
	return len(seen)
}

func readSummary(t *testing.T, dir string) reports.Summary {
	t.Helper()
	var sum reports.Summary
	data, err := os.ReadFile(filepath.Join(dir, reports.SummaryFile))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &sum))
	return sum
}

// A run killed with SIGKILL partway leaves a journal without an end; `thongsuot
// report` renders what it holds, marked incomplete, and exits 2.
func TestReportOnARunKilledWithSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the smoke scenario in a child process")
	}
	// Windows are on disk half a window after they end, so the journal fills quickly.
	path := smokeWith(t, "  timeout: 5s", "  timeout: 1s")
	dir := filepath.Join(t.TempDir(), "run")
	cmd := exec.Command(os.Args[0], "run", path, "--out", dir, "--quiet")
	cmd.Env = append(os.Environ(), asMain+"=1")
	require.NoError(t, cmd.Start())
	const killAfter = 6 // windows on disk
	windows := filepath.Join(dir, "journal", "windows.jsonl")
	ok := assert.Eventually(t, func() bool { return countWindows(windows) >= killAfter }, time.Minute, 50*time.Millisecond)
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	err := cmd.Wait()
	require.True(t, ok, "the run never wrote %d windows", killAfter)
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, syscall.SIGKILL, exit.Sys().(syscall.WaitStatus).Signal(), "really killed, not finished")

	info, err := os.ReadFile(filepath.Join(dir, "journal", "run.json"))
	require.NoError(t, err)
	assert.NotContains(t, string(info), `"ended"`, "a killed run never wrote its end")
	for _, f := range []string{reports.SummaryFile, reports.HTMLFile, reports.JUnitFile} {
		assert.NoFileExists(t, filepath.Join(dir, f), "the killed run rendered nothing")
	}

	code, stdout, stderr := execute(t, "report", dir)
	require.Equal(t, slo.ExitError, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stdout, "smoke: INCOMPLETE")
	assert.Contains(t, stdout, "no verdict")

	sum := readSummary(t, dir)
	assert.Equal(t, slo.VerdictIncomplete, sum.Verdict)
	assert.GreaterOrEqual(t, sum.Windows.Recorded, killAfter)
	assert.Less(t, sum.Windows.Recorded, sum.Windows.Planned, "killed partway")
	assert.Positive(t, sum.Totals.Sent)
	require.NotNil(t, sum.Env, "the machine was recorded at the start")

	page, err := os.ReadFile(filepath.Join(dir, reports.HTMLFile))
	require.NoError(t, err)
	assert.Contains(t, string(page), `data-verdict="incomplete"`)
	assert.Contains(t, string(page), "INCOMPLETE — the run was cut short")
	for _, f := range []string{"latency.png", "throughput.png", "codes.png", "availability.png", "sends.png"} {
		assert.FileExists(t, filepath.Join(dir, f))
	}
	junit, err := os.ReadFile(filepath.Join(dir, reports.JUnitFile))
	require.NoError(t, err)
	assert.Contains(t, string(junit), `tests="9" failures="0" errors="8"`, "no verdict: every objective is an error (5 of the scenario, 3 implied), the harness case is not")
}

func TestReportRejectsWhatIsNotARun(t *testing.T) {
	code, _, stderr := execute(t, "report", t.TempDir())
	assert.Equal(t, slo.ExitError, code)
	assert.Contains(t, stderr, "is not a run directory")
	code, _, _ = execute(t, "report")
	assert.Equal(t, slo.ExitError, code, "RUN_DIR is required")
}

// Two real runs of smoke (played at 120×: 10 s each): the base, and one with 200 ms
// added on client->portal for the whole run. Compare says 0 for a run against itself
// and 1 against the slow one. The base also writes vegeta results, which decode to
// exactly the requests the journal counts.
func TestCompareRealRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the smoke scenario twice")
	}
	// Half smoke's rate keeps the runs light on a shared 2-core machine. The slow link
	// adds 200 ms to every exchange: far past what a busy machine does to a p95.
	fast := smokeWith(t, "compress: 60 ", "compress: 120 ", "  scale: 1 ", "  scale: 0.5 ")
	slow := smokeWith(t, "compress: 60 ", "compress: 120 ", "  scale: 1 ", "  scale: 0.5 ",
		"faults:\n", "faults:\n  - {name: slow portal link, at: +0m, for: 20m scenario, link: client->portal, toxic: latency, latency: 200ms}\n")
	root := t.TempDir()
	results := filepath.Join(root, "base.bin")
	// Compare needs runs with a verdict of their own, and a baseline is one that held
	// its SLOs: a run starved by other work on the machine is no baseline (inconclusive,
	// or failed on p95s of seconds), so each gets up to three tries.
	judged := func(name, path string, want []int, args ...string) string {
		for try := 1; ; try++ {
			dir := filepath.Join(root, fmt.Sprintf("%s-%d", name, try))
			code, stdout, stderr := execute(t, append([]string{"run", path, "--out", dir, "--quiet"}, args...)...)
			if slices.Contains(want, code) {
				return dir
			}
			require.Contains(t, []int{slo.ExitPass, slo.ExitFail, slo.ExitInconclusive}, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			require.Less(t, try, 3, "no run of %s gave a verdict to compare; the machine is too busy:\n%s", name, stdout)
			t.Logf("%s try %d: exit %d (machine busy), running it again", name, try, code)
		}
	}
	base := judged("base", fast, []int{slo.ExitPass}, "--results", results)
	regressed := judged("slow", slow, []int{slo.ExitPass, slo.ExitFail})

	t.Run("vegeta results", func(t *testing.T) {
		f, err := os.Open(results)
		require.NoError(t, err)
		defer f.Close()
		dec := vegeta.NewDecoder(bufio.NewReader(f))
		var n int64
		classes := map[string]int64{}
		for {
			var r vegeta.Result
			if err := dec.Decode(&r); err != nil {
				break
			}
			n++
			classes[r.Attack]++
		}
		sum := readSummary(t, base)
		assert.Equal(t, sum.Totals.Sent, n, "one result per request the journal counts")
		for _, c := range sum.Classes {
			assert.Equal(t, c.Sent, classes[c.Class], "results carry their class as the attack name")
		}
		if cli, err := exec.LookPath("vegeta"); err == nil { // the real consumer, when installed
			out, err := exec.Command(cli, "report", results).CombinedOutput()
			require.NoError(t, err, "%s", out)
			assert.Contains(t, string(out), "Requests")
		}
	})

	t.Run("a run against itself", func(t *testing.T) {
		code, stdout, stderr := execute(t, "compare", base, base, "--out", t.TempDir())
		assert.Equal(t, slo.ExitPass, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
		assert.Contains(t, stdout, "no regression")
		assert.NotContains(t, stdout, "REGRESSED")
	})

	t.Run("200 ms slower", func(t *testing.T) {
		out := t.TempDir()
		code, stdout, stderr := execute(t, "compare", base, regressed, "--out", out)
		assert.Equal(t, slo.ExitFail, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
		for _, class := range []string{"catalogue", "status", "submit"} {
			assert.Regexp(t, `(?m)^REGRESSED\s+class\s+`+class+`\s+p95\s`, stdout, "every class went through the slow link")
		}
		assert.Contains(t, stdout, "regressions beyond the limits")
		for _, f := range reports.CompareFiles(out) {
			assert.FileExists(t, f)
		}
	})

	t.Run("200 ms slower, within a loose limit", func(t *testing.T) {
		code, stdout, _ := execute(t, "compare", base, regressed, "--out", t.TempDir(), "--max-regression", "1000000")
		assert.Equal(t, slo.ExitPass, code, stdout)
	})
}

// report on a damaged run directory exits 2 naming the file and line, at once: no panic,
// no read without end, nothing allocated by a number read from disk.
func TestReportRefusesADamagedRun(t *testing.T) {
	tests := []struct {
		name string
		file string // relative to the run directory
		data string // "" links the file to /dev/zero
		want string
	}{
		{"scenario.yaml without end", "scenario.yaml", "", "scenario.yaml:1: the file is larger than 1048576 bytes"},
		{"run.json without end", "journal/run.json", "", "journal/run.json:1: not a regular file"},
		{"negative windows", "journal/run.json", `{"window":1000000000,"windows":-5,"classes":["c"]}`, "journal/run.json:1: windows: must be between 1 and"},
		{"no classes", "journal/run.json", `{"window":1000000000,"windows":20,"classes":[]}`, "journal/run.json:1: classes: must list between 1 and"},
		{"two billion windows", "journal/run.json", `{"window":1000000000,"windows":2000000000,"classes":["c"]}`, "journal/run.json:1: windows: must be between 1 and 100001"},
		{"a window index past the run", "journal/windows.jsonl", `{"index":1999999999,"class":"catalogue","codes":{}}` + "\n", "journal/windows.jsonl:1: window 1999999999 is outside the run's"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := handRun(t, false, false) // a run directory to damage
			path := filepath.Join(dir, tt.file)
			require.NoError(t, os.Remove(path))
			if tt.data == "" {
				require.NoError(t, os.Symlink("/dev/zero", path))
			} else {
				require.NoError(t, os.WriteFile(path, []byte(tt.data), 0o644))
			}
			began := time.Now()
			code, _, stderr := execute(t, "report", dir)
			assert.Equal(t, slo.ExitError, code)
			assert.Contains(t, stderr, tt.want)
			assert.Less(t, time.Since(began), 10*time.Second, "refused at once")
		})
	}
}
