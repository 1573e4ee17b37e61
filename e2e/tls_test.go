package e2e

import (
	"strings"
	"testing"

	"socketlab/server/site"
)

// TestTLS runs the casefold lab over https and wss, with HTTP/2 for the page.
func TestTLS(t *testing.T) {
	t.Parallel()
	srv := startServer(t, site.Config{TLSCertificate: &testCert})
	url := strings.Replace(srv.URL, "http://", "https://", 1)
	u := newUser(t, "ada")
	u.open(url + "/casefold")
	u.waitStatus("open")
	u.typeText("#casefold-input", "Straße\n")
	u.waitText("#casefold-replies .fold-out", "the reply", func(s string) bool { return s == "strasse" })
	u.openInspector()
	u.waitText("#inspector .frame-event .frame-data", "the open event, over wss", func(s string) bool {
		return strings.HasPrefix(s, "open wss://")
	})
	proto := u.evalString(`performance.getEntriesByType("navigation")[0].nextHopProtocol`)
	if proto != "h2" {
		t.Fatalf("page loaded over %q, want h2", proto)
	}
}
