package main

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The adversarial pass's inputs end in exit 2 with file:line: field, and quickly —
// never a panic, a hang or a run that eats the machine's memory.
func TestValidateRefusesHostileInput(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		want     string
	}{
		{"NaN compress", "  compress: 60 ", "  compress: .nan ", ":13: clock.compress: must be between 0.01 and 1000000, got NaN"},
		{"NaN percentile", "      percentile: 95 ", "      percentile: .nan ", ":51: slos.objectives[1].percentile: must be above 0 and below 100, got NaN"},
		{"users in the hundreds of millions", "  users: 50", "  users: 300000000", ":20: load.users: must be between 0 and 100000, got 300000000"},
		{"users in the billions", "  users: 50", "  users: 3000000000", ":20: load.users: must be between 0 and 100000, got 3000000000"},
		{"compress 0", "  compress: 60 ", "  compress: 0 ", ":13: clock.compress: must be between 0.01 and 1000000, got 0 (leave it out for the default, 1)"},
		{"window 0s", "  window: 1m ", "  window: 0s ", ":42: slos.window: must be a positive scenario-time duration, e.g. 1m (the default), got 0s"},
		{"a second document", "      kind: zero_loss", "      kind: zero_loss\n---\nname: second", ":65: a second YAML document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := smokeWith(t, tt.from, tt.to)
			code, _, stderr := execute(t, "validate", path)
			assert.Equal(t, 2, code, "exit 2: invalid input")
			assert.Contains(t, stderr, path+tt.want)
		})
	}

	// plan used to panic on a NaN compress; now it stops at validation.
	path := smokeWith(t, "  compress: 60 ", "  compress: .nan ")
	code, _, stderr := execute(t, "plan", path, "--out", t.TempDir())
	assert.Equal(t, 2, code, "exit 2: invalid input")
	assert.Contains(t, stderr, path+":13: clock.compress")

	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	start := time.Now()
	code, _, stderr = execute(t, "validate", "/dev/zero")
	require.Less(t, time.Since(start), time.Second, "/dev/zero is refused at once, not read without end")
	assert.Equal(t, 2, code, "exit 2: invalid input")
	assert.Contains(t, stderr, "/dev/zero:1: the file is larger than 1048576 bytes (1 MiB), the limit for a scenario")
}
