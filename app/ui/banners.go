package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// updateBanner announces a new deployed version (go-app's OnAppUpdate, fired
// when the service worker has installed a build with a different Version and
// taken over the page). Reloading then loads the new build from the new
// worker's cache.
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
