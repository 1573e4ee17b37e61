package socket

import (
	"net"
	"time"
)

// listenRetry listens on addr, retrying briefly while the kernel releases it.
func listenRetry(addr string) (net.Listener, error) {
	var err error
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		var l net.Listener
		if l, err = net.Listen("tcp", addr); err == nil {
			return l, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil, err
}
