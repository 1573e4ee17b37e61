//go:build linux || darwin || freebsd

package conns

import "golang.org/x/sys/unix"

// pollWritable reports whether fd would take output now, without waiting.
func pollWritable(fd uintptr) bool {
	p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
	for {
		n, err := unix.Poll(p, 0)
		if err == unix.EINTR {
			continue
		}
		return err == nil && n == 1 && p[0].Revents&unix.POLLOUT != 0
	}
}
