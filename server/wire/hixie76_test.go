package wire

import (
	"encoding/hex"
	"strings"
	"testing"
)

// TestHixie76DraftExamples: the two worked examples of the draft
// (draft-hixie-thewebsocketprotocol-76 = draft-ietf-hybi-thewebsocketprotocol-00):
// section 1.3's handshake, whose server answers 8jKS'y:G*Co,Wxa-, and the
// one of section 5.2 with its quotients written out.
func TestHixie76DraftExamples(t *testing.T) {
	for _, c := range []struct {
		key1, key2, key3, response string
		digits1, digits2           uint64
		spaces1, spaces2           int
		part1, part2               uint32
	}{
		{"4 @1  46546xW%0l 1 5", "12998 5 Y3 1  .P00", "^n:ds[4U", "8jKS'y:G*Co,Wxa-",
			4146546015, 1299853100, 5, 5, 829309203, 259970620},
		{"18x 6]8vM;54 *(5:  {   U1]8  z [  8", "1_ tx7X d  <  nw  334J702) 7]o}` 0", "Tm[K T2u", "fQJ,fN/4F4!~K~MH",
			1868545188, 1733470270, 12, 10, 155712099, 173347027},
	} {
		var key3 [8]byte
		copy(key3[:], c.key3)
		got, err := Hixie76(c.key1, c.key2, key3)
		if err != nil {
			t.Fatal(err)
		}
		if got.Digits1 != c.digits1 || got.Spaces1 != c.spaces1 || got.Part1 != c.part1 ||
			got.Digits2 != c.digits2 || got.Spaces2 != c.spaces2 || got.Part2 != c.part2 {
			t.Errorf("%q %q: %d/%d=%d, %d/%d=%d", c.key1, c.key2, got.Digits1, got.Spaces1, got.Part1, got.Digits2, got.Spaces2, got.Part2)
		}
		if resp := string(h(got.Response)); resp != c.response {
			t.Errorf("response %q, want the draft's %q", resp, c.response)
		}
		if challenge := h(got.Challenge); len(challenge) != 16 || string(challenge[8:]) != c.key3 {
			t.Errorf("challenge %s", got.Challenge)
		}
	}
}

func TestHixie76RefusesBadKeys(t *testing.T) {
	for _, k := range []string{"12345", "1 2 3", "99999999999 ", "1" + strings.Repeat("9", 30) + " "} {
		if _, err := Hixie76(k, "4 @1  46546xW%0l 1 5", [8]byte{}); err == nil {
			t.Errorf("key %q accepted", k)
		}
	}
}

// TestHixie76ForVisit: the keys made for a visit are those a draft-76
// client would make, and the same for the same visit.
func TestHixie76ForVisit(t *testing.T) {
	seen := map[string]bool{}
	for i := range 200 {
		visit := hex.EncodeToString([]byte{byte(i), byte(i >> 8)})
		a, b := Hixie76For(visit), Hixie76For(visit)
		if a != b {
			t.Fatalf("visit %s: two different handshakes", visit)
		}
		for _, k := range []string{a.Key1, a.Key2} {
			seen[k] = true
			if k[0] == ' ' || k[len(k)-1] == ' ' {
				t.Fatalf("key %q starts or ends with a space", k)
			}
			spaces, noise := 0, 0
			for _, c := range k {
				switch {
				case c == ' ':
					spaces++
				case c >= '0' && c <= '9':
				case c >= 0x21 && c <= 0x2F, c >= 0x3A && c <= 0x7E:
					noise++
				default:
					t.Fatalf("key %q: character %q", k, c)
				}
			}
			if spaces < 1 || spaces > 12 || noise < 1 || noise > 12 {
				t.Fatalf("key %q: %d spaces, %d other characters", k, spaces, noise)
			}
		}
		if len(h(a.Key3)) != 8 || len(h(a.Response)) != 16 {
			t.Fatalf("key3 %q response %q", a.Key3, a.Response)
		}
	}
	if len(seen) < 390 {
		t.Fatalf("only %d distinct keys for 200 visits", len(seen))
	}
}
