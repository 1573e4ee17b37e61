package msg

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParsePlotLine(t *testing.T) {
	good := []struct {
		in   string
		want PlotPoint
	}{
		{"1 2", PlotPoint{1, 2}},
		{"1700000000000 12345\n", PlotPoint{1700000000000, 12345}},
		{"  -1.5e3\t\t2.25  \r\n", PlotPoint{-1500, 2.25}},
		{"0x1p4 -0", PlotPoint{16, 0}},
		{".5 5.", PlotPoint{0.5, 5}},
	}
	for _, c := range good {
		got, err := ParsePlotLine([]byte(c.in))
		if err != nil || got != c.want {
			t.Errorf("ParsePlotLine(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	bad := []struct{ in, reason string }{
		{"1", `want two numbers "x y", got 1 field`},
		{"1 2 3", "got 3 fields"},
		{"1,2", "got 1 field"},
		{"a 2", `x: "a" is not a number`},
		{"1 b", `y: "b" is not a number`},
		{"NaN 1", `x: "NaN" is not a finite number`},
		{"1 -Inf", `y: "-Inf" is not a finite number`},
		{"1e400 1", "out of range"},
		{"1\xff 2", "not valid UTF-8"},
		{"1\u00a02", "got 1 field"}, // a no-break space is not a separator
		{strings.Repeat(" ", PlotMaxLine) + "1 2", "longer than 256"},
		{"1 " + strings.Repeat("z", 100), "zzz…"},
	}
	for _, c := range bad {
		_, err := ParsePlotLine([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("ParsePlotLine(%q) error %v; want one containing %q", c.in, err, c.reason)
		}
	}
	for _, blank := range []string{"", "\n", "  \t \r\n"} {
		if _, err := ParsePlotLine([]byte(blank)); !errors.Is(err, ErrBlankLine) {
			t.Errorf("ParsePlotLine(%q) error %v; want ErrBlankLine", blank, err)
		}
	}
}

func TestCheckPlotName(t *testing.T) {
	for _, ok := range []string{"demo", "my source", "température °C", strings.Repeat("é", PlotMaxName/2)} {
		if err := CheckPlotName(ok); err != nil {
			t.Errorf("CheckPlotName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", " \t", "a\x00b", "bell\a", "\xff", strings.Repeat("x", PlotMaxName+1)} {
		if err := CheckPlotName(bad); err == nil {
			t.Errorf("CheckPlotName(%q) accepted it", bad)
		}
	}
}

func TestParsePlotRequest(t *testing.T) {
	for _, ok := range []string{"", `{"type":"next"}`, ` {"type": "next"} `} {
		if err := ParsePlotRequest([]byte(ok)); err != nil {
			t.Errorf("ParsePlotRequest(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"next", `{"type":"more"}`, `{}`, `[1]`, "\xff"} {
		if err := ParsePlotRequest([]byte(bad)); err == nil {
			t.Errorf("ParsePlotRequest(%q) accepted it", bad)
		}
	}
}

// FuzzParsePlotLine feeds arbitrary bytes to the line parser: it must never
// panic, accept only what the protocol allows, and read back exactly what a
// producer writes with strconv.
func FuzzParsePlotLine(f *testing.F) {
	for _, s := range []string{"1 2", "1700000000000 12345\r\n", "a b", "NaN 1", "1e999 0", "\xff\xfe", " ", "1\t-2.5e-3", "0x1p-1074 1"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		p, err := ParsePlotLine(line)
		if err != nil {
			if p != (PlotPoint{}) {
				t.Fatalf("error %v with a non-zero point %v", err, p)
			}
			if err.Error() == "" {
				t.Fatal("empty error reason")
			}
			return
		}
		body := trimLineEnd(line)
		if !utf8.Valid(body) || len(body) > PlotMaxLine {
			t.Fatalf("accepted %q: invalid UTF-8 or too long", line)
		}
		for _, v := range p {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("accepted a non-finite value from %q: %v", line, p)
			}
		}
		// What a producer would write for this point reads back the same.
		again := fmt.Sprintf("%s %s\n", strconv.FormatFloat(p[0], 'g', -1, 64), strconv.FormatFloat(p[1], 'g', -1, 64))
		q, err := ParsePlotLine([]byte(again))
		if err != nil || q != p {
			t.Fatalf("round trip of %v via %q gave %v, %v", p, again, q, err)
		}
	})
}

func ExampleParsePlotLine() {
	for _, line := range []string{"1700000000000 42\n", "1700000001000 forty-two\n"} {
		p, err := ParsePlotLine([]byte(line))
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(p[0], p[1])
	}
	// Output:
	// 1.7e+12 42
	// error: y: "forty-two" is not a number
}
