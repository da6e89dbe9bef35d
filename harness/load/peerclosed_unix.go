//go:build linux || darwin

package load

import (
	"net"
	"syscall"
)

// peerClosed says whether the peer of an idle connection closed it (or sent what it
// was not asked for, which only a server giving up on the connection does): one
// non-blocking peek, which reads nothing.
func peerClosed(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	closed := false
	var buf [1]byte
	err = rc.Read(func(fd uintptr) bool {
		// Nothing to read (EAGAIN) is an open connection; an end (0), bytes or a
		// reset are not.
		_, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		closed = err != syscall.EAGAIN && err != syscall.EINTR
		return true
	})
	return closed || err != nil
}
