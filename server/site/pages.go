package site

import (
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"socketlab/app/ui"
	"socketlab/web"
)

// pageHandler configures go-app: the PWA manifest, the icons, the stylesheet,
// the list of pages the service worker caches for offline use, and the
// version that drives "update available".
func pageHandler(assets *web.Assets, version string) *app.Handler {
	return &app.Handler{
		Name:        "socketlab",
		ShortName:   "socketlab",
		Title:       "socketlab — WebSocket patterns in full-stack Go",
		Description: "A lab of WebSocket patterns in full-stack Go: server push, request/reply, chat and streaming.",
		Lang:        "en",
		Icon: app.Icon{
			Default:  "/web/icon-192.png",
			Large:    "/web/icon-512.png",
			Maskable: "/web/icon-maskable.png",
			SVG:      "/web/icon.svg",
		},
		BackgroundColor: "#111418",
		ThemeColor:      "#1d4e89",
		LoadingLabel:    "Loading socketlab… {progress}%",
		Styles:          []string{"/web/app.css"},
		// loader.js draws the loader's progress as a bar; deferred, so it
		// runs after go-app's app.js has created the label it watches.
		// update.js keeps the update notice true (see its comment); it
		// reads whether the page is controlled while the page is parsed.
		Scripts: []string{"/web/loader.js defer", "/web/update.js defer"},
		// Every route, so that any page reloads from the service worker's
		// cache when the server is down. Icons and styles are added by
		// go-app itself.
		CacheableResources: append(ui.Paths(), "/web/icon.svg"),
		Version:            version,
		WasmContentLength:  strconv.Itoa(assets.WasmSize()),
	}
}
