package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// THONGSUOT_CPUPROFILE writes a profile of the command; unset, nothing is written; a
// path that cannot be created runs the command without one.
func TestCPUProfileFromTheEnvironment(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name  string
		path  string
		wrote bool
	}{
		{"set", filepath.Join(dir, "cpu.prof"), true},
		{"unset", "", false},
		{"cannot create", filepath.Join(dir, "missing", "cpu.prof"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(profileEnv, tt.path)
			stop := startCPUProfile()
			for i := 0; i < 1e6; i++ { // something to sample
				_ = filepath.Join("a", "b")
			}
			stop()
			if tt.path == "" {
				return
			}
			info, err := os.Stat(tt.path)
			if !tt.wrote {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Positive(t, info.Size(), "a profile, even a short one, has a header")
		})
	}
}
