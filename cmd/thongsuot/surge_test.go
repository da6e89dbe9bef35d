package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/slo"
)

// Six scenario hours of the surge's launch day, every journey, against the embedded
// portal: each step class is recorded, and the citizens' dossiers are filed, uploaded,
// paid and polled.
func TestRunSurgeJourneys(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 6 s of journeys")
	}
	src, err := os.ReadFile(filepath.Join("..", "..", "scenarios", "july1-surge.yaml"))
	require.NoError(t, err)
	path := writeVariant(t, src,
		"  start: 2025-06-27 18:00", "  start: 2025-07-14 08:00",
		"  end: 2025-07-22 00:00", "  end: 2025-07-14 14:00",
		"  scale: 0.3 ", "  scale: 2 ",
		"faults:", "unused_faults:")
	path = writeVariant(t, []byte(strings.Split(mustRead(t, path), "unused_faults:")[0]+"slos:"+strings.Split(mustRead(t, path), "\nslos:")[1]))
	dir := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := execute(t, "run", path, "--out", dir, "--quiet")
	// Six hours hold too few dossiers to judge the weekly submit objective: the journeys
	// are what is tested here, not the verdict.
	require.Contains(t, []int{slo.ExitPass, slo.ExitFail, slo.ExitInconclusive}, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)

	rec, err := journal.Read(dir)
	require.NoError(t, err)
	sent, codes := map[string]int64{}, map[string]map[string]int64{}
	for _, w := range rec.Windows {
		sent[w.Class] += w.Sent
		if codes[w.Class] == nil {
			codes[w.Class] = map[string]int64{}
		}
		for c, n := range w.Codes {
			codes[w.Class][c] += n
		}
	}
	for _, c := range []string{"citizen-lookup.login", "citizen-lookup.unit", "catalogue", "citizen-dossier.submit", "citizen-dossier.upload", "citizen-dossier.status", "official-queue.queue"} {
		assert.Positive(t, sent[c], c)
	}
	assert.Equal(t, sent["citizen-dossier.submit"], codes["citizen-dossier.submit"]["201"], "every dossier filed: %v", codes["citizen-dossier.submit"])
	assert.Equal(t, sent["citizen-dossier.upload"], codes["citizen-dossier.upload"]["201"], "every scan stored: %v", codes["citizen-dossier.upload"])
	assert.Equal(t, sent["citizen-lookup.login"], codes["citizen-lookup.login"]["200"], "every login accepted: %v", codes["citizen-lookup.login"])
	assert.Positive(t, codes["official-queue.accept"]["200"], "officials accept dossiers: %v", codes["official-queue.accept"])
}

// The sample replay scenario, at 120× (5 s): the log's requests are sent to the
// embedded portal and recorded in the rule classes.
func TestRunReplayScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("replays 5 s")
	}
	src, err := os.ReadFile("../../scenarios/replay/replay-sample.yaml")
	require.NoError(t, err)
	abs, err := filepath.Abs("../../scenarios/replay/access.log")
	require.NoError(t, err)
	path := writeVariant(t, src, "compress: 10 ", "compress: 120 ", "speed: 10", "speed: 120", "log: access.log", "log: "+abs,
		"window: 1m ", "window: 30s ")
	dir := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := execute(t, "run", path, "--out", dir, "--quiet")
	require.Contains(t, []int{slo.ExitPass, slo.ExitFail}, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stdout, "607 requests sent of 607 due", "a replay sends what its log asks")
	rec, err := journal.Read(dir)
	require.NoError(t, err)
	assert.Contains(t, rec.Run.Classes, "catalogue")
	assert.Contains(t, rec.Run.Classes, "other")
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(data)
}
