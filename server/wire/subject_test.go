package wire

import (
	"bytes"
	"testing"
)

func TestSplit(t *testing.T) {
	for _, c := range []struct{ size, n int }{{10, 3}, {2, 5}, {0, 2}, {65536, 15}, {1, 1}} {
		data := bytes.Repeat([]byte{'x'}, c.size)
		pieces := split(data, c.n)
		if len(pieces) != c.n || !bytes.Equal(bytes.Join(pieces, nil), data) {
			t.Fatalf("split(%d, %d): %d pieces", c.size, c.n, len(pieces))
		}
		for _, p := range pieces {
			if len(p) > c.size/c.n+1 {
				t.Fatalf("split(%d, %d): a piece of %d", c.size, c.n, len(p))
			}
		}
	}
}
