package chat

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"socketlab/app/msg"
)

// joined runs frames through a joiner and returns what it wrote.
func joined(t *testing.T, frames ...string) []string {
	t.Helper()
	var wrote []string
	j := joiner{write: func(b []byte) error { wrote = append(wrote, string(b)); return nil }}
	for _, f := range frames {
		if err := j.add([]byte(f)); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.flush(); err != nil {
		t.Fatal(err)
	}
	return wrote
}

func TestJoinerWritesOneFrameAsItIs(t *testing.T) {
	if got := joined(t, `{"type":"msg","seq":1}`); len(got) != 1 || got[0] != `{"type":"msg","seq":1}` {
		t.Errorf("one frame: wrote %q", got)
	}
	if got := joined(t); len(got) != 0 {
		t.Errorf("nothing gathered: wrote %q", got)
	}
}

func TestJoinerJoinsABatchInOrder(t *testing.T) {
	in := []string{`{"seq":1}`, `{"seq":2}`, `{"seq":3}`}
	got := joined(t, in...)
	if len(got) != 1 {
		t.Fatalf("three frames: wrote %d frames %q, want one", len(got), got)
	}
	var back []string
	for _, e := range msg.ChatEnvelopes([]byte(got[0])) {
		back = append(back, string(e))
	}
	if strings.Join(back, " ") != strings.Join(in, " ") {
		t.Errorf("envelopes %q, want %q", back, in)
	}
}

func TestJoinerKeepsFramesUnderTheBound(t *testing.T) {
	big := `{"text":"` + strings.Repeat("x", 10<<10) + `"}`
	var in []string
	for i := range 10 {
		in = append(in, fmt.Sprintf(`{"seq":%d,`, i)+big[1:])
	}
	huge := `{"text":"` + strings.Repeat("y", maxJoined) + `"}`
	in = append(in, huge, `{"seq":99}`)
	got := joined(t, in...)
	var all [][]byte
	for _, f := range got {
		if len(f) > maxJoined && f != huge {
			t.Errorf("a joined frame of %d bytes, over %d", len(f), maxJoined)
		}
		all = append(all, msg.ChatEnvelopes([]byte(f))...)
	}
	if len(all) != len(in) {
		t.Fatalf("%d envelopes came out of %d", len(all), len(in))
	}
	for i := range in {
		if !bytes.Equal(all[i], []byte(in[i])) {
			t.Fatalf("envelope %d changed or moved", i)
		}
	}
	if len(got) < 4 {
		t.Errorf("%d frames for 110 KB of envelopes: the bound was not applied", len(got))
	}
}
