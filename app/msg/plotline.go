package msg

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrBlankLine is returned by ParsePlotLine for a line holding only spaces.
// It is not a mistake: producers skip such lines silently.
var ErrBlankLine = errors.New("blank line")

// ParsePlotLine parses one producer line, "x y": two finite floats in Go
// (or C) syntax, separated by spaces or tabs, with optional spaces around.
// A trailing "\n" or "\r\n" is ignored, so lines from netcat on any system
// work. The error is the reason, meant to follow "line N: " in a reply.
func ParsePlotLine(line []byte) (PlotPoint, error) {
	line = trimLineEnd(line)
	if len(line) > PlotMaxLine {
		return PlotPoint{}, fmt.Errorf("line is %d bytes, longer than %d", len(line), PlotMaxLine)
	}
	if !utf8.Valid(line) {
		return PlotPoint{}, errors.New("line is not valid UTF-8")
	}
	fields := strings.FieldsFunc(string(line), func(r rune) bool { return r == ' ' || r == '\t' })
	switch len(fields) {
	case 0:
		return PlotPoint{}, ErrBlankLine
	case 2:
	default:
		return PlotPoint{}, fmt.Errorf(`want two numbers "x y", got %d field%s`, len(fields), plural(len(fields)))
	}
	var p PlotPoint
	for i, f := range fields {
		v, err := strconv.ParseFloat(f, 64)
		name := [2]string{"x", "y"}[i]
		switch {
		case errors.Is(err, strconv.ErrRange):
			return PlotPoint{}, fmt.Errorf("%s: %q is out of range for a float64", name, short(f))
		case err != nil:
			return PlotPoint{}, fmt.Errorf("%s: %q is not a number", name, short(f))
		case math.IsNaN(v) || math.IsInf(v, 0):
			return PlotPoint{}, fmt.Errorf("%s: %q is not a finite number", name, short(f))
		}
		p[i] = v
	}
	return p, nil
}

// LooksLikePlotPoint reports whether a line parses as a point. The TCP
// ingest uses it to refuse a first line that is a point rather than a
// series name: the producer forgot the name.
func LooksLikePlotPoint(line []byte) bool {
	_, err := ParsePlotLine(line)
	return err == nil
}

func trimLineEnd(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line
}

// short keeps quoted input in an error reply readable.
func short(s string) string {
	const max = 32
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
