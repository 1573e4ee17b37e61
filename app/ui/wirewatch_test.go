package ui

import (
	"fmt"
	"testing"

	"socketlab/app/msg"
)

// TestWireWatchApply: events land where the page reads them; the record is
// bounded and what is let go is counted.
func TestWireWatchApply(t *testing.T) {
	w := &wireWatch{}
	w.apply(msg.WireEvent{Type: msg.WireHandshake, Handshake: &msg.WireHandshakeInfo{Key: "k"}})
	if w.handshake == nil || w.handshake.Key != "k" {
		t.Fatal("handshake not kept")
	}
	for i := 1; i <= wireKeep+5; i++ {
		w.apply(msg.WireEvent{Type: msg.WireFrameRec, Frame: &msg.WireFrame{N: i}})
	}
	if len(w.frames) != wireKeep || w.frames[0].N != 6 || w.frames[wireKeep-1].N != wireKeep+5 || w.trimmed != 5 {
		t.Fatalf("%d frames from %d, trimmed %d; want the last %d and 5 trimmed", len(w.frames), w.frames[0].N, w.trimmed, wireKeep)
	}
	w.apply(msg.WireEvent{Type: msg.WireFrameRec, Dropped: 3, Frame: &msg.WireFrame{N: 1000}})
	w.apply(msg.WireEvent{Type: msg.WireFrameRec}) // no frame: ignored
	w.apply(msg.WireEvent{Type: msg.WireError, Detail: "fragments: n must be 2…16"})
	w.apply(msg.WireEvent{Type: msg.WireClosed})
	if w.dropped != 3 || len(w.errs) != 1 || w.closed == "" || w.frames[len(w.frames)-1].N != 1000 {
		t.Fatalf("dropped %d, errs %q, closed %q", w.dropped, w.errs, w.closed)
	}
}

// TestWireWatchKeepsTheLastErrors: error notes are bounded too, the latest
// kept in order.
func TestWireWatchKeepsTheLastErrors(t *testing.T) {
	w := &wireWatch{}
	for i := range wireKeepErrs + 3 {
		w.apply(msg.WireEvent{Type: msg.WireError, Detail: fmt.Sprint(i)})
	}
	if len(w.errs) != wireKeepErrs || w.errs[0] != "3" || w.errs[wireKeepErrs-1] != fmt.Sprint(wireKeepErrs+2) {
		t.Fatalf("errs %q, want the last %d", w.errs, wireKeepErrs)
	}
}
