package ui

import (
	"context"
	"net/url"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"socketlab/app/msg"
	"socketlab/app/socket"
)

// socketURL turns an endpoint path, with an optional query
// ("/ws/wire?tap=…"), into the ws:// or wss:// URL on the page's own
// origin: same host, same port, wss when the page is https.
func socketURL(path string) string {
	u := *app.Window().URL()
	u.Scheme = map[string]string{"https": "wss"}[u.Scheme]
	if u.Scheme == "" {
		u.Scheme = "ws"
	}
	path, query, _ := strings.Cut(path, "?")
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: path, RawQuery: query}).String()
}

// live connects a page to its socket for as long as the page is mounted.
//
// Every socket callback is dispatched onto the page's UI goroutine
// (socket.Options.Dispatch = ctx.Dispatch), OnOpen and OnClose included,
// so page code never runs anywhere else. live follows the browser's
// online/offline events, feeds the wire inspector's record, and stops
// everything in stop (call it from OnDismount).
type live struct {
	conn    *socket.Conn
	insp    *socket.Inspector
	cancel  context.CancelFunc
	release func()
	// rev counts changes to what the inspector shows (a frame recorded,
	// the server's view updated): the inspector component re-renders when
	// it moves (inspector.go).
	rev int

	// ctx and path are the page's, kept for "frames as the server saw
	// them", which redials path with a tap (inspectortap.go).
	ctx  app.Context
	path string
	tap  serverView
}

// dispatcher runs f on ctx's UI goroutine, for socket.Options.Dispatch.
func dispatcher(ctx app.Context) func(func()) {
	return func(f func()) { ctx.Dispatch(func(app.Context) { f() }) }
}

// connect starts a socket for the page at path. The callbacks in opts are
// called on the UI goroutine.
func connect(ctx app.Context, path string, opts socket.Options) *live {
	l := &live{insp: socket.NewInspector(200), ctx: ctx, path: path}
	opts.Dispatch = dispatcher(ctx)
	// Every frame goes to the wire inspector first, then to the page;
	// open and close reach the inspector's server view before the page.
	onFrame, onOpen, onClose := opts.OnFrame, opts.OnOpen, opts.OnClose
	opts.OnFrame = func(f socket.Frame) {
		l.insp.Record(f)
		l.rev++
		if onFrame != nil {
			onFrame(f)
		}
	}
	opts.OnOpen = func(c *socket.Conn) {
		l.tap.opened(c.URL())
		if onOpen != nil {
			onOpen(c)
		}
	}
	opts.OnClose = func(code msg.CloseCode, reason string) {
		l.tap.closed(l, code, reason)
		if onClose != nil {
			onClose(code, reason)
		}
	}
	l.conn = socket.New(socketURL(path), opts)
	l.conn.SetOnline(app.Window().Get("navigator").Get("onLine").Bool())
	l.release = listenWindow(map[string]func(app.Value){
		"online":  func(app.Value) { l.conn.SetOnline(true) },
		"offline": func(app.Value) { l.conn.SetOnline(false) },
	})
	var runCtx context.Context
	runCtx, l.cancel = context.WithCancel(context.Background())
	ctx.Async(func() { l.conn.Run(runCtx) })
	return l
}

// stop closes the socket and detaches the listeners. Safe on a nil *live.
func (l *live) stop() {
	if l == nil {
		return
	}
	l.conn.Close()
	l.cancel()
	l.release()
	l.tap.watch.close()
}
