package socket

import (
	"strings"
	"testing"
)

func TestInspectorRingPauseClear(t *testing.T) {
	in := NewInspector(3)
	for _, d := range []string{"a", "b", "c", "d"} {
		in.Record(Frame{Dir: Received, Data: d, Size: 1})
	}
	got := ""
	for _, e := range in.Entries() {
		got += e.Data
	}
	if got != "bcd" || in.Dropped() != 1 {
		t.Fatalf("ring holds %q (dropped %d), want bcd (1)", got, in.Dropped())
	}
	if n := in.Entries()[2].N; n != 4 {
		t.Fatalf("last entry numbered %d, want 4", n)
	}
	in.SetPaused(true)
	in.Record(Frame{Dir: Sent, Data: "e"})
	if len(in.Entries()) != 3 || in.Missed() != 1 {
		t.Fatalf("recorded while paused: %d entries, %d missed", len(in.Entries()), in.Missed())
	}
	in.SetPaused(false)
	in.Clear()
	if len(in.Entries()) != 0 || in.Missed() != 0 {
		t.Fatal("Clear left entries or counters")
	}
	in.Record(Frame{Dir: Sent, Data: "f"})
	if e := in.Entries()[0]; e.N != 5 {
		t.Fatalf("numbering restarted after Clear: %d", e.N)
	}
}

func TestPretty(t *testing.T) {
	if got := Pretty(`{"type":"say","text":"hi"}`); got != "{\n  \"type\": \"say\",\n  \"text\": \"hi\"\n}" {
		t.Fatalf("Pretty(JSON) = %q", got)
	}
	for _, s := range []string{"Straße", "{not json", "", "42"} {
		if got := Pretty(s); got != s {
			t.Errorf("Pretty(%q) = %q, want it unchanged", s, got)
		}
	}
}

func TestFold(t *testing.T) {
	s := strings.Repeat("ß", 10) // 20 bytes
	short, folded := Fold(s, 5)
	if !folded || short != "ßß" {
		t.Fatalf("Fold = %q, %v; want two whole ß", short, folded)
	}
	if short, folded := Fold("abc", 5); folded || short != "abc" {
		t.Fatalf("Fold of a short text = %q, %v", short, folded)
	}
}

func TestInspectorKeepsAtMostKeepMax(t *testing.T) {
	in := NewInspector(10)
	big := `{"points":[` + strings.Repeat("[1,2],", 20000) + `[1,2]]}`
	in.Record(Frame{Dir: Received, Data: big, Size: len(big)})
	e := in.Entries()[0]
	if len(e.Data) > KeepMax || e.Size != len(big) {
		t.Fatalf("kept %d bytes of %d (Size %d), want at most %d kept and the true size", len(e.Data), len(big), e.Size, KeepMax)
	}
	if strings.Contains(e.Pretty, "\n") {
		t.Fatal("a payload over KeepMax was pretty-printed")
	}
}
