package conns

import (
	"crypto/tls"
	"fmt"
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// limitUnsent asks the kernel to hold at most n bytes of the connection's
// output that it has not sent yet (TCP_NOTSENT_LOWAT): past that, a write
// waits. Without it, the kernel's send buffer, which Linux grows to
// megabytes for a fast link, swallows a slow peer's backlog where no one
// can see it, and the server's own queue never notices that the peer is
// behind.
func limitUnsent(nc net.Conn, n int) error {
	if t, ok := nc.(*tls.Conn); ok {
		nc = t.NetConn()
	}
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil // not a socket: nothing to limit (a test pipe)
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return fmt.Errorf("conns: limit unsent: %w", err)
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_NOTSENT_LOWAT, n)
	}); err != nil {
		return fmt.Errorf("conns: limit unsent: %w", err)
	}
	if serr != nil {
		return fmt.Errorf("conns: limit unsent: %w", serr)
	}
	return nil
}

// unreadBytes reports the bytes in fd's receive queue (SIOCINQ).
func unreadBytes(fd uintptr) (int, bool) {
	n, err := unix.IoctlGetInt(int(fd), unix.SIOCINQ)
	return n, err == nil
}
