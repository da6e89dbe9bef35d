package merge

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/thongsuot/thongsuot/harness/journal"
)

// Expand replaces each directory in dirs that is no run of its own but holds parts —
// subdirectories with a journal/shard.json, as the Kubernetes Job's shared volume does
// — by those parts, leaving out skip (the merged run's own directory). A scratch image
// has no shell to expand /results/shard-* for the merge Job.
func Expand(dirs []string, skip string) ([]string, error) {
	var out []string
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, journal.Dir)); err == nil {
			out = append(out, dir)
			continue
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", dir, err)
		}
		found := false
		for _, e := range entries {
			sub := filepath.Join(dir, e.Name())
			if !e.IsDir() || filepath.Clean(sub) == filepath.Clean(skip) {
				continue
			}
			if _, err := os.Stat(filepath.Join(sub, journal.Dir, shardFile)); err == nil {
				out = append(out, sub)
				found = true
			}
		}
		if !found {
			out = append(out, dir) // refused by name when read: not a run, holding none
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// shardFile is journal's record of a part (journal.WriteShard).
const shardFile = "shard.json"

// Ready says whether every part of the run is in dirs and has finished (its journal
// closed: complete, or stopped); the error says what is still missing.
func Ready(dirs []string) error {
	parts, err := read(dirs)
	if err != nil {
		return err
	}
	res, err := check(parts)
	if err != nil {
		return err
	}
	var running []string
	for _, p := range append(slices.Clone(res.Shards), controllerOf(res)...) {
		if p.Record.Run.Stopped == nil {
			running = append(running, p.Dir)
		}
	}
	if len(running) > 0 {
		return fmt.Errorf("still running: %v", running)
	}
	return nil
}

func controllerOf(res *Result) []Part {
	if res.Controller == nil {
		return nil
	}
	return []Part{*res.Controller}
}
