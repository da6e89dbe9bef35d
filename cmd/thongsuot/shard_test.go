package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/harness/runtime/runtimetest"
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/scenarios"
)

// upProcess starts `thongsuot up` as a process of its own and returns what it prints:
// the portal and identity as the load reaches them, the toxiproxy API and the admin
// token (the secret of the service client that reads the receipts listing).
func upProcess(t *testing.T, bin string) (portal, identity, api, admin string) {
	t.Helper()
	cmd := exec.Command(bin, "up")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case strings.HasPrefix(sc.Text(), "  portal (client->portal)"):
			portal = f[len(f)-1]
		case len(f) == 2 && f[0] == "identity" && identity == "":
			identity = f[1] // the first: through client->identity
		case strings.HasPrefix(sc.Text(), "toxiproxy API"):
			api = f[2]
		case strings.HasPrefix(sc.Text(), "admin token"):
			admin = f[2]
		case strings.HasPrefix(sc.Text(), "Ctrl-C"):
			go func() {
				for sc.Scan() {
				}
			}()
			require.NotEmpty(t, portal)
			require.NotEmpty(t, identity)
			require.NotEmpty(t, api)
			require.NotEmpty(t, admin)
			return portal, identity, api, admin
		}
	}
	t.Fatal("thongsuot up did not say it was up")
	return
}

const shardedScenario = `version: 1
name: sharded
clock: {start: 2025-07-01 08:00, end: +6m, compress: 60}
load: {baseline: 90/s, users: 10, timeout: 3s}
mix:
  - {class: catalogue, weight: 3}
  - {class: status, weight: 2}
  - {class: login, weight: 1}
  - {class: submit, weight: 2}
faults:
  - {name: registries slow, at: +2m, for: 2s, link: portal->registry, toxic: latency, latency: 200ms}
slos:
  window: 30s
  min_requests: 5
  objectives:
    - {name: availability, kind: availability, target: 99%}
    - {name: catalogue p95, kind: latency, class: catalogue, percentile: 95, max: 2s}
    - {name: recovers, kind: recovery, max: 2m}
    - {name: no dossier lost, kind: zero_loss}
`

