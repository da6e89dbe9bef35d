package fault

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"strconv"
	"sync"

	"github.com/thongsuot/thongsuot/scenarios"
)

// Knobs reads and replaces the stubs' knobs (stubs/knobs) over their admin API: the
// identity provider's, each registry's, each provincial system's, named as knob faults
// name them (scenarios.KnobTargets). The runtime implements it.
type Knobs interface {
	// Knob returns the knob's settings as the admin API writes them (JSON fields).
	Knob(ctx context.Context, target string) (map[string]any, error)
	// SetKnob replaces the knob's settings.
	SetKnob(ctx context.Context, target string, settings map[string]any) error
}

// knob is one knob as the schedule turns it: the settings it had before the first
// fault on it, and the faults on it now, in the order they were applied. Its settings
// are always the base with each fault's fields laid over it, so overlapping faults on
// one knob end in any order and the knob ends as it began.
type knob struct {
	target string
	knobs  Knobs
	mu     sync.Mutex
	base   map[string]any
	active []knobFault
}

type knobFault struct {
	id     int
	fields map[string]any
}

// knobEffect is the effect of a knob fault: its fields laid over the knob for the window.
func knobEffect(id int, f scenarios.Fault, k *knob) effect {
	fields := f.Set.Fields()
	return effect{
		apply: func() error {
			ctx, cancel := context.WithTimeout(context.Background(), roleTimeout)
			defer cancel()
			k.mu.Lock()
			defer k.mu.Unlock()
			if len(k.active) == 0 {
				base, err := k.knobs.Knob(ctx, k.target)
				if err != nil {
					return fmt.Errorf("reading knob %s: %w", k.target, err)
				}
				k.base = base
			}
			k.active = append(k.active, knobFault{id, fields})
			if err := k.knobs.SetKnob(ctx, k.target, k.settings()); err != nil {
				k.active = k.active[:len(k.active)-1]
				return fmt.Errorf("setting knob %s: %w", k.target, err)
			}
			return nil
		},
		remove: func() error {
			ctx, cancel := context.WithTimeout(context.Background(), roleTimeout)
			defer cancel()
			k.mu.Lock()
			defer k.mu.Unlock()
			for i, a := range k.active {
				if a.id == id {
					k.active = append(k.active[:i], k.active[i+1:]...)
					break
				}
			}
			if err := k.knobs.SetKnob(ctx, k.target, k.settings()); err != nil {
				return fmt.Errorf("restoring knob %s: %w", k.target, err)
			}
			return nil
		},
		params: knobParams(f),
	}
}

// settings are the base with the active faults' fields over it.
func (k *knob) settings() map[string]any {
	out := maps.Clone(k.base)
	if out == nil {
		out = map[string]any{}
	}
	delete(out, "stats") // what the admin API shows beside the settings
	for _, a := range k.active {
		maps.Copy(out, a.fields)
	}
	return out
}

// knobParams are what a knob fault is journalled with: each field set (the knob is the
// window's role).
func knobParams(f scenarios.Fault) map[string]string {
	out := map[string]string{}
	if f.Set == nil {
		return out
	}
	fields := f.Set.Fields()
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		switch v := fields[n].(type) {
		case float64:
			out[n] = strconv.FormatFloat(v*100, 'g', 4, 64) + "%" // error_rate, the one fraction
		default:
			out[n] = fmt.Sprint(v)
		}
	}
	return out
}
