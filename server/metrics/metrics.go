// Package metrics defines what socketlab counts about its sockets and serves
// it in the Prometheus text format on /metrics.
//
// Every lab accepts its sockets through server/conns, which updates these
// counters on open, on each message and on close, so a lab gets its metrics
// without writing any metrics code; labs add only what is theirs (queue
// overflows, drops by reason). The registry is per server, not global, so
// tests and in-process e2e servers never share counters.
package metrics

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the server's collectors. The zero value is not usable; use
// New. A nil *Metrics is valid and records nothing, so packages can be used
// without metrics in their own tests.
type Metrics struct {
	reg *prometheus.Registry

	open      *prometheus.GaugeVec
	accepted  *prometheus.CounterVec
	refused   *prometheus.CounterVec
	msgsIn    *prometheus.CounterVec
	msgsOut   *prometheus.CounterVec
	bytesIn   *prometheus.CounterVec
	bytesOut  *prometheus.CounterVec
	closes    *prometheus.CounterVec
	drops     *prometheus.CounterVec
	overflows *prometheus.CounterVec
}

// New creates the collectors on a fresh registry, with the Go runtime and
// process collectors beside them.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	vec := func(name, help string, labels ...string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "socketlab", Name: name, Help: help}, labels)
		m.reg.MustRegister(c)
		return c
	}
	m.open = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "socketlab", Name: "connections",
		Help: "WebSocket connections open now, by endpoint."}, []string{"endpoint"})
	m.reg.MustRegister(m.open, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.accepted = vec("connections_total", "WebSocket connections accepted, by endpoint.", "endpoint")
	m.refused = vec("upgrades_refused_total", "WebSocket upgrades refused before the handshake completed, by reason.", "endpoint", "reason")
	m.msgsIn = vec("messages_in_total", "Messages received from clients, by endpoint.", "endpoint")
	m.msgsOut = vec("messages_out_total", "Messages sent to clients, by endpoint.", "endpoint")
	m.bytesIn = vec("message_bytes_in_total", "Payload bytes received from clients, by endpoint.", "endpoint")
	m.bytesOut = vec("message_bytes_out_total", "Payload bytes sent to clients, by endpoint.", "endpoint")
	m.closes = vec("closes_total", "Closed connections, by endpoint and close code (1006: dropped without a close frame).", "endpoint", "code")
	m.drops = vec("drops_total", "Inputs refused or discarded, by endpoint and reason.", "endpoint", "reason")
	m.overflows = vec("queue_overflows_total", "Clients cut because their send queue was full, by endpoint.", "endpoint")
	return m
}

// Registry exposes the underlying registry so that a lab can register
// collectors of its own.
func (m *Metrics) Registry() *prometheus.Registry {
	if m == nil {
		return nil
	}
	return m.reg
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Opened records an accepted connection.
func (m *Metrics) Opened(endpoint string) {
	if m == nil {
		return
	}
	m.accepted.WithLabelValues(endpoint).Inc()
	m.open.WithLabelValues(endpoint).Inc()
}

// Closed records a closed connection and its close code.
func (m *Metrics) Closed(endpoint string, code int) {
	if m == nil {
		return
	}
	m.open.WithLabelValues(endpoint).Dec()
	m.closes.WithLabelValues(endpoint, strconv.Itoa(code)).Inc()
}

// Refused records an upgrade refused before the handshake (origin, limits).
func (m *Metrics) Refused(endpoint, reason string) {
	if m == nil {
		return
	}
	m.refused.WithLabelValues(endpoint, reason).Inc()
}

// Endpoint is one endpoint's per-message counters, resolved once. A
// connection holds one, so that counting a message costs no label lookup
// (the fan-out's profile showed the lookup on every write). A nil *Endpoint
// records nothing.
type Endpoint struct {
	msgsIn, msgsOut, bytesIn, bytesOut prometheus.Counter
}

// Endpoint returns the counters of endpoint; nil when m is nil.
func (m *Metrics) Endpoint(endpoint string) *Endpoint {
	if m == nil {
		return nil
	}
	return &Endpoint{
		msgsIn: m.msgsIn.WithLabelValues(endpoint), msgsOut: m.msgsOut.WithLabelValues(endpoint),
		bytesIn: m.bytesIn.WithLabelValues(endpoint), bytesOut: m.bytesOut.WithLabelValues(endpoint),
	}
}

// In records a message received.
func (e *Endpoint) In(bytes int) {
	if e == nil {
		return
	}
	e.msgsIn.Inc()
	e.bytesIn.Add(float64(bytes))
}

// Out records a message sent.
func (e *Endpoint) Out(bytes int) {
	if e == nil {
		return
	}
	e.msgsOut.Inc()
	e.bytesOut.Add(float64(bytes))
}

// Drop records an input refused or discarded for reason (for example
// "rate", "bad_envelope", "bad_line").
func (m *Metrics) Drop(endpoint, reason string) {
	if m == nil {
		return
	}
	m.drops.WithLabelValues(endpoint, reason).Inc()
}

// Overflow records a client cut because its send queue was full.
func (m *Metrics) Overflow(endpoint string) {
	if m == nil {
		return
	}
	m.overflows.WithLabelValues(endpoint).Inc()
}
