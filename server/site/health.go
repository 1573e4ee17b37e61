package site

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// healthz answers 200 while the process serves HTTP at all: liveness.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

// readyz answers 200 only when every dependency the labs need is usable
// (each registered readiness check passes), 503 with the failing check
// otherwise: a load balancer should stop sending sockets to a replica whose
// chat store is gone, while /healthz keeps saying the process lives.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	for _, c := range s.checks {
		if err := c.check(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "not ready: %s: %v\n", c.name, err)
			return
		}
	}
	fmt.Fprintln(w, "ready")
}

// readiness is one named check of readyz.
type readiness struct {
	name  string
	check func(context.Context) error
}
