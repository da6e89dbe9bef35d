package journal

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// shardFile says which part of a sharded run a run directory holds.
const shardFile = "shard.json"

// Parts of a sharded run (Shard.Role).
const (
	RoleShard      = "shard"      // a generator sending its share of the arrivals
	RoleController = "controller" // the one process applying the faults
)

// Shard is a run directory's place in a sharded run: which generator it is, or the fault
// controller, and what every part must agree on for `thongsuot merge` to add them up.
type Shard struct {
	Role  string `json:"role"`
	Index int    `json:"index"` // a shard's i of i/n; 0 for the controller
	Count int    `json:"count"` // n
	// Scenario and Digest name the scenario (scenarios.Scenario.Digest: without its sut
	// and faults); Seed the seed every choice came from.
	Scenario string `json:"scenario"`
	Digest   string `json:"digest"`
	Seed     int64  `json:"seed"`
	// Start is the agreed wall time of offset 0 (run --start), Window the wall width of
	// a window: the parts' windows are the same spans of the same clock.
	Start  time.Time     `json:"start"`
	Window time.Duration `json:"window"`
	// Faults is how many faults the scenario has: a shard applies none of them, the
	// controller all.
	Faults int `json:"faults"`
}

// WriteShard records the run directory's place in a sharded run.
func WriteShard(runDir string, s Shard) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Join(runDir, Dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", shardFile, err)
	}
	return writeSynced(filepath.Join(dir, shardFile), append(data, '\n'))
}

// ReadShard reads the run directory's place in a sharded run; nil for a run that was
// not part of one.
func ReadShard(runDir string) (*Shard, error) {
	s, path, err := readOptional[Shard](runDir, shardFile, maxRunFile)
	if s == nil || err != nil {
		return nil, err
	}
	switch {
	case s.Role != RoleShard && s.Role != RoleController:
		return nil, fmt.Errorf("%s:1: role %q: want %s or %s", path, s.Role, RoleShard, RoleController)
	case s.Count < 1 || s.Index < 0 || s.Index >= s.Count:
		return nil, fmt.Errorf("%s:1: shard %d/%d: want 0 ≤ i < n", path, s.Index, s.Count)
	}
	return s, nil
}
