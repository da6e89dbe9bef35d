// Package merge adds up the run directories of one sharded run — n shards, each a
// `thongsuot run --shard i/n`, and the fault controller — into one run directory that
// renders, compares and gates like a single run: window by window, each class's
// latency histograms merged exactly (HDR histograms add bucket by bucket, so merged
// percentiles are the percentiles of every request), counts summed, the faults as the
// controller applied them. Parts that are not of one run are refused, each reason said.
package merge

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/thongsuot/thongsuot/harness/health"
	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/scenarios"
)

// Part is one run directory of a sharded run.
type Part struct {
	Dir    string
	Shard  journal.Shard
	Record *journal.Record
}

// MismatchError says why the run directories given are not the parts of one run.
type MismatchError struct{ Problems []string }

func (e *MismatchError) Error() string {
	return "these runs are not the parts of one sharded run:\n  " + strings.Join(e.Problems, "\n  ")
}

// Result is what a merge wrote.
type Result struct {
	Shards     []Part
	Controller *Part // nil when the scenario had no fault
	Info       journal.RunInfo
}

// Runs reads the parts in dirs, checks that they are one sharded run, and writes the
// merged run to out (a new directory). A *MismatchError says why parts do not belong
// together; any other error, what could not be read or written.
func Runs(dirs []string, out string) (*Result, error) {
	parts, err := read(dirs)
	if err != nil {
		return nil, err
	}
	res, err := check(parts)
	if err != nil {
		return nil, err
	}
	if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%s already holds a run: choose another --out or remove it", out)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("merged run: %w", err)
	}
	// The scenario as the controller has it, with its faults: shards run it without.
	scenarioFrom := res.Shards[0].Dir
	if res.Controller != nil {
		scenarioFrom = res.Controller.Dir
	}
	if err := copyFile(filepath.Join(scenarioFrom, scenarios.ResolvedFile), filepath.Join(out, scenarios.ResolvedFile)); err != nil {
		return nil, err
	}
	res.Info = runInfo(res, out)
	if err := write(res, out); err != nil {
		return nil, err
	}
	return res, nil
}

func read(dirs []string) ([]Part, error) {
	if len(dirs) == 0 {
		return nil, errors.New("no run directory to merge")
	}
	var parts []Part
	var problems []string
	for _, dir := range dirs {
		sh, err := journal.ReadShard(dir)
		if err != nil {
			return nil, err
		}
		if sh == nil {
			problems = append(problems, fmt.Sprintf("%s has no %s: a part not started yet, or a run made without --shard i/n", dir, filepath.Join(dir, journal.Dir, shardFile)))
			continue
		}
		rec, err := journal.Read(dir)
		if err != nil {
			return nil, err
		}
		parts = append(parts, Part{Dir: dir, Shard: *sh, Record: rec})
	}
	if len(problems) > 0 {
		return nil, &MismatchError{problems}
	}
	return parts, nil
}

