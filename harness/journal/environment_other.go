//go:build !linux

package journal

// machine knows nothing more off Linux.
func machine(*Environment) {}
