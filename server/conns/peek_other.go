//go:build !(linux || darwin || freebsd)

package conns

const peekSupported = false

func peekWouldBlock(uintptr) bool { return false }

func discardFD(uintptr, int) int { return 0 }
