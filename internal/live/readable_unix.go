//go:build unix

package live

import "syscall"

// readable reports whether a read of socket fd would not block: it has bytes, an end or an
// error to report. It peeks, so the bytes stay for the reader. As a syscall.RawConn.Read
// callback it makes the caller wait, on Go's poller, until the socket is readable.
func readable(fd uintptr) bool {
	var b [1]byte
	_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
	return err != syscall.EAGAIN && err != syscall.EWOULDBLOCK
}
