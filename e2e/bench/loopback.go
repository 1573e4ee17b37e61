package main

import (
	"fmt"
	"net"
	"net/url"
)

// checkLoopback refuses any target that is not on this machine's loopback
// interface: the load tool must never send traffic anywhere else.
func checkLoopback(target string) error {
	host := target
	if u, err := url.Parse(target); err == nil && u.Host != "" {
		host = u.Host
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("bench: refusing to target %q: loopback only", target)
	}
	return nil
}
