package merge

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/health"
	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/scenarios"
)

var (
	start   = time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	classes = []string{"catalogue", "submit"}
	// provinces are where each class's users are, in the parts' province windows.
	provinces = []string{"01", "79"}
)

// part is one run directory of a sharded run, written as a run writes it.
type part struct {
	shard   journal.Shard
	windows int
	window  time.Duration
	classes []string
	ended   bool
	// latencies[w][c] are the latencies of class c's requests in window w.
	latencies [][][]time.Duration
	health    []health.Window
	reconcile *journal.Reconciliation
}

func newPart(index, count int) part {
	return part{
		shard:   journal.Shard{Role: journal.RoleShard, Index: index, Count: count, Scenario: "s", Digest: "d1", Seed: 1, Start: start, Window: time.Second, Faults: 1},
		windows: 2, window: time.Second, classes: classes, ended: true,
	}
}

func controller(count int) part {
	p := newPart(0, count)
	p.shard.Role = journal.RoleController
	return p
}

func (p part) write(t *testing.T, dir string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, scenarios.ResolvedFile), []byte("name: "+p.shard.Role+"\n"), 0o644))
	j, err := journal.Create(dir, journal.RunInfo{ID: filepath.Base(dir), Scenario: p.shard.Scenario, Runtime: "embedded", Started: p.shard.Start,
		Window: p.window, Windows: p.windows, Classes: p.classes, Intended: 10})
	require.NoError(t, err)
	for wi, byClass := range p.latencies {
		for ci, ls := range byClass {
			w := &metrics.Window{Index: wi, Class: p.classes[ci], Start: time.Duration(wi) * p.window, Codes: map[string]int64{},
				Latency: metrics.NewHistogram(), Planned: float64(len(ls)), BytesIn: int64(100 * len(ls))}
			for _, l := range ls {
				require.NoError(t, w.Latency.RecordValue(l.Microseconds()))
				w.Sent++
				w.Codes["200"]++
			}
			require.NoError(t, j.AppendWindows([]*metrics.Window{w}))
			// Class c's users all in provinces[c], one request in ten unanswered.
			pw := metrics.NewProvinceWindow(wi, provinces[ci])
			for k, l := range ls {
				pw.Sent++
				if k%10 == 0 {
					pw.Failed++
					continue
				}
				require.NoError(t, pw.Latency.RecordValue(l.Microseconds()))
			}
			require.NoError(t, j.AppendProvinceWindows([]*metrics.ProvinceWindow{pw}))
		}
	}
	if p.shard.Role == journal.RoleController {
		require.NoError(t, j.AppendFault(journal.FaultWindow{Name: "slow", Link: "portal->registry", Toxic: "latency", Start: 300 * time.Millisecond, End: 800 * time.Millisecond, Scenario: start}))
	}
	for _, h := range p.health {
		require.NoError(t, j.AppendHealth(h))
	}
	var ended *time.Time
	if p.ended {
		e := start.Add(2 * time.Second)
		ended = &e
	}
	require.NoError(t, j.Close(ended, start.Add(2*time.Second), 0))
	if p.reconcile != nil {
		require.NoError(t, journal.WriteReconciliation(dir, p.reconcile))
	}
	require.NoError(t, journal.WriteShard(dir, p.shard))
	return dir
}

