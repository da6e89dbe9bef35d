package fault

import (
	"context"
	"fmt"
	"time"

	"github.com/thongsuot/thongsuot/scenarios"
)

// Roles acts on the processes of the system under test: containers in the containers
// runtime, in-process servers in the embedded one. Each action but restart has an undo.
type Roles interface {
	// Act stops, kills, restarts, pauses or disconnects a role (scenarios.Actions).
	Act(ctx context.Context, role, action string) error
	// Restore undoes Act: starts a stopped or killed role, unpauses, reconnects.
	Restore(ctx context.Context, role, action string) error
}

// roleTimeout bounds one process action: a container stop waits up to its stop
// timeout, a start for the process to be running (not yet ready).
const roleTimeout = 30 * time.Second

// process is the effect of a process fault: the action at the start of the window and
// its undo at the end (nothing to undo after a restart).
func process(f scenarios.Fault, roles Roles) effect {
	run := func(do func(context.Context, string, string) error) func() error {
		return func() error {
			ctx, cancel := context.WithTimeout(context.Background(), roleTimeout)
			defer cancel()
			if err := do(ctx, f.Role, f.Action); err != nil {
				return fmt.Errorf("%s %s: %w", f.Action, f.Role, err)
			}
			return nil
		}
	}
	e := effect{apply: run(roles.Act), remove: run(roles.Restore), params: processParams(f)}
	if f.Action == scenarios.ActionRestart {
		e.remove = func() error { return nil }
	}
	return e
}

// processParams are what a process fault is journalled with.
func processParams(f scenarios.Fault) map[string]string {
	return map[string]string{"role": f.Role, "action": f.Action}
}
