//go:build !linux

package conns

import "net"

// limitUnsent is a no-op where the kernel's TCP_NOTSENT_LOWAT is not wired
// up here: a slow peer's backlog then waits in the kernel's send buffer
// before the server's queue notices it.
func limitUnsent(net.Conn, int) error { return nil }

// unreadBytes cannot tell here.
func unreadBytes(uintptr) (int, bool) { return 0, false }
