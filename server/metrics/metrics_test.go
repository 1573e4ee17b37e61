package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestNilMetricsRecordNothing(t *testing.T) {
	var m *Metrics
	// Packages use a nil *Metrics in their own tests: none of these may panic.
	m.Opened("/ws/x")
	m.Endpoint("/ws/x").In(3)
	m.Endpoint("/ws/x").Out(3)
	m.Drop("/ws/x", "rate")
	m.Overflow("/ws/x")
	m.Refused("/ws/x", "origin")
	m.Closed("/ws/x", 1000)
	if m.Registry() != nil {
		t.Fatal("nil Metrics has a registry")
	}
}

func TestExposition(t *testing.T) {
	m := New()
	m.Opened("/ws/chat")
	m.Opened("/ws/chat")
	m.Closed("/ws/chat", 4008)
	m.Overflow("/ws/chat")
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`socketlab_connections{endpoint="/ws/chat"} 1`,
		`socketlab_connections_total{endpoint="/ws/chat"} 2`,
		`socketlab_closes_total{code="4008",endpoint="/ws/chat"} 1`,
		`socketlab_queue_overflows_total{endpoint="/ws/chat"} 1`,
		`# HELP socketlab_closes_total`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("exposition lacks %q", want)
		}
	}
}
