package journal

import (
	"os"
	"runtime"
	"runtime/debug"
)

// Environment is where a run ran, recorded in run.json so that a report rendered later,
// elsewhere, can still say on what machine and with which versions the figures were made.
type Environment struct {
	Hostname    string   `json:"hostname,omitempty"`
	OS          string   `json:"os"`
	Arch        string   `json:"arch"`
	Kernel      string   `json:"kernel,omitempty"`
	CPUs        int      `json:"cpus"`
	GOMAXPROCS  int      `json:"gomaxprocs"`
	MemoryBytes uint64   `json:"memory_bytes,omitempty"` // physical memory
	GoVersion   string   `json:"go_version"`
	Command     []string `json:"command,omitempty"` // the command line of the run
	// Modules are the versions of the libraries the load, faults and metrics run on.
	Modules map[string]string `json:"modules,omitempty"`
}

// trackedModules are the dependencies whose versions change what a run measures.
var trackedModules = []string{
	"github.com/tsenart/vegeta/v12",
	"github.com/Shopify/toxiproxy/v2",
	"github.com/HdrHistogram/hdrhistogram-go",
	"modernc.org/sqlite",
}

// CurrentEnvironment describes this process and machine.
func CurrentEnvironment() *Environment {
	e := &Environment{
		OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		GoVersion: runtime.Version(), Command: os.Args,
	}
	e.Hostname, _ = os.Hostname()
	machine(e)
	if info, ok := debug.ReadBuildInfo(); ok {
		e.Modules = map[string]string{}
		for _, d := range info.Deps {
			for _, m := range trackedModules {
				if d.Path == m {
					e.Modules[m] = d.Version
				}
			}
		}
	}
	return e
}
