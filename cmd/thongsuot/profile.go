package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// profileEnv names a file for a CPU profile of the whole command: with the embedded
// runtime that is the generator, toxiproxy, the portal, identity and the registries in
// one profile (go tool pprof bin/thongsuot FILE). An environment variable rather than a
// flag, so that every command has it and no command's flags change.
const profileEnv = "THONGSUOT_CPUPROFILE"

// startCPUProfile starts the profile profileEnv asks for and returns what stops it.
func startCPUProfile() (stop func()) {
	path := os.Getenv(profileEnv)
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "thongsuot: %s: %v (running without a profile)\n", profileEnv, err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
