package ui

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"socketlab/app/msg"
	"socketlab/app/socket"
)

// wireKeep is how many frame records a page keeps; older ones are counted,
// not shown (the 70 000-byte preset is two frames, a long chat session
// thousands).
const wireKeep = 300

// wireWatch is the observer side of a tap: a socket to msg.WireWatchPath
// that receives the records of every frame of one subject socket, as the
// server's decoder saw them. The wire page and every inspector's "frames as
// the server saw them" use it. Its fields are read and written on the UI
// goroutine only.
type wireWatch struct {
	id   string
	conn *socket.Conn
	stop context.CancelFunc

	handshake *msg.WireHandshakeInfo
	frames    []msg.WireFrame
	// dropped counts records the server could not send (its backlog was
	// full); trimmed the ones this page let go past wireKeep.
	dropped, trimmed int
	closed           string // the subject's TCP connection ended: why
	errs             []string
	ended            string // the observer socket itself closed: code and reason
	// rev counts the changes above, for the inspector that shows them
	// (inspector.go).
	rev int
}

// revision is how many times the record changed. Safe on a nil
// *wireWatch.
func (w *wireWatch) revision() int {
	if w == nil {
		return 0
	}
	return w.rev
}

// watchWire opens the observer for tap id. Every change is dispatched to
// the UI goroutine of ctx, so the component re-renders.
func watchWire(ctx app.Context, id string) *wireWatch {
	w := &wireWatch{id: id}
	w.conn = socket.New(socketURL(msg.WireWatchPath+"?id="+id), socket.Options{
		// One observer per tap id: a second dial would be refused
		// (CloseTapInUseReason), and one that ended has nothing to add.
		Once:     true,
		Dispatch: dispatcher(ctx),
		OnMessage: func(_ bool, data []byte) {
			var ev msg.WireEvent
			if err := json.Unmarshal(data, &ev); err != nil {
				w.addErr("unreadable observer message: " + err.Error())
				return
			}
			w.apply(ev)
		},
		OnClose: func(code msg.CloseCode, reason string) {
			w.ended, w.rev = fmt.Sprintf("%v %s", code, reason), w.rev+1
		},
	})
	rctx, cancel := context.WithCancel(context.Background())
	w.stop = cancel
	ctx.Async(func() { w.conn.Run(rctx) })
	return w
}

// apply adds one observer event to the record.
func (w *wireWatch) apply(ev msg.WireEvent) {
	w.rev++
	w.dropped += ev.Dropped
	switch ev.Type {
	case msg.WireHandshake:
		w.handshake = ev.Handshake
	case msg.WireFrameRec:
		if ev.Frame == nil {
			return
		}
		if len(w.frames) == wireKeep {
			copy(w.frames, w.frames[1:])
			w.frames = w.frames[:wireKeep-1]
			w.trimmed++
		}
		w.frames = append(w.frames, *ev.Frame)
	case msg.WireClosed:
		w.closed = ev.Detail
		if w.closed == "" {
			w.closed = "the connection ended"
		}
	case msg.WireError:
		w.addErr(ev.Detail)
	}
}

// wireKeepErrs is how many error notes a page shows, the latest: a
// learner who clicks "server ping" again and again while a ping waits
// gets one error per click, and the notes sit above the frames.
const wireKeepErrs = 5

// addErr notes an error, keeping the last wireKeepErrs.
func (w *wireWatch) addErr(e string) {
	w.rev++
	if len(w.errs) == wireKeepErrs {
		w.errs = append(w.errs[:0], w.errs[1:]...)
	}
	w.errs = append(w.errs, e)
}

// command sends a WireCommand to the server, which acts on the subject.
// Send only queues, so the UI goroutine is not held up; a refusal lands in
// errs.
func (w *wireWatch) command(c msg.WireCommand) {
	b, err := json.Marshal(c)
	if err != nil {
		w.addErr("command: " + err.Error())
		return
	}
	if err := w.conn.Send(b); err != nil {
		w.addErr(fmt.Sprintf("%s not sent: %v", c.Type, err))
	}
}

// close ends the observer. Safe on a nil *wireWatch.
func (w *wireWatch) close() {
	if w == nil {
		return
	}
	w.conn.Close()
	w.stop()
}
