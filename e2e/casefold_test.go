package e2e

import (
	"fmt"
	"strings"
	"testing"

	"socketlab/server/site"
)

// TestCasefold types texts and reads the folded replies as Python's
// str.casefold would give them (see server/casefold/testdata for the
// reference run of Python itself).
func TestCasefold(t *testing.T) {
	srv := startServer(t, site.Config{})
	u := newUser(t, "ada")
	u.open(srv.URL + "/casefold")
	u.waitStatus("open")

	cases := []struct{ in, want string }{
		{"Straße", "strasse"},
		{"ΣΑΣ", "σασ"},
		{"ﬁ", "fi"},
		{"Grüße 😀 ÉTÉ", "grüsse 😀 été"},
	}
	for i, c := range cases {
		u.typeText("#casefold-input", c.in)
		u.click("#casefold-send") // a click for the first ones, Enter for the last
		n := i + 1
		u.waitJS(fmt.Sprintf("reply %d", n), fmt.Sprintf(`document.querySelectorAll("#casefold-replies .fold-out").length >= %d`, n))
	}
	outs := u.texts("#casefold-replies .fold-out")
	ins := u.texts("#casefold-replies .fold-in")
	for i, c := range cases {
		if ins[i] != c.in || outs[i] != c.want {
			t.Errorf("reply %d: %q → %q, want %q → %q", i, ins[i], outs[i], c.in, c.want)
		}
	}

	// Enter sends too; a 70 000-byte text needs the 64-bit payload length.
	long := strings.Repeat("AΣß", 70000/5) // 5 bytes a repeat: 70 000 bytes
	u.do("paste a long text", setValue("#casefold-input", long))
	u.typeText("#casefold-input", "\n")
	u.waitJS("the long reply", `document.querySelectorAll("#casefold-replies .fold-out").length >= 5`)
	bytes := u.texts("#casefold-replies .fold-bytes")[4]
	// "AΣß" (5 bytes) folds to "aσss" (5 bytes).
	if !strings.Contains(bytes, "70000 → 70000 bytes") {
		t.Fatalf("long text reply shows %q, want 70000 → 70000 bytes", bytes)
	}
	if out := u.texts("#casefold-replies .fold-out")[4]; !strings.HasPrefix(out, "aσssaσss") {
		t.Fatalf("long reply starts %q", out[:20])
	}
}
