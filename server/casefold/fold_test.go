package casefold

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"unicode"

	"socketlab/internal/testkit"
)

type golden struct {
	Python  string `json:"python"`
	Unicode string `json:"unicode"`
	Cases   []struct {
		In   string `json:"in"`
		Want string `json:"want"`
	} `json:"cases"`
}

func loadGolden(t *testing.T) golden {
	t.Helper()
	b, err := os.ReadFile("testdata/python_casefold.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatalf("testdata/python_casefold.json: %v", err)
	}
	return g
}

// TestFoldMatchesPython checks Folder against str.casefold outputs recorded
// from Python (German ß, Greek sigma, Turkish İ, ligatures, Cherokee, emoji,
// the empty string and more).
func TestFoldMatchesPython(t *testing.T) {
	g := loadGolden(t)
	if len(g.Cases) < 40 {
		t.Fatalf("golden file has only %d cases", len(g.Cases))
	}
	var f Folder
	for _, c := range g.Cases {
		if got := string(f.Append(nil, []byte(c.In))); got != c.Want {
			t.Errorf("fold(%+q) = %+q; Python %s says %+q", c.In, got, g.Python, c.Want)
		}
	}
}

// TestGoldenIsPythonOutput re-runs the Python script that produced the golden
// file, so the reference is Python's real behaviour, not a hand-made table.
func TestGoldenIsPythonOutput(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		testkit.Missing(t, "python3, which checks the casefold reference, is not on PATH (apt-get install python3)")
	}
	in, err := os.Open("testdata/inputs.json")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	cmd := exec.Command(py, "testdata/casefold.py")
	cmd.Stdin = in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("casefold.py: %v", err)
	}
	var live golden
	if err := json.Unmarshal(out, &live); err != nil {
		t.Fatal(err)
	}
	g := loadGolden(t)
	if len(live.Cases) != len(g.Cases) {
		t.Fatalf("python gave %d cases, golden has %d", len(live.Cases), len(g.Cases))
	}
	for i := range g.Cases {
		if live.Cases[i] != g.Cases[i] {
			t.Errorf("case %d: python %s says %+q → %+q, golden says %+q", i, live.Python,
				live.Cases[i].In, live.Cases[i].Want, g.Cases[i].Want)
		}
	}
}

func TestFoldGrowsAndReusesBuffer(t *testing.T) {
	var f Folder
	in := bytes.Repeat([]byte("ß"), 40000) // 80 000 bytes in, 80 000 "ss" out
	out := f.Append(nil, in)
	if want := bytes.Repeat([]byte("ss"), 40000); !bytes.Equal(out, want) {
		t.Fatalf("fold of 40000×ß: got %d bytes, want %d", len(out), len(want))
	}
	out2 := f.Append(out[:0], []byte("ABC"))
	if string(out2) != "abc" {
		t.Fatalf("second fold = %q", out2)
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"", "Straße", "ΣΑΣ", "\xff\xfe", "İ", "ﬁ"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var fo Folder
		out := fo.Append(nil, in)
		// Folding is idempotent: folding folded text changes nothing.
		if again := fo.Append(nil, out); !bytes.Equal(again, out) {
			t.Fatalf("fold not idempotent: %+q → %+q → %+q", in, out, again)
		}
	})
}

// TestFoldEveryCodePoint compares the fold of each code point, one at a
// time, with Python's table of every code point that casefold changes.
func TestFoldEveryCodePoint(t *testing.T) {
	b, err := os.ReadFile("testdata/python_allchars.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Python string            `json:"python"`
		Folds  map[string]string `json:"folds"`
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Folds) < 1000 {
		t.Fatalf("python_allchars.json lists only %d folds", len(g.Folds))
	}
	var f Folder
	var buf []byte
	bad := 0
	for cp := rune(0); cp <= unicode.MaxRune; cp++ {
		if cp >= 0xD800 && cp <= 0xDFFF {
			continue
		}
		want, ok := g.Folds[fmt.Sprintf("%04X", cp)]
		if !ok {
			want = string(cp)
		}
		buf = f.Append(buf[:0], []byte(string(cp)))
		if string(buf) != want {
			if bad++; bad <= 20 {
				t.Errorf("fold(U+%04X) = %+q; Python %s says %+q", cp, buf, g.Python, want)
			}
		}
	}
	if bad > 20 {
		t.Errorf("... %d code points differ in all", bad)
	}
}

func BenchmarkFoldAppend(b *testing.B) {
	var f Folder
	in := []byte("Hello WORLD, Straße ΣΑΣ ﬁ")
	out := f.Append(nil, in)
	b.ReportAllocs()
	for b.Loop() {
		out = f.Append(out[:0], in)
	}
}

// TestFoldReusesBuffer: with a buffer of the right size, folding allocates
// nothing — the casefold reply path is allocation-free per message.
func TestFoldReusesBuffer(t *testing.T) {
	var f Folder
	in := []byte("Hello WORLD, Straße ΣΑΣ ﬁ")
	out := f.Append(nil, in)
	if n := testing.AllocsPerRun(100, func() { out = f.Append(out[:0], in) }); n != 0 {
		t.Fatalf("Folder.Append allocates %.1f times per call with a reused buffer", n)
	}
}