// check holds the parts to one run: the same scenario, seed, shard count, start and
// windows; every shard once; the controller when the scenario has faults.
func check(parts []Part) (*Result, error) {
	res := &Result{}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	for i := range parts {
		p := &parts[i]
		if p.Shard.Role == journal.RoleController {
			if res.Controller != nil {
				bad("two fault controllers: %s and %s", res.Controller.Dir, p.Dir)
				continue
			}
			res.Controller = p
			continue
		}
		res.Shards = append(res.Shards, *p)
	}
	if len(res.Shards) == 0 {
		bad("no shard among them, only a fault controller")
		return nil, &MismatchError{problems}
	}
	ref := res.Shards[0]
	all := res.Shards
	if res.Controller != nil {
		all = append(slices.Clone(all), *res.Controller)
	}
	for _, p := range all[1:] {
		a, b := ref.Shard, p.Shard
		switch {
		case a.Scenario != b.Scenario:
			bad("scenario: %s ran %q, %s ran %q", ref.Dir, a.Scenario, p.Dir, b.Scenario)
		case a.Digest != b.Digest:
			bad("scenario: %s and %s ran different versions of %q (clock, load, mix, tiers or objectives differ)", ref.Dir, p.Dir, a.Scenario)
		}
		if a.Seed != b.Seed {
			bad("seed: %s ran seed %d, %s seed %d: the shards' arrivals would not be one run's", ref.Dir, a.Seed, p.Dir, b.Seed)
		}
		if a.Count != b.Count {
			bad("shard count: %s is one of %d, %s of %d", ref.Dir, a.Count, p.Dir, b.Count)
		}
		if !a.Start.Equal(b.Start) {
			bad("clock: %s started at %s, %s at %s: give every part the same --start", ref.Dir, stamp(a.Start), p.Dir, stamp(b.Start))
		}
		ra, rb := ref.Record.Run, p.Record.Run
		if a.Window != b.Window || ra.Window != rb.Window || ra.Windows != rb.Windows {
			bad("clock: %s has %d windows of %s, %s %d windows of %s", ref.Dir, ra.Windows, ra.Window, p.Dir, rb.Windows, rb.Window)
		}
		if p.Shard.Role == journal.RoleShard && !slices.Equal(ra.Classes, rb.Classes) {
			bad("classes: %s records %v, %s %v", ref.Dir, ra.Classes, p.Dir, rb.Classes)
		}
	}
	if ref.Shard.Start.IsZero() && len(res.Shards) > 1 {
		bad("clock: %s has no agreed start: run every shard with the same --start", ref.Dir)
	}
	seen := map[int]string{}
	for _, p := range res.Shards {
		if dir, ok := seen[p.Shard.Index]; ok {
			bad("shard %d/%d twice: %s and %s", p.Shard.Index, p.Shard.Count, dir, p.Dir)
		}
		seen[p.Shard.Index] = p.Dir
	}
	var missing []string
	for i := range ref.Shard.Count {
		if _, ok := seen[i]; !ok {
			missing = append(missing, fmt.Sprintf("%d/%d", i, ref.Shard.Count))
		}
	}
	if len(missing) > 0 {
		bad("missing shard %s: the merge would not be the whole run", strings.Join(missing, ", "))
	}
	switch c := res.Controller; {
	case c == nil && ref.Shard.Faults > 0:
		bad("the scenario has %d faults, which the fault controller applies: give its run directory (thongsuot faults … --out DIR) too", ref.Shard.Faults)
	case c != nil && c.Shard.Faults != ref.Shard.Faults:
		bad("faults: the controller %s applied %d faults, the shards' scenario has %d", c.Dir, c.Shard.Faults, ref.Shard.Faults)
	}
	if len(problems) > 0 {
		return nil, &MismatchError{problems}
	}
	slices.SortFunc(res.Shards, func(a, b Part) int { return a.Shard.Index - b.Shard.Index })
	return res, nil
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "no agreed start"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// runInfo is the merged run's run.json: the shards' plan added up; complete only when
// every shard is.
func runInfo(res *Result, out string) journal.RunInfo {
	first := res.Shards[0].Record.Run
	info := journal.RunInfo{
		ID: filepath.Base(out), Scenario: first.Scenario, Started: res.Shards[0].Shard.Start,
		Runtime: fmt.Sprintf("%s, %d shards merged", first.Runtime, len(res.Shards)),
		Window:  first.Window, Windows: first.Windows, Timeout: first.Timeout, Classes: first.Classes, Version: first.Version,
		SUT: first.SUT, Env: first.Env,
	}
	if info.Started.IsZero() {
		info.Started = first.Started
	}
	complete := true
	var ended, stopped time.Time
	for _, p := range res.Shards {
		r := p.Record.Run
		info.Intended += r.Intended
		info.Reopened += r.Reopened
		info.Orphans += r.Orphans
		if r.Ended == nil {
			complete = false
		} else if r.Ended.After(ended) {
			ended = *r.Ended
		}
		if r.Stopped != nil && r.Stopped.After(stopped) {
			stopped = *r.Stopped
		}
	}
	if complete {
		info.Ended = &ended
	}
	if !stopped.IsZero() {
		info.Stopped = &stopped
	}
	return info
}

// write puts the merged journal in out.
func write(res *Result, out string) (err error) {
	info := res.Info
	j, err := journal.Create(out, info)
	if err != nil {
		return err
	}
	defer func() {
		stopped := info.Started
		if info.Stopped != nil {
			stopped = *info.Stopped
		}
		err = errors.Join(err, j.Close(info.Ended, stopped, info.Reopened))
	}()
	if err := j.AppendWindows(Windows(res.Shards)); err != nil {
		return err
	}
	if err := j.AppendProvinceWindows(ProvinceWindows(res.Shards)); err != nil {
		return err
	}
	if c := res.Controller; c != nil {
		for _, f := range c.Record.Faults {
			if err := j.AppendFault(f); err != nil {
				return err
			}
		}
	}
	for _, h := range Health(res.Shards) {
		if err := j.AppendHealth(h); err != nil {
			return err
		}
	}
	if r := Reconciliation(res.Shards); r != nil {
		if err := journal.WriteReconciliation(out, r); err != nil {
			return err
		}
	}
	return concatenate(res.Shards, out, ledgerFile)
}

// Windows merges the shards' windows of each index and class: every counter summed and
// the histograms merged bucket by bucket (metrics.Window.Merge), in index then class
// order.
func Windows(shards []Part) []*metrics.Window {
	order := map[string]int{}
	for i, c := range shards[0].Record.Run.Classes {
		order[c] = i
	}
	return byWindow(shards, func(p Part) []*metrics.Window { return p.Record.Windows },
		func(w *metrics.Window) (int, string) { return w.Index, w.Class },
		func(a, b string) int { return order[a] - order[b] },
		func(w *metrics.Window) *metrics.Window { return metrics.Sum(w.Class, w) },
		(*metrics.Window).Merge)
}

// ProvinceWindows merges the shards' province windows of each index and province, as
// Windows does the classes': counts summed, histograms merged bucket by bucket; in
// index then code order.
func ProvinceWindows(shards []Part) []*metrics.ProvinceWindow {
	return byWindow(shards, func(p Part) []*metrics.ProvinceWindow { return p.Record.ProvinceWindows },
		func(w *metrics.ProvinceWindow) (int, string) { return w.Index, w.Province },
		strings.Compare,
		func(w *metrics.ProvinceWindow) *metrics.ProvinceWindow {
			m := metrics.NewProvinceWindow(w.Index, w.Province)
			m.Merge(w)
			return m
		},
		(*metrics.ProvinceWindow).Merge)
}

// byWindow merges the shards' lines that share a window index and a name (a class, a
// province): the first copied (the parts' records stay as read), the others merged
// into it; in index order, then by the names' order.
func byWindow[W any](shards []Part, lines func(Part) []W, key func(W) (int, string), names func(a, b string) int,
	copyOf func(W) W, merge func(into, w W)) []W {
	type at struct {
		index int
		name  string
	}
	first := map[at]W{}
	var out []W
	for _, p := range shards {
		for _, w := range lines(p) {
			i, n := key(w)
			if m, ok := first[at{i, n}]; ok {
				merge(m, w)
				continue
			}
			m := copyOf(w)
			first[at{i, n}] = m
			out = append(out, m)
		}
	}
	slices.SortStableFunc(out, func(a, b W) int {
		ia, na := key(a)
		ib, nb := key(b)
		if ia != ib {
			return ia - ib
		}
		return names(na, nb)
	})
	return out
}

// Health is, per window, the worst any generator had: a window in which one shard was
// starved is doubtful for the whole run, as its requests went out late. The shards'
// CPU adds up.
func Health(shards []Part) []health.Window {
	at := map[int]*health.Window{}
	var indexes []int
	for _, p := range shards {
		for _, h := range p.Record.Health {
			m, ok := at[h.Index]
			if !ok {
				c := h
				at[h.Index] = &c
				indexes = append(indexes, h.Index)
				continue
			}
			m.LagP99, m.LagMax = max(m.LagP99, h.LagP99), max(m.LagMax, h.LagMax)
			m.ProcessCPU += h.ProcessCPU
			m.Starved, m.HostBusy = max(m.Starved, h.Starved), max(m.HostBusy, h.HostBusy)
			m.Runnable, m.Load1, m.Cores = max(m.Runnable, h.Runnable), max(m.Load1, h.Load1), max(m.Cores, h.Cores)
			m.GCPause = max(m.GCPause, h.GCPause)
		}
	}
	slices.Sort(indexes)
	out := make([]health.Window, len(indexes))
	for i, idx := range indexes {
		out[i] = *at[idx]
	}
	return out
}

// Reconciliation adds up the shards' checks: each compared its own acknowledged
// dossiers with the portal's listing after its load, so what one found lost is lost;
// the store is the largest listing (the last shard's). Nil when no shard made one.
func Reconciliation(shards []Part) *journal.Reconciliation {
	var out *journal.Reconciliation
	var errs []string
	for _, p := range shards {
		r := p.Record.Reconciliation
		if r == nil {
			continue
		}
		if out == nil {
			out = &journal.Reconciliation{Missing: []string{}, Duplicated: []string{}}
		}
		if r.Error != "" {
			errs = append(errs, fmt.Sprintf("shard %d/%d: %s", p.Shard.Index, p.Shard.Count, r.Error))
			continue
		}
		out.Acknowledged += r.Acknowledged
		out.Stored = max(out.Stored, r.Stored)
		out.Missing = append(out.Missing, r.Missing...)
		out.Duplicated = append(out.Duplicated, r.Duplicated...)
	}
	if out == nil {
		return nil
	}
	for _, p := range shards {
		if p.Record.Reconciliation == nil {
			errs = append(errs, fmt.Sprintf("shard %d/%d made no check", p.Shard.Index, p.Shard.Count))
		}
	}
	out.Error = strings.Join(errs, "; ")
	slices.Sort(out.Missing)
	slices.Sort(out.Duplicated)
	out.Unacknowledged = max(0, out.Stored-(out.Acknowledged-len(out.Missing)))
	return out
}

// ledgerFile is the shards' acknowledged dossiers (harness/reconcile's ledger).
const ledgerFile = "acknowledged.jsonl"

// concatenate puts the shards' name files end to end in out's journal.
func concatenate(shards []Part, out, name string) error {
	dst, err := os.Create(filepath.Join(out, journal.Dir, name))
	if err != nil {
		return fmt.Errorf("merged run: %w", err)
	}
	for _, p := range shards {
		src, err := os.Open(filepath.Join(p.Dir, journal.Dir, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return errors.Join(err, dst.Close())
		}
		_, err = io.Copy(dst, src)
		src.Close()
		if err != nil {
			return errors.Join(fmt.Errorf("merged run: %w", err), dst.Close())
		}
	}
	return dst.Close()
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return fmt.Errorf("merged run: %w", err)
	}
	return os.WriteFile(to, data, 0o644)
}
