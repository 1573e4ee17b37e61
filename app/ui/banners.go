package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// networkBanner tells the person when the browser reports no network, and
// what still works: every page is served from the service worker's cache,
// and chat messages typed now wait in the outbox.
type networkBanner struct {
	app.Compo
	offline bool
	release func()
}

// OnMount subscribes to the browser's online/offline events.
func (b *networkBanner) OnMount(ctx app.Context) {
	b.offline = !app.Window().Get("navigator").Get("onLine").Bool()
	set := func(offline bool) app.Func {
		return app.FuncOf(func(app.Value, []app.Value) any {
			ctx.Dispatch(func(app.Context) { b.offline = offline })
			return nil
		})
	}
	on, off := set(false), set(true)
	app.Window().Call("addEventListener", "online", on)
	app.Window().Call("addEventListener", "offline", off)
	b.release = func() {
		app.Window().Call("removeEventListener", "online", on)
		app.Window().Call("removeEventListener", "offline", off)
		on.Release()
		off.Release()
	}
}

// OnDismount removes the listeners.
func (b *networkBanner) OnDismount() {
	if b.release != nil {
		b.release()
	}
}

// Render shows the banner only while offline.
func (b *networkBanner) Render() app.UI {
	// A component must render one element, so the banner's slot is always
	// there and only its content comes and goes.
	return app.Div().Class("banner-slot").Body(app.If(b.offline, func() app.UI {
		return app.Div().ID("offline").Class("banner", "banner-offline").Aria("role", "status").Body(
			app.Strong().Text("You are offline. "),
			app.Text("Pages still open from the cache; sockets reconnect by themselves when the network is back."),
		)
	}))
}

// updateBanner announces a new deployed version (go-app's OnAppUpdate, fired
// when the service worker has installed a build with a different Version).
type updateBanner struct {
	app.Compo
	available bool
}

// OnMount picks up an update that arrived before this page mounted.
func (b *updateBanner) OnMount(ctx app.Context) { b.available = ctx.AppUpdateAvailable() }

// OnAppUpdate is called by go-app when a new version is ready.
func (b *updateBanner) OnAppUpdate(ctx app.Context) { b.available = ctx.AppUpdateAvailable() }

// Render shows the notice with a reload button.
func (b *updateBanner) Render() app.UI {
	return app.Div().Class("banner-slot").Body(app.If(b.available, func() app.UI {
		return app.Div().ID("update").Class("banner", "banner-update").Aria("role", "status").Body(
			app.Strong().Text("Update available. "),
			app.Text("A new version of socketlab has been deployed. "),
			app.Button().ID("update-reload").Text("Reload").OnClick(func(ctx app.Context, e app.Event) { ctx.Reload() }),
		)
	}))
}