// Three shards of random latencies merge into windows whose histograms are exactly the
// histogram of every request: the same count and the same value at every percentile.
func TestMergeIsExact(t *testing.T) {
	root := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	union := map[[2]int]*hdrhistogram.Histogram{}
	// unionProvince[w][c]: what the merged province window of class c's province holds.
	type tally struct{ sent, failed int64 }
	unionProvince := map[[2]int]*tally{}
	provinceHist := map[[2]int]*hdrhistogram.Histogram{}
	var dirs []string
	for i := range 3 {
		p := newPart(i, 3)
		p.latencies = make([][][]time.Duration, p.windows)
		for w := range p.windows {
			p.latencies[w] = make([][]time.Duration, len(classes))
			for c := range classes {
				if union[[2]int{w, c}] == nil {
					union[[2]int{w, c}] = metrics.NewHistogram()
				}
				// Each shard its own spread: averaging the shards' p99s would be wrong.
				for range 200 + 100*i {
					l := time.Duration(rng.ExpFloat64()*float64(time.Duration(5*(i+1))*time.Millisecond)) + time.Millisecond
					p.latencies[w][c] = append(p.latencies[w][c], l)
					require.NoError(t, union[[2]int{w, c}].RecordValue(l.Microseconds()))
				}
				k := [2]int{w, c}
				if unionProvince[k] == nil {
					unionProvince[k], provinceHist[k] = &tally{}, metrics.NewProvinceWindow(0, "").Latency
				}
				for n, l := range p.latencies[w][c] {
					unionProvince[k].sent++
					if n%10 == 0 {
						unionProvince[k].failed++
						continue
					}
					require.NoError(t, provinceHist[k].RecordValue(l.Microseconds()))
				}
			}
		}
		p.health = []health.Window{{Index: 0, LagP99: time.Duration(i+1) * time.Millisecond, Starved: 0.1 * float64(i), ProcessCPU: 0.5}}
		p.reconcile = &journal.Reconciliation{Acknowledged: 10, Stored: 40 + i, Missing: []string{}, Duplicated: []string{}}
		dirs = append(dirs, p.write(t, filepath.Join(root, "s"+string(rune('0'+i)))))
	}
	dirs = append(dirs, controller(3).write(t, filepath.Join(root, "faults")))
	out := filepath.Join(root, "merged")
	res, err := Runs(dirs, out)
	require.NoError(t, err)
	assert.Len(t, res.Shards, 3)
	require.NotNil(t, res.Controller)

	rec, err := journal.Read(out)
	require.NoError(t, err)
	assert.True(t, rec.Run.Complete())
	assert.Equal(t, 30.0, rec.Run.Intended, "the shards' plans add up")
	assert.True(t, start.Equal(rec.Run.Started), "the agreed start is offset 0")
	require.Len(t, rec.Windows, 2*len(classes))
	for _, w := range rec.Windows {
		u := union[[2]int{w.Index, indexOf(classes, w.Class)}]
		assert.Equal(t, u.TotalCount(), w.Sent, "window %d %s: every request", w.Index, w.Class)
		assert.Equal(t, u.TotalCount(), w.Latency.TotalCount())
		assert.Equal(t, float64(u.TotalCount()), w.Planned)
		assert.Equal(t, 100*u.TotalCount(), w.BytesIn, "bytes summed")
		for _, q := range []float64{50, 90, 95, 99, 99.9, 100} {
			assert.Equal(t, u.ValueAtQuantile(q), w.Latency.ValueAtQuantile(q), "window %d %s p%v", w.Index, w.Class, q)
		}
	}
	require.Len(t, rec.ProvinceWindows, 2*len(provinces), "a province window per window and province")
	for _, pw := range rec.ProvinceWindows {
		k := [2]int{pw.Index, indexOf(provinces, pw.Province)}
		require.NotNil(t, unionProvince[k], "window %d %s", pw.Index, pw.Province)
		assert.Equal(t, unionProvince[k].sent, pw.Sent, "window %d %s: the shards' requests summed", pw.Index, pw.Province)
		assert.Equal(t, unionProvince[k].failed, pw.Failed)
		for _, q := range []float64{50, 95, 99} {
			assert.Equal(t, provinceHist[k].ValueAtQuantile(q), pw.Latency.ValueAtQuantile(q), "window %d %s p%v: merged exactly", pw.Index, pw.Province, q)
		}
	}
	require.Len(t, rec.Faults, 1, "the controller's faults")
	assert.Equal(t, "portal->registry", rec.Faults[0].Link)
	require.Len(t, rec.Health, 1)
	assert.Equal(t, 3*time.Millisecond, rec.Health[0].LagP99, "the worst shard's lag")
	assert.InDelta(t, 0.2, rec.Health[0].Starved, 1e-9)
	assert.InDelta(t, 1.5, rec.Health[0].ProcessCPU, 1e-9, "the generators' CPU adds up")
	require.NotNil(t, rec.Reconciliation)
	assert.Equal(t, 30, rec.Reconciliation.Acknowledged)
	assert.Equal(t, 42, rec.Reconciliation.Stored, "the last listing")
	assert.Empty(t, rec.Reconciliation.Error)
	scenario, err := os.ReadFile(filepath.Join(out, scenarios.ResolvedFile))
	require.NoError(t, err)
	assert.Equal(t, "name: controller\n", string(scenario), "the scenario as the controller has it, with its faults")
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

// Parts that are not one run are refused, each reason said.
func TestMergeRefusesMismatchedRuns(t *testing.T) {
	tests := []struct {
		name  string
		parts func() []part
		want  []string
	}{
		{"another scenario", func() []part {
			ps := []part{newPart(0, 2), newPart(1, 2), controller(2)}
			ps[1].shard.Scenario = "other"
			return ps
		}, []string{`scenario: `, `ran "s"`, `ran "other"`}},
		{"another version of the scenario", func() []part {
			ps := []part{newPart(0, 2), newPart(1, 2), controller(2)}
			ps[1].shard.Digest = "d2"
			return ps
		}, []string{"different versions"}},
		{"another seed", func() []part {
			ps := []part{newPart(0, 2), newPart(1, 2), controller(2)}
			ps[1].shard.Seed = 2
			return ps
		}, []string{"seed: ", "seed 1", "seed 2"}},
		{"another shard count", func() []part {
			return []part{newPart(0, 2), newPart(1, 3), controller(2)}
		}, []string{"shard count: ", "one of 2", "of 3"}},
		{"another start", func() []part {
			ps := []part{newPart(0, 2), newPart(1, 2), controller(2)}
			ps[1].shard.Start = start.Add(time.Second)
			return ps
		}, []string{"clock: ", "same --start"}},
		{"another window", func() []part {
			ps := []part{newPart(0, 2), newPart(1, 2), controller(2)}
			ps[1].window, ps[1].shard.Window = 2*time.Second, 2*time.Second
			return ps
		}, []string{"clock: ", "2 windows of 1s", "2 windows of 2s"}},
		{"a shard twice", func() []part {
			return []part{newPart(0, 2), newPart(0, 2), controller(2)}
		}, []string{"shard 0/2 twice", "missing shard 1/2"}},
		{"a shard missing", func() []part {
			return []part{newPart(0, 3), newPart(2, 3), controller(3)}
		}, []string{"missing shard 1/3"}},
		{"no controller for faults", func() []part {
			return []part{newPart(0, 2), newPart(1, 2)}
		}, []string{"1 faults, which the fault controller applies"}},
		{"only a controller", func() []part {
			return []part{controller(2)}
		}, []string{"no shard among them"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			var dirs []string
			for i, p := range tt.parts() {
				dirs = append(dirs, p.write(t, filepath.Join(root, "p"+string(rune('0'+i)))))
			}
			out := filepath.Join(root, "merged")
			_, err := Runs(dirs, out)
			var mismatch *MismatchError
			require.True(t, errors.As(err, &mismatch), "refused as a mismatch: %v", err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NoDirExists(t, out, "nothing written")
		})
	}
}

func TestMergeRefusesARunThatIsNotAShard(t *testing.T) {
	root := t.TempDir()
	single := newPart(0, 1).write(t, filepath.Join(root, "single"))
	require.NoError(t, os.Remove(filepath.Join(single, journal.Dir, "shard.json")))
	_, err := Runs([]string{single}, filepath.Join(root, "merged"))
	var mismatch *MismatchError
	require.True(t, errors.As(err, &mismatch))
	assert.Contains(t, err.Error(), "a part not started yet, or a run made without --shard i/n")
}

func TestMergeOfAnIncompleteShardIsIncomplete(t *testing.T) {
	root := t.TempDir()
	a, b := newPart(0, 2), newPart(1, 2)
	b.ended = false
	dirs := []string{a.write(t, filepath.Join(root, "a")), b.write(t, filepath.Join(root, "b")), controller(2).write(t, filepath.Join(root, "c"))}
	res, err := Runs(dirs, filepath.Join(root, "merged"))
	require.NoError(t, err)
	assert.False(t, res.Info.Complete(), "one shard cut short: the whole run was")
}

// A directory holding the parts (the Job's shared volume) stands for them; the merge
// waits until all are there.
func TestExpandAndReady(t *testing.T) {
	root := t.TempDir()
	newPart(0, 2).write(t, filepath.Join(root, "shard-0"))
	controller(2).write(t, filepath.Join(root, "faults"))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "lost+found"), 0o755))
	dirs, err := Expand([]string{root}, filepath.Join(root, "merged"))
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(root, "faults"), filepath.Join(root, "shard-0")}, dirs)
	assert.ErrorContains(t, Ready(dirs), "missing shard 1/2")

	newPart(1, 2).write(t, filepath.Join(root, "shard-1"))
	_, err = Runs([]string{root}, filepath.Join(root, "merged"))
	require.Error(t, err, "a directory of parts is expanded by Expand, not by Runs")
	dirs, err = Expand([]string{root}, filepath.Join(root, "merged"))
	require.NoError(t, err)
	require.Len(t, dirs, 3)
	assert.NoError(t, Ready(dirs))
	_, err = Runs(dirs, filepath.Join(root, "merged"))
	require.NoError(t, err)
	again, err := Expand([]string{root}, filepath.Join(root, "merged"))
	require.NoError(t, err)
	assert.Equal(t, dirs, again, "the merged run is not a part")
}
