//go:build linux || darwin || freebsd

package conns

import "golang.org/x/sys/unix"

const peekSupported = true

// peekWouldBlock reports whether a read of fd would block: a one-byte peek
// that consumes nothing finds no data, no end of file and no error.
func peekWouldBlock(fd uintptr) bool {
	var b [1]byte
	_, _, err := unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
	return err == unix.EAGAIN || err == unix.EWOULDBLOCK
}

// discardFD reads and drops up to max bytes that fd holds, without waiting.
func discardFD(fd uintptr, max int) int {
	var b [4 << 10]byte
	n := 0
	for n < max {
		m, _, err := unix.Recvfrom(int(fd), b[:], unix.MSG_DONTWAIT)
		if err != nil || m <= 0 {
			return n
		}
		n += m
	}
	return n
}
