//go:build !(linux || darwin || freebsd)

package conns

import "syscall"

// writeNoWait writes nothing here: every flush takes the waiting path.
func writeNoWait(syscall.RawConn, []byte) (int, error) { return 0, nil }
