//go:build linux || darwin || freebsd

package conns

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// writeNoWait writes what the socket takes at once, without waiting: one
// write system call (again after EINTR) on the socket, which Go keeps
// non-blocking. It returns how much went out; a full socket is not an
// error, the caller waits for the rest.
func writeNoWait(raw syscall.RawConn, p []byte) (int, error) {
	var n int
	var werr error
	err := raw.Write(func(fd uintptr) bool {
		for {
			m, e := unix.Write(int(fd), p)
			if e == unix.EINTR {
				continue
			}
			n = max(m, 0)
			if e != unix.EAGAIN {
				werr = e
			}
			// Done either way: a callback that reports false would wait
			// for the socket here, with no deadline.
			return true
		}
	})
	if err != nil {
		return 0, err
	}
	return n, werr
}
