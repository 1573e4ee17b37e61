package plot

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// lineReader splits a producer's stream into lines of at most max bytes.
//
// bufio.Scanner would stop for good at the first line over its buffer; a
// producer must instead be told about that line and go on, so a long line
// is consumed whole and reported, and reading resumes after it.
type lineReader struct {
	r   *bufio.Reader
	max int
	n   int // number of the last line returned, from 1
}

func newLineReader(r io.Reader, max int) *lineReader {
	// Room for the longest allowed line and its "\r\n".
	return &lineReader{r: bufio.NewReaderSize(r, max+2), max: max}
}

// errLineTooLong is returned, with the line's number, for a line over max.
var errLineTooLong = errors.New("line too long")

// next returns the next line without its line ending, and its number. The
// slice is valid until the next call. A line longer than max comes back
// as errLineTooLong after it has been skipped. The last line needs no
// newline. At the end of the stream next returns io.EOF; other read errors
// (a deadline, a closed connection) are returned as they are, possibly
// after part of a line was consumed.
func (l *lineReader) next() (line []byte, n int, err error) {
	line, err = l.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		l.n++
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = l.r.ReadSlice('\n')
		}
		if err == nil || errors.Is(err, io.EOF) {
			err = errLineTooLong
		}
		return nil, l.n, err
	}
	if errors.Is(err, io.EOF) && len(line) > 0 {
		err = nil // a last line without a newline
	}
	if err != nil {
		return nil, l.n, err
	}
	l.n++
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) > l.max {
		return nil, l.n, errLineTooLong
	}
	return line, l.n, nil
}

// buffered reports whether a whole line is already buffered, so that
// next will not block. Producers flush what they have parsed before a read
// that may wait.
func (l *lineReader) buffered() bool {
	b, _ := l.r.Peek(l.r.Buffered())
	return bytes.IndexByte(b, '\n') >= 0
}

// tooLong is the reason given for a line over max.
func tooLong(max int) string { return fmt.Sprintf("line is longer than %d bytes", max) }
