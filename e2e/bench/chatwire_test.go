package main

import (
	"encoding/json"
	"testing"

	"socketlab/app/msg"
)

func TestMsgFieldsMatchJSON(t *testing.T) {
	text := benchText(3, 17, 1795492794317000000)
	b, err := json.Marshal(msg.Chat{Type: msg.ChatMsg, Room: "bench", Seq: 4242, ID: "p3-17", Nick: "s3", Text: text, Time: 1795492794317})
	if err != nil {
		t.Fatal(err)
	}
	if typ := frameType(b); typ != msg.ChatMsg {
		t.Fatalf("frameType = %q", typ)
	}
	id, gotText, seq, ok := msgFields(b)
	if !ok || string(id) != "p3-17" || string(gotText) != text || seq != 4242 {
		t.Fatalf("msgFields = %q %q %d %v", id, gotText, seq, ok)
	}
	pub, n, ts, ok := parseBenchText(gotText)
	if !ok || pub != 3 || n != 17 || ts != 1795492794317000000 {
		t.Fatalf("parseBenchText = %d %d %d %v", pub, n, ts, ok)
	}
}

func TestOtherFrames(t *testing.T) {
	for _, c := range []struct {
		env msg.Chat
		seq uint64
		id  string
	}{
		{msg.Chat{Type: msg.ChatSynced, Room: "r", Seq: 7}, 7, ""},
		{msg.Chat{Type: msg.ChatAck, Room: "r", ID: "p0-1", Seq: 9}, 9, "p0-1"},
		{msg.Chat{Type: msg.ChatError, Room: "r", ID: "p1-2", Code: msg.ErrRateLimited, Detail: "slow down"}, 0, "p1-2"},
	} {
		b, _ := json.Marshal(c.env)
		if typ := frameType(b); typ != c.env.Type {
			t.Errorf("%s: frameType = %q", b, typ)
		}
		if seq, ok := seqField(b); c.seq != 0 && (!ok || seq != c.seq) {
			t.Errorf("%s: seq = %d %v", b, seq, ok)
		}
		if id, ok := idField(b); c.id != "" && (!ok || string(id) != c.id) {
			t.Errorf("%s: id = %q %v", b, id, ok)
		}
	}
}

func TestBadFrames(t *testing.T) {
	for _, b := range []string{"", "{}", `{"type":`, `[1]`, `{"room":"x","type":"msg"}`} {
		if typ := frameType([]byte(b)); typ != "" {
			t.Errorf("frameType(%q) = %q", b, typ)
		}
	}
	for _, b := range []string{`{"type":"msg"}`, `{"type":"msg","id":"a","text":"b"}`, `{"type":"msg","id":"a","text":"b","seq":x}`} {
		if _, _, _, ok := msgFields([]byte(b)); ok {
			t.Errorf("msgFields(%q) ok", b)
		}
	}
	for _, s := range []string{"", "p", "q1 2 3", "p1 2", "p-1 2 3", "p1 2 x"} {
		if _, _, _, ok := parseBenchText([]byte(s)); ok {
			t.Errorf("parseBenchText(%q) ok", s)
		}
	}
}
