package journal

import "golang.org/x/sys/unix"

// machine fills in the kernel release and physical memory.
func machine(e *Environment) {
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		e.Kernel = unix.ByteSliceToString(u.Release[:])
	}
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) == nil {
		e.MemoryBytes = uint64(si.Totalram) * uint64(si.Unit)
	}
}
