// Command gorillachat is the classic design that the chat fan-out bench
// measures socketlab against: gorilla/websocket's examples/chat, the most
// copied Go chat. hub.go and client.go are the example's files of
// gorilla/websocket v1.5.3, unchanged (their globals and all): an in-memory
// hub goroutine, one writer goroutine per client with a buffered send
// channel of 256, a writePump that writes a message and every message
// already queued into one frame joined by newlines, a ping every 54 s, and
// a hub that drops a client whose channel is full.
//
// What this file adapts from the example's main.go, and why:
//   - it listens on -addr (default 127.0.0.1:0, a free loopback port) and
//     logs `msg=serving url=http://…` as the socketlab binary does, so that
//     the bench starts both the same way;
//   - it serves only /ws: the example's home page is not measured;
//   - -debug-addr serves Go's profiler on a listener of its own, off unless
//     asked for, as the socketlab binary's flag of the same name: the bench
//     profiles both servers alike.
//
// The bench's texts carry the publisher's clock, so that a subscriber can
// time each delivery; the example broadcasts whatever text it reads, so
// nothing in it changes for that. It is a bench-only program: nothing of
// socketlab imports it, and gorilla/websocket is in no other binary.
package main

import (
	"flag"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "http service `address`")
	debugAddr := flag.String("debug-addr", "", "serve Go's profiler (/debug/pprof/) on this `address`; off when empty")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))

	if *debugAddr != "" {
		if err := serveDebug(*debugAddr, logger); err != nil {
			log.Fatal(err)
		}
	}
	hub := newHub()
	go hub.run()
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		serveWs(hub, w, r)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal("listen: ", err)
	}
	logger.Info("serving", "url", "http://"+ln.Addr().String())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.Serve(ln))
}

// serveDebug serves net/http/pprof on its own listener, apart from /ws.
func serveDebug(addr string, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	logger.Info("profiler", "url", "http://"+ln.Addr().String()+"/debug/pprof/")
	go func() {
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		logger.Warn("profiler stopped", "err", srv.Serve(ln))
	}()
	return nil
}
