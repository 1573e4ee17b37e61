package site

import (
	"net"
	"net/http"
	"sync"
)

// freshConns tracks the connections that have not yet sent a request, so
// that a graceful shutdown can close them at once.
//
// Why: http.Server.Shutdown treats a connection in StateNew as busy for its
// first five seconds, in case a request is on its way. Browsers open such
// connections speculatively (Firefox preconnects and often never uses
// them), so without this every shutdown within five seconds of a page load
// would wait them out — longer than the shutdown's own bound, which then
// fails with "context deadline exceeded" although nothing was in flight.
// Closing a connection before its first request loses nothing: no request
// was read, and a browser retries a request that met a connection closed
// before any byte of an answer.
type freshConns struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

// track is the http.Server's ConnState hook.
func (f *freshConns) track(c net.Conn, state http.ConnState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if state == http.StateNew {
		if f.conns == nil {
			f.conns = make(map[net.Conn]struct{})
		}
		f.conns[c] = struct{}{}
		return
	}
	delete(f.conns, c)
}

// closeAll closes every connection that has not sent a request yet. The
// server calls it on shutdown, once its listeners are closed, so no new
// one can arrive after.
func (f *freshConns) closeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.conns {
		c.Close()
		delete(f.conns, c)
	}
}
