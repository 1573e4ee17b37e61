package plot

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// FuzzLineReader checks the line splitter against a plain bytes.Split of
// the same input, fed in one byte at a time so that every line straddles
// buffer refills.
func FuzzLineReader(f *testing.F) {
	f.Add([]byte("name\n1 2\r\n3 4"), 8)
	f.Add([]byte("a very long line indeed\nshort\n"), 4)
	f.Add([]byte("\n\n\r\n"), 1)
	f.Add(bytes.Repeat([]byte{0xff, 0}, 300), 16)
	f.Fuzz(func(t *testing.T, in []byte, max int) {
		if max < 1 || max > 512 {
			return
		}
		var want [][]byte
		parts := bytes.Split(in, []byte("\n"))
		if len(parts[len(parts)-1]) == 0 {
			parts = parts[:len(parts)-1] // no line after the last newline
		}
		for _, p := range parts {
			want = append(want, bytes.TrimSuffix(p, []byte("\r")))
		}
		lr := newLineReader(iotest.OneByteReader(bytes.NewReader(in)), max)
		for i := 0; ; i++ {
			line, n, err := lr.next()
			if errors.Is(err, io.EOF) {
				if i != len(want) {
					t.Fatalf("%d lines, want %d", i, len(want))
				}
				return
			}
			if i >= len(want) {
				t.Fatalf("line %d past the %d expected", n, len(want))
			}
			if n != i+1 {
				t.Fatalf("line %d numbered %d", i+1, n)
			}
			if len(want[i]) > max {
				if !errors.Is(err, errLineTooLong) {
					t.Fatalf("line %d (%d bytes, max %d): %q, %v; want errLineTooLong", n, len(want[i]), max, line, err)
				}
				continue
			}
			if err != nil || !bytes.Equal(line, want[i]) {
				t.Fatalf("line %d = %q, %v; want %q", n, line, err, want[i])
			}
		}
	})
}

func TestLineReaderBuffered(t *testing.T) {
	lr := newLineReader(bytes.NewReader([]byte("a\nb")), 16)
	if lr.buffered() {
		t.Fatal("buffered before any read")
	}
	if line, _, _ := lr.next(); string(line) != "a" {
		t.Fatalf("first line %q", line)
	}
	if lr.buffered() {
		t.Fatal(`"b" without a newline counted as a whole line`)
	}
}
