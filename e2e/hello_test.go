package e2e

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"socketlab/server/site"
)

// TestHello: the page shows Hello, then World about a second later, then the
// close with code 1000.
func TestHello(t *testing.T) {
	srv := startServer(t, site.Config{})
	u := newUser(t, "ada")
	u.open(srv.URL + "/hello")
	got := u.waitText("#hello-close", "the close", func(s string) bool { return s != "" })
	if !strings.Contains(got, "1000 normal closure") {
		t.Fatalf("close shows %q, want code 1000", got)
	}
	msgs := u.texts("#hello-messages .msg-text")
	if strings.Join(msgs, ",") != "Hello,World" {
		t.Fatalf("messages %q, want Hello then World", msgs)
	}
	// Arrival offsets are printed as (+s.sss s); World must come about a
	// second after Hello.
	times := u.texts("#hello-messages time")
	re := regexp.MustCompile(`\(\+(\d+\.\d+) s\)`)
	var at []float64
	for _, s := range times {
		m := re.FindStringSubmatch(s)
		if m == nil {
			t.Fatalf("arrival time %q has no offset", s)
		}
		f, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		at = append(at, f)
	}
	// The server waits a second between the two; the browser's clock only
	// sees when each reached the page, so check the order, not the gap.
	if at[1] <= at[0] {
		t.Fatalf("World shown at +%.3fs, not after Hello at +%.3fs", at[1], at[0])
	}
	u.waitStatus("closed")
}
