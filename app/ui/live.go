package ui

import (
	"context"
	"net/url"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

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
// It wraps every socket callback in ctx.Dispatch, so page code only ever runs
// on the UI goroutine, follows the browser's online/offline events, and
// stops everything in stop (call it from OnDismount).
type live struct {
	conn    *socket.Conn
	insp    *socket.Inspector
	cancel  context.CancelFunc
	release func()
	// unfolded holds the numbers of inspector entries shown in full.
	unfolded map[int]bool
	// inspOpen is whether the inspector panel is open.
	inspOpen bool

	// ctx and path are the page's, kept for "frames as the server saw
	// them", which redials path with a tap (inspectortap.go).
	ctx  app.Context
	path string
	tap  serverView
}

// connect starts a socket for the page at path. The callbacks in opts are
// called on the UI goroutine.
func connect(ctx app.Context, path string, opts socket.Options) *live {
	wrap := func(f func()) { ctx.Dispatch(func(app.Context) { f() }) }
	if f := opts.OnStatus; f != nil {
		opts.OnStatus = func(s socket.Status) { wrap(func() { f(s) }) }
	}
	if f := opts.OnMessage; f != nil {
		opts.OnMessage = func(b bool, d []byte) { wrap(func() { f(b, d) }) }
	}
	l := &live{insp: socket.NewInspector(200), unfolded: map[int]bool{}, ctx: ctx, path: path}
	// Every frame goes to the wire inspector first, then to the page.
	f := opts.OnFrame
	opts.OnFrame = func(fr socket.Frame) {
		wrap(func() {
			l.insp.Record(fr)
			l.tap.event(l, fr)
			if f != nil {
				f(fr)
			}
		})
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
