package ui

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"socketlab/app/socket"
)

// probeEvery spaces out the questions to /healthz while the server looks
// unreachable: often enough that the banner leaves within seconds of the
// server's return, rarely enough to cost nothing.
const probeEvery = 2 * time.Second

// networkBanner tells the person when the app cannot reach the server, and
// what still works.
//
// Two different things cut a page off, and they read differently. The
// browser may have no network at all (navigator.onLine, the online and
// offline events). Or the network is fine but the server is down or
// restarting: navigator.onLine stays true then, so the banner asks the
// server itself — GET /healthz, past every cache — whenever there is a
// reason to doubt: when it mounts, and while the page's socket is not open.
// It keeps asking every probeEvery until the server answers.
//
// When the server comes back after being away it may be a new deployment,
// so the banner also asks the service worker to look for an update (go-app
// then fires OnAppUpdate and updateBanner shows).
type networkBanner struct {
	app.Compo
	// Socket is the page's socket status; HasSocket is false on pages
	// without a socket. frame sets both on every render.
	Socket    socket.Status
	HasSocket bool

	browserOffline bool
	serverDown     bool // the last probe got no answer
	probing        bool // a probe is in flight
	scheduled      bool // a probe is due after probeEvery
	lastSocket     socket.Status
	release        func()
}

// OnMount subscribes to the browser's online/offline events and asks the
// server once.
func (b *networkBanner) OnMount(ctx app.Context) {
	b.browserOffline = !app.Window().Get("navigator").Get("onLine").Bool()
	b.lastSocket = b.Socket
	set := func(offline bool) func(app.Value) {
		return func(app.Value) {
			ctx.Dispatch(func(ctx app.Context) {
				b.browserOffline = offline
				if !offline {
					b.check(ctx)
				}
			})
		}
	}
	b.release = listenWindow(map[string]func(app.Value){"online": set(false), "offline": set(true)})
	b.check(ctx)
}

// OnDismount removes the listeners. A probe in flight finds the component
// dismounted and stops there (ctx.Dispatch drops it).
func (b *networkBanner) OnDismount() {
	if b.release != nil {
		b.release()
	}
}

// OnUpdate follows the page's socket: open means the server is there; any
// other live state is a reason to ask.
func (b *networkBanner) OnUpdate(ctx app.Context) {
	prev := b.lastSocket
	b.lastSocket = b.Socket
	if !b.HasSocket {
		return
	}
	switch {
	case b.Socket == socket.Open:
		if b.serverDown || prev == socket.Reconnecting || prev == socket.Offline {
			// Back after an absence: the server may have been redeployed.
			app.TryUpdate()
		}
		b.serverDown = false
	case b.doubt():
		b.check(ctx)
	}
}

// doubt reports whether the server may be unreachable.
func (b *networkBanner) doubt() bool {
	return b.serverDown || (b.HasSocket && (b.Socket == socket.Connecting || b.Socket == socket.Reconnecting))
}

// check probes the server unless a probe is already running or due, or the
// browser has no network (then there is nothing to learn).
func (b *networkBanner) check(ctx app.Context) {
	if b.probing || b.scheduled || b.browserOffline {
		return
	}
	b.probing = true
	probeServer(func(ok bool) {
		ctx.Dispatch(func(ctx app.Context) {
			b.probing = false
			if ok && b.serverDown {
				app.TryUpdate()
			}
			b.serverDown = !ok
			if b.doubt() {
				b.scheduled = true
				ctx.After(probeEvery, func(ctx app.Context) {
					b.scheduled = false
					b.check(ctx)
				})
			}
		})
	})
}

// probeServer asks GET /healthz, bypassing the HTTP cache (the service
// worker does not cache it either), and reports whether the server answered
// 2xx. done runs on the JavaScript event loop; hand it to the UI goroutine.
func probeServer(done func(ok bool)) {
	var then, catch app.Func
	finish := func(ok bool) {
		then.Release()
		catch.Release()
		done(ok)
	}
	then = app.FuncOf(func(_ app.Value, args []app.Value) any {
		finish(len(args) > 0 && args[0].Get("ok").Bool())
		return nil
	})
	catch = app.FuncOf(func(app.Value, []app.Value) any {
		finish(false)
		return nil
	})
	app.Window().Call("fetch", "/healthz", map[string]any{"cache": "no-store"}).
		Call("then", then, catch)
}

// Render shows the banner only while the server is out of reach.
func (b *networkBanner) Render() app.UI {
	// A component must render one element, so the banner's slot is always
	// there and only its content comes and goes.
	var body app.UI
	switch {
	case b.browserOffline:
		body = offlineBanner("network", "You are offline.",
			" Every page still opens from the app's cache; the labs need the network, "+
				"and their sockets reconnect on their own when it is back.")
	case b.serverDown:
		body = offlineBanner("server", "Server unreachable.",
			" You are using the cached app: pages still open, but nothing is sent or received "+
				"until the server is back. The sockets reconnect on their own.")
	}
	return app.Div().Class("banner-slot").Aria("live", "polite").Body(body)
}

// offlineBanner is the banner for one reason the labs are cut off: the
// same element either way, so that tests and styles find it by its id and
// tell the reasons apart by data-reason.
func offlineBanner(reason, title, text string) app.UI {
	return app.Div().ID("offline").Class("banner", "banner-offline").DataSet("reason", reason).Body(
		app.P().Body(app.Strong().Text(title), app.Text(text)),
	)
}
