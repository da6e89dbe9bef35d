package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/thongsuot/thongsuot/harness/fault"
	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/harness/runtime"
	"github.com/thongsuot/thongsuot/scenarios"
)

// ControlOptions are a fault controller's: where the system's toxiproxy is and when
// the sharded run starts.
type ControlOptions struct {
	Dir       string    // run directory of the controller, created if missing
	Toxiproxy string    // the system under test's toxiproxy API: host:port or http://host:port
	Start     time.Time // the agreed wall time of offset 0, as the shards have it
	Shards    int       // n of the shards' i/n
	Progress  io.Writer
	Version   string
}

// Control applies s's faults once, on the scenario clock from opts.Start, to the
// proxies of the system's toxiproxy (those a runtime names, runtime.ProxyName), and
// journals each window as applied: the faults of a sharded run, whose shards apply
// none. It returns when the last fault is removed, or ctx ends (every fault is removed
// then too).
func Control(ctx context.Context, s *scenarios.Scenario, opts ControlOptions) (err error) {
	if err := controllable(s); err != nil {
		return err
	}
	plan, err := load.NewPlan(s)
	if err != nil {
		return err
	}
	addr := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(opts.Toxiproxy, "http://"), "https://"), "/")
	proxies, err := linkProxies(toxiproxy.NewClient(addr), s.Faults, opts.Toxiproxy)
	if err != nil {
		return err
	}
	if err := createRunDir(opts.Dir, s); err != nil {
		return err
	}
	rec, err := partOf(s, plan, journal.Shard{Role: journal.RoleController, Count: opts.Shards, Start: opts.Start, Faults: len(s.Faults)})
	if err != nil {
		return err
	}
	if err := journal.WriteShard(opts.Dir, rec); err != nil {
		return err
	}
	wall := plan.Clock.WallDuration()
	j, err := journal.Create(opts.Dir, journal.RunInfo{
		ID: filepath.Base(opts.Dir), Scenario: s.Name, Runtime: "fault controller", Started: opts.Start,
		Window: rec.Window, Windows: int((wall + rec.Window - 1) / rec.Window), Classes: plan.Classes,
		Version: opts.Version, SUT: map[string]string{"toxiproxy": opts.Toxiproxy}, Env: journal.CurrentEnvironment(),
	})
	if err != nil {
		return err
	}
	ended := (*time.Time)(nil)
	defer func() {
		stopped := time.Now()
		err = errors.Join(err, j.Close(ended, stopped, 0))
	}()
	if err := waitFor(ctx, opts.Start, opts.Progress, "the fault controller"); err != nil {
		return err
	}
	say(opts.Progress, "applying %d faults of %s to %s on the scenario clock (%s of wall time from %s)",
		len(s.Faults), s.Name, opts.Toxiproxy, wall.Round(time.Second), opts.Start.UTC().Format(time.RFC3339))
	schedule := &fault.Schedule{Faults: s.Faults, Clock: plan.Clock, Proxies: proxies, Journal: j}
	runErr := schedule.Run(ctx, opts.Start)
	if ctx.Err() == nil {
		now := time.Now()
		ended = &now
	}
	return runErr
}

// controllable refuses the faults one controller cannot apply for every shard: a
// process fault needs the process that started the role, and a link tier's link is
// each shard's own proxy (shards reach the portal through their own tiers).
func controllable(s *scenarios.Scenario) error {
	var problems []string
	for i, f := range s.Faults {
		switch {
		case f.Role != "":
			problems = append(problems, fmt.Sprintf("faults[%d] %q: a process fault (%s %s) needs the runtime that started the role; the fault controller breaks links only", i, f.Name, f.Action, f.Role))
		case slices.ContainsFunc(scenarios.Tiers, func(t string) bool { return f.Link == t+"->portal" }):
			problems = append(problems, fmt.Sprintf("faults[%d] %q: %s is each shard's own link tier, not one the controller can break for all: break client->portal or a portal-> link", i, f.Name, f.Link))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %s", s.File, strings.Join(problems, "; "))
	}
	return nil
}

// linkProxies finds each faulted link's proxy on the toxiproxy at api.
func linkProxies(c *toxiproxy.Client, faults []scenarios.Fault, api string) (map[string]fault.Proxy, error) {
	if len(faults) == 0 {
		return nil, nil
	}
	all, err := c.Proxies()
	if err != nil {
		return nil, fmt.Errorf("the toxiproxy API at %s: %w", api, err)
	}
	out := map[string]fault.Proxy{}
	for _, f := range faults {
		name := runtime.ProxyName(f.Link)
		p, ok := all[name]
		if !ok {
			return nil, fmt.Errorf("fault %q: the toxiproxy at %s has no proxy %s for %s (it has %s)",
				f.Name, api, name, f.Link, strings.Join(slices.Sorted(maps.Keys(all)), ", "))
		}
		out[f.Link] = p
	}
	return out, nil
}
