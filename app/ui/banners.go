package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// updateBanner announces a new deployed version: a service worker of a
// different Version has taken over the page or waits to. Reloading then
// loads the new build from the new worker's cache.
//
// go-app's OnAppUpdate alone is not enough: it also fires on a first visit
// in Firefox and WebKit, when the first worker's clients.claim() sets the
// page's controller before the page sees that worker "activated" (go-app
// reads the controller then, not at load). web/static/update.js checks what
// go-app does not — the page had a controller before, and the new worker's
// cache is of another version — sets window.socketlabUpdateReady and calls
// go-app's update hook again; the notice needs both.
type updateBanner struct {
	app.Compo
	available bool
}

// OnMount picks up an update that arrived before this page mounted.
func (b *updateBanner) OnMount(ctx app.Context) { b.available = updateReady(ctx) }

// OnAppUpdate is called by go-app when it believes a new version is ready,
// and by update.js when it is.
func (b *updateBanner) OnAppUpdate(ctx app.Context) { b.available = updateReady(ctx) }

// updateReady reports whether go-app and update.js agree that a different
// build has been installed.
func updateReady(ctx app.Context) bool {
	return ctx.AppUpdateAvailable() && app.Window().Get("socketlabUpdateReady").Truthy()
}

// Render shows the notice with a reload button.
func (b *updateBanner) Render() app.UI {
	var body app.UI
	if b.available {
		body = app.Div().ID("update").Class("banner", "banner-update").Body(
			app.P().Body(
				app.Strong().Text("Update available."),
				app.Text(" A new version of socketlab has been deployed; reload to use it."),
			),
			app.Button().ID("update-reload").Type("button").Text("Reload").
				OnClick(func(ctx app.Context, e app.Event) { ctx.Reload() }),
		)
	}
	return app.Div().Class("banner-slot").Aria("live", "polite").Body(body)
}
