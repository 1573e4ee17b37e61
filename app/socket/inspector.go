package socket

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// Inspector keeps the most recent frames of one socket for the wire
// inspector panel: what actually crossed the wire, in order, with the open
// and close events between. It is the model behind the panel every lab page
// shows (app/ui/inspector.go); feed it from Options.OnFrame.
//
// It is not safe for concurrent use: the UI records and reads it on its own
// goroutine.
type Inspector struct {
	max     int
	entries []Entry
	next    int
	paused  bool
	missed  int // frames not recorded while paused
	dropped int // frames pushed out of the ring
}

// Entry is one recorded frame with its display form.
type Entry struct {
	Frame
	// N numbers entries from 1 in arrival order, across clears, so that a
	// person can refer to "frame 12".
	N int
	// Pretty is the payload for display: JSON indented, anything else as is.
	Pretty string
}

// KeepMax is how many bytes of a payload the inspector keeps; Size still
// tells the whole length. Larger payloads are shown as received, not
// pretty-printed.
const KeepMax = 64 << 10

// NewInspector keeps the last max frames (200 when max ≤ 0).
func NewInspector(max int) *Inspector {
	if max <= 0 {
		max = 200
	}
	return &Inspector{max: max}
}

// Record adds a frame unless the inspector is paused.
func (in *Inspector) Record(f Frame) {
	if in.paused {
		in.missed++
		return
	}
	in.next++
	if len(f.Data) > KeepMax {
		// Keep what a person can read, not every byte of a large batch.
		f.Data, _ = Fold(f.Data, KeepMax)
	}
	e := Entry{Frame: f, N: in.next, Pretty: f.Data}
	if f.Dir != Event && !f.Binary && f.Size <= KeepMax {
		e.Pretty = Pretty(f.Data)
	}
	if len(in.entries) == in.max {
		copy(in.entries, in.entries[1:])
		in.entries = in.entries[:in.max-1]
		in.dropped++
	}
	in.entries = append(in.entries, e)
}

// Entries returns the recorded frames, oldest first. The slice is shared:
// read it, do not keep it.
func (in *Inspector) Entries() []Entry { return in.entries }

// Paused reports whether recording is paused.
func (in *Inspector) Paused() bool { return in.paused }

// SetPaused pauses or resumes recording. Frames that arrive while paused are
// counted, not kept, so the view holds still while a person reads it.
func (in *Inspector) SetPaused(p bool) { in.paused = p }

// Missed is the number of frames not recorded while paused.
func (in *Inspector) Missed() int { return in.missed }

// Dropped is the number of frames pushed out by newer ones.
func (in *Inspector) Dropped() int { return in.dropped }

// Clear forgets every recorded frame and the counters.
func (in *Inspector) Clear() {
	in.entries, in.missed, in.dropped = in.entries[:0], 0, 0
}

// Pretty returns a JSON object or array indented by two spaces, and any
// other text unchanged.
func Pretty(s string) string {
	t := bytes.TrimSpace([]byte(s))
	if len(t) == 0 || (t[0] != '{' && t[0] != '[') || !json.Valid(t) {
		return s
	}
	var b bytes.Buffer
	if err := json.Indent(&b, t, "", "  "); err != nil {
		return s
	}
	return b.String()
}

// Fold shortens s to at most n bytes, cut at a character boundary, and
// reports whether it did; long payloads are folded in the inspector with a
// way to unfold them.
func Fold(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], true
}