// The reference system up in a process of its own (thongsuot up), three shards as three
// processes against its URLs from one agreed start, the fault controller applying the
// scenario's fault to up's toxiproxy, and the merge: the merged run's requests are the
// single run's schedule exactly, window by window and class by class, and its latency
// percentiles are those of the union of the shards' histograms.
func TestShardedRunAgainstUp(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes and runs 6 s of load")
	}
	bin := runtimetest.Binary(t)
	portal, identity, api, admin := upProcess(t, bin)
	file := writeScenario(t, shardedScenario)
	root := t.TempDir()
	start := time.Now().Add(12 * time.Second).UTC().Truncate(time.Second).Format(time.RFC3339)

	parts := []struct {
		dir  string
		args []string
	}{{filepath.Join(root, "faults"), []string{"faults", file, "--toxiproxy", api, "--start", start, "--shards", "3", "-q"}}}
	for i := range 3 {
		parts = append(parts, struct {
			dir  string
			args []string
		}{filepath.Join(root, fmt.Sprintf("shard-%d", i)), []string{"run", file, "--shard", fmt.Sprintf("%d/3", i), "--start", start,
			"--portal", "url=" + portal, "--identity", "url=" + identity,
			"--receipts-client", "thongsuot-harness", "--receipts-secret-env", "SHARD_E2E_ADMIN", "-q"}})
	}
	var wg sync.WaitGroup
	for _, p := range parts {
		wg.Go(func() {
			cmd := exec.Command(bin, append(p.args, "--out", p.dir)...)
			cmd.Env = append(os.Environ(), "SHARD_E2E_ADMIN="+admin)
			out, err := cmd.CombinedOutput()
			assert.NoError(t, err, "%v:\n%s", p.args, out) // a shard's own verdict is the merge's to say: exit 0
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	var dirs []string
	for _, p := range parts {
		dirs = append(dirs, p.dir)
	}
	merged := filepath.Join(root, "merged")
	code, stdout, stderr := execute(t, append([]string{"merge", "--out", merged}, dirs...)...)
	sum := requireNothingFailed(t, code, stdout, stderr, merged)
	assert.Contains(t, stderr, "merged 3 shards of sharded")
	require.Len(t, sum.Faults, 1, "the controller's fault, once")
	assert.Equal(t, "portal->registry", sum.Faults[0].Link)
	assert.Empty(t, sum.Faults[0].Error)
	assert.InDelta(t, 2*time.Second, sum.Faults[0].Start, float64(500*time.Millisecond), "applied at +2m of scenario time: 2 s after the agreed start")

	for _, d := range dirs[1:] {
		written, err := scenarios.Open(filepath.Join(d, scenarios.ResolvedFile))
		require.NoError(t, err, "a shard's scenario.yaml reads back")
		assert.Len(t, written.Faults, 1, "as its file has it: the faults are the controller's")
	}

	// Every shard reconciled its own acknowledged dossiers with the portal's listing.
	require.NotNil(t, sum.Reconciliation)
	assert.Empty(t, sum.Reconciliation.Error)
	assert.Positive(t, sum.Reconciliation.Acknowledged)
	assert.Empty(t, sum.Reconciliation.Missing, "no acknowledged dossier lost")
	assert.Empty(t, sum.Reconciliation.Duplicated, "the shards' Idempotency-Keys are the single run's: none shared")

	// The single run's schedule.
	s, err := scenarios.Open(file)
	require.NoError(t, err)
	plan, err := load.NewPlan(s)
	require.NoError(t, err)
	rec, err := journal.Read(merged)
	require.NoError(t, err)
	require.True(t, rec.Run.Complete())
	width := rec.Run.Window
	wall := plan.Clock.WallDuration()
	got := map[[2]int]*metrics.Window{}
	for _, w := range rec.Windows {
		got[[2]int{w.Index, indexOf(plan.Classes, w.Class)}] = w
	}
	var due int64
	for idx := range rec.Run.Windows {
		for c, class := range plan.Classes {
			want := plan.Intended(c, time.Duration(idx)*width, min(time.Duration(idx+1)*width, wall))
			var d int64
			if w := got[[2]int{idx, c}]; w != nil {
				d = w.Due()
			}
			require.Equal(t, int64(want), d, "window %d %s: the single run's schedule", idx, class)
			due += d
		}
	}
	assert.Equal(t, int64(plan.Total()), due)
	assert.Equal(t, plan.Total(), float64(sum.Totals.Intended))
	assert.Positive(t, sum.Totals.Sent)

	// Merged percentiles are the union's: the shards' histograms added count by count.
	var shards []*journal.Record
	for _, d := range dirs[1:] {
		r, err := journal.Read(d)
		require.NoError(t, err)
		shards = append(shards, r)
		var n int64
		for _, w := range r.Windows {
			n += w.Due()
		}
		assert.InDelta(t, float64(due)/3, float64(n), float64(len(plan.Classes)), "each shard a third")
	}
	compared := 0
	for _, w := range rec.Windows {
		var snaps []*hdrhistogram.Snapshot
		for _, r := range shards {
			for _, sw := range r.Windows {
				if sw.Index == w.Index && sw.Class == w.Class {
					snaps = append(snaps, sw.Latency.Export())
				}
			}
		}
		u := union(snaps)
		require.Equal(t, u.TotalCount(), w.Latency.TotalCount(), "window %d %s", w.Index, w.Class)
		for _, q := range []float64{50, 95, 99, 100} {
			assert.Equal(t, u.ValueAtQuantile(q), w.Latency.ValueAtQuantile(q), "window %d %s p%v", w.Index, w.Class, q)
		}
		compared++
	}
	assert.Equal(t, rec.Run.Windows*len(plan.Classes), compared)
}

// union adds histograms of one geometry count by count.
func union(snaps []*hdrhistogram.Snapshot) *hdrhistogram.Histogram {
	if len(snaps) == 0 {
		return metrics.NewHistogram()
	}
	u := *snaps[0]
	u.Counts = append([]int64(nil), u.Counts...)
	for _, s := range snaps[1:] {
		for i, c := range s.Counts {
			u.Counts[i] += c
		}
	}
	return hdrhistogram.Import(&u)
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

// What cannot make a sharded run is refused before anything is sent: exit 2.
func TestShardedRunRefusesBadInput(t *testing.T) {
	file := writeScenario(t, shardedScenario)
	soon := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	process := writeScenario(t, strings.Replace(shardedScenario, "link: portal->registry, toxic: latency, latency: 200ms", "role: portal, action: kill", 1))
	tier := writeScenario(t, strings.Replace(shardedScenario, "link: portal->registry", "link: remote->portal", 1))
	notAShard := filepath.Join(t.TempDir(), "single")
	require.NoError(t, os.MkdirAll(filepath.Join(notAShard, journal.Dir), 0o755))
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"shard out of range", []string{"run", file, "--shard", "3/3", "--start", soon}, "want 0 ≤ i < n"},
		{"shard without start", []string{"run", file, "--shard", "1/3"}, "needs --start"},
		{"start not RFC 3339", []string{"run", file, "--shard", "1/3", "--start", "08:00"}, "want RFC 3339"},
		{"start days away", []string{"run", file, "--start", time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)}, "at most 24h"},
		{"identity not a url", []string{"run", file, "--identity", "sso.example"}, "want reference or url=URL"},
		{"receipts client without its secret", []string{"run", file, "--receipts-client", "thongsuot-harness"}, "go together"},
		{"controller without toxiproxy", []string{"faults", file, "--start", soon, "--shards", "3"}, "--toxiproxy"},
		{"controller without shards", []string{"faults", file, "--toxiproxy", "127.0.0.1:1", "--start", soon}, "--shards 0"},
		{"controller without start", []string{"faults", file, "--toxiproxy", "127.0.0.1:1", "--shards", "3"}, "--start"},
		{"controller and a process fault", []string{"faults", process, "--toxiproxy", "127.0.0.1:1", "--start", soon, "--shards", "3"}, "the fault controller breaks links only"},
		{"controller and a tier link", []string{"faults", tier, "--toxiproxy", "127.0.0.1:1", "--start", soon, "--shards", "3"}, "each shard's own link tier"},
		{"merge without out", []string{"merge", notAShard}, "--out"},
		{"merge of a run that is no shard", []string{"merge", notAShard, "--out", filepath.Join(t.TempDir(), "m")}, "a run made without --shard i/n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := execute(t, tt.args...)
			assert.Equal(t, slo.ExitError, code, stderr)
			assert.Contains(t, stderr, tt.want)
		})
	}
}
