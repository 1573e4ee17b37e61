//go:build !(linux || darwin || freebsd)

package conns

// pollWritable cannot tell here: a socket is taken as blocked.
func pollWritable(uintptr) bool { return false }
