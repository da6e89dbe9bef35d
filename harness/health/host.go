package health

import (
	"bytes"
	"errors"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// hostSample is one reading of the host's and this process's CPU counters.
type hostSample struct {
	hostBusy, hostTotal float64 // host CPU time, in clock ticks: busy and all
	process             float64 // this process's CPU time (user + system), in clock ticks
	waited              float64 // seconds this process's threads spent runnable but waiting for a CPU
	runnable            float64 // runnable tasks now
	load1               float64
	openFiles           int     // this process's open file descriptors now
	at                  float64 // seconds, monotonic enough for rates: the sample's time
}

// usage is what happened between two samples: cores used by this process, the share
// of the time its runnable threads spent waiting for a CPU, and the host's busy share.
func (s hostSample) usage(prev hostSample) (processCores, starved, hostBusy float64) {
	if dt := s.at - prev.at; dt > 0 {
		processCores = (s.process - prev.process) / clockTicks / dt
		if ran, waited := processCores*dt, s.waited-prev.waited; ran+waited > 0 {
			starved = waited / (ran + waited)
		}
	}
	if total := s.hostTotal - prev.hostTotal; total > 0 {
		hostBusy = (s.hostBusy - prev.hostBusy) / total
	}
	return processCores, starved, hostBusy
}

// hostReader takes a sample; tests give their own.
type hostReader interface {
	read() (hostSample, error)
}

// clockTicks is USER_HZ, the unit of /proc's CPU times: 100 on every Linux platform Go
// runs on.
const clockTicks = 100

// procReader reads Linux's /proc. Elsewhere it fails and the host figures stay zero.
type procReader struct{}

func (procReader) read() (hostSample, error) {
	var s hostSample
	s.at = monotonicSeconds()
	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s, err
	}
	line, _, _ := bytes.Cut(stat, []byte("\n"))
	f := strings.Fields(string(line))
	if len(f) < 9 || f[0] != "cpu" {
		return s, errors.New("/proc/stat: no cpu line")
	}
	// user nice system idle iowait irq softirq steal (guest time is inside user)
	for i := 1; i <= 8; i++ {
		v, _ := strconv.ParseFloat(f[i], 64)
		s.hostTotal += v
		if i != 4 && i != 5 {
			s.hostBusy += v
		}
	}
	self, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return s, err
	}
	// The command name may hold spaces: fields count from after its closing parenthesis.
	if i := bytes.LastIndexByte(self, ')'); i >= 0 {
		rest := strings.Fields(string(self[i+1:]))
		if len(rest) > 13 {
			ut, _ := strconv.ParseFloat(rest[11], 64)
			st, _ := strconv.ParseFloat(rest[12], 64)
			s.process = ut + st
		}
	}
	s.waited = runQueueWait()
	s.openFiles = openFiles()
	load, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return s, err
	}
	lf := strings.Fields(string(load))
	if len(lf) >= 4 {
		s.load1, _ = strconv.ParseFloat(lf[0], 64)
		running, _, _ := strings.Cut(lf[3], "/")
		s.runnable, _ = strconv.ParseFloat(running, 64)
		s.runnable = max(s.runnable-1, 0) // not counting the reader itself
	}
	return s, nil
}

func numCPU() int { return runtime.NumCPU() }

// epoch anchors monotonic readings: time.Since uses the monotonic clock.
var epoch = time.Now()

func monotonicSeconds() float64 { return time.Since(epoch).Seconds() }

// runQueueWait is how long, in seconds, this process's threads have waited in a run
// queue for a CPU since they started (schedstat's run_delay, summed over threads).
func runQueueWait() float64 {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return 0
	}
	total := 0.0
	for _, t := range tasks {
		data, err := os.ReadFile("/proc/self/task/" + t.Name() + "/schedstat")
		if err != nil {
			continue // the thread ended
		}
		if f := strings.Fields(string(data)); len(f) >= 2 {
			ns, _ := strconv.ParseFloat(f[1], 64)
			total += ns / 1e9
		}
	}
	return total
}
