// Copyright 2013 The Gorilla WebSocket Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Command gorillachat is the classic baseline of the bench: gorilla/websocket
// v1.5.3's examples/chat, the most-copied Go chat server — an in-memory hub,
// a read pump and a write pump goroutine per client. hub.go and client.go
// are the example's files unchanged; this main differs from the example's
// only in what the bench needs to run it beside socketlab: it listens on
// -addr (a free loopback port by default) and logs the url it serves in the
// line the bench reads (`msg=serving url=…`), it serves Go's profiler on
// /debug/pprof/ (so the bench can run a collection and read the goroutine
// count, as it does for socketlab), and it has no home page.
//
// The fan-out bench (chat.go) profiles it as it does socketlab, through
// /debug/pprof/profile. Its texts carry the publisher's clock so that a
// subscriber can time each delivery; the example broadcasts whatever text
// it reads, so nothing in it changes for that.
//
// It is a bench-only program: nothing in the server or the wasm imports it
// or gorilla/websocket.
package main

import (
	"flag"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "http service `address`")
	flag.Parse()
	hub := newHub()
	go hub.run()
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		serveWs(hub, w, r)
	})
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile) // the fan-out bench's CPU profile
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal("listen: ", err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	logger.Info("profiler", "url", "http://"+ln.Addr().String()+"/debug/pprof/")
	logger.Info("serving", "url", "http://"+ln.Addr().String())
	log.Fatal("serve: ", http.Serve(ln, mux))
}
