package conns

import (
	"testing"
	"unicode/utf8"
)

// TestUTF8Stream checks the streaming check against utf8.Valid on every
// split of a set of texts, and that it fails at the first impossible byte.
func TestUTF8Stream(t *testing.T) {
	texts := []string{
		"", "a", "Straße", "κόσμε", "€", "𝄞 music", "\uFFFD", "\U0010FFFF",
		"a\xffb", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "\xe2\x82\xac\xe2",
		"\xf0\x9f\x98", "\x80", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited",
	}
	for _, s := range texts {
		want := utf8.ValidString(s)
		for i := 0; i <= len(s); i++ {
			for j := i; j <= len(s); j++ {
				var u utf8Stream
				ok := u.write([]byte(s[:i])) && u.write([]byte(s[i:j])) && u.write([]byte(s[j:])) && u.end()
				if ok != want {
					t.Fatalf("%q split at %d, %d: %v, want %v", s, i, j, ok, want)
				}
			}
		}
	}
	// Fail fast: the piece with the first impossible byte fails, before
	// the rest arrives.
	for _, first := range []string{"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80", "ok\xed\xa0", "x\xe0\x80", "\xf5"} {
		var u utf8Stream
		if u.write([]byte(first)) {
			t.Errorf("%q: accepted, want failed at once", first)
		}
	}
}

// FuzzUTF8Stream: split anywhere, the streaming check agrees with
// utf8.Valid on the whole.
func FuzzUTF8Stream(f *testing.F) {
	f.Add([]byte("κόσμε\xed\xa0\x80edited"), uint8(3), uint8(7))
	f.Add([]byte("\xf0\x9f\x98\x80ok"), uint8(1), uint8(2))
	f.Fuzz(func(t *testing.T, b []byte, i, j uint8) {
		a, c := min(int(i), len(b)), min(int(j), len(b))
		if a > c {
			a, c = c, a
		}
		var u utf8Stream
		got := u.write(b[:a]) && u.write(b[a:c]) && u.write(b[c:]) && u.end()
		if want := utf8.Valid(b); got != want {
			t.Fatalf("%q split at %d, %d: %v, want %v", b, a, c, got, want)
		}
	})
}
