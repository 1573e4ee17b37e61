package main

import "testing"

func TestCheckLoopback(t *testing.T) {
	for target, ok := range map[string]bool{
		"ws://127.0.0.1:8080/ws/casefold": true,
		"127.0.0.5:9876":                  true,
		"ws://localhost:1/x":              true,
		"ws://[::1]:80/":                  true,
		"http://10.0.0.1:8080":            false,
		"ws://192.168.1.2/ws/chat":        false,
		"ws://example.com/ws/chat":        false,
		"8.8.8.8:53":                      false,
	} {
		if err := checkLoopback(target); (err == nil) != ok {
			t.Errorf("checkLoopback(%q) = %v, want ok=%v", target, err, ok)
		}
	}
}
