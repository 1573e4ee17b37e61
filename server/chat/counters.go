package chat

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"socketlab/server/metrics"
)

// counters are what the chat counts beyond what every lab gets from
// server/conns (sockets, messages, closes, drops by reason, queue
// overflows): they are its own Prometheus collectors, served on /metrics
// with the rest. There is no second way of counting: tests read these too.
type counters struct {
	published  prometheus.Counter // says stored
	duplicates prometheus.Counter // resends recognised and not stored again
	delivered  prometheus.Counter // msg frames queued to sockets by the fan-out
	sockets    prometheus.Gauge   // sockets in a room now
	rooms      prometheus.Gauge   // rooms with a socket of this replica in them now
}

func newCounters() *counters {
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Namespace: "socketlab", Subsystem: "chat", Name: name, Help: help})
	}
	gauge := func(name, help string) prometheus.Gauge {
		return prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "socketlab", Subsystem: "chat", Name: name, Help: help})
	}
	return &counters{
		published:  counter("published_total", "Chat messages stored."),
		duplicates: counter("duplicates_total", "Chat resends recognised by their id and not stored again."),
		delivered:  counter("delivered_total", "Chat message frames queued to sockets by the fan-out."),
		sockets:    gauge("room_sockets", "Chat sockets in a room now."),
		rooms:      gauge("rooms", "Chat rooms with a socket of this replica in them now."),
	}
}

// register adds the counters to m's registry; nothing when m is nil (a
// package's own tests may run without metrics).
func (c *counters) register(m *metrics.Metrics) error {
	reg := m.Registry()
	if reg == nil {
		return nil
	}
	for i, col := range c.all() {
		if err := reg.Register(col); err != nil {
			for _, done := range c.all()[:i] {
				reg.Unregister(done)
			}
			return fmt.Errorf("chat metrics: %w", err)
		}
	}
	return nil
}

func (c *counters) all() []prometheus.Collector {
	return []prometheus.Collector{c.published, c.duplicates, c.delivered, c.sockets, c.rooms}
}
