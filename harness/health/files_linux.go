//go:build linux

package health

import (
	"encoding/binary"
	"syscall"
)

// openFiles counts this process's open file descriptors — the entries of
// /proc/self/fd — without a name allocated for each: a harness near its limit has
// tens of thousands. 0 when they cannot be read.
func openFiles() int {
	fd, err := syscall.Open("/proc/self/fd", syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return 0
	}
	defer syscall.Close(fd)
	var buf [32 << 10]byte
	n := 0
	for {
		got, err := syscall.ReadDirent(fd, buf[:])
		if err != nil || got <= 0 {
			break
		}
		// linux_dirent64: inode (8 bytes), offset (8), record length (2), type (1), name.
		for off := 0; off+19 < got; {
			reclen := int(binary.NativeEndian.Uint16(buf[off+16:]))
			if reclen == 0 {
				break
			}
			if buf[off+19] != '.' { // "." and ".."; descriptors are numbers
				n++
			}
			off += reclen
		}
	}
	return max(n-1, 0) // not the descriptor this count opened
}

// fileLimit is this process's limit on open file descriptors (the soft RLIMIT_NOFILE,
// which Go raises to the hard one at start); 0 when unknown.
func fileLimit() int {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil || r.Cur > 1<<31 {
		return 0
	}
	return int(r.Cur)
}
