package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// page describes one route: its path, its title in the navigation, and the
// component that renders it.
type page struct {
	path  string
	title string
	new   func() app.Composer
}

// pages lists every page in navigation order. Adding a lab means adding it
// here: the route, the navigation link and the offline cache entry all come
// from this list.
func pages() []page {
	return []page{
		{"/", "Home", func() app.Composer { return &Home{} }},
		{"/hello", "Hello", func() app.Composer { return &Hello{} }},
		{"/casefold", "Casefold", func() app.Composer { return &Casefold{} }},
		{"/plot", "Plot", func() app.Composer { return &Plot{} }},
		{"/chat", "Chat", func() app.Composer { return &Chat{} }},
		{"/wire", "Wire", func() app.Composer { return &Wire{} }},
	}
}

// Routes registers every page with go-app. Both the wasm main and the server
// call it: the browser to know what to render, the server to pre-render
// pages and to answer with 200 instead of "not found".
func Routes() {
	for _, p := range pages() {
		app.Route(p.path, p.new)
	}
}

// Paths returns the path of every page, for the service worker's cache list
// (app.Handler.CacheableResources): a page not listed there would show the
// browser's offline error instead of the app when the server is down.
func Paths() []string {
	var paths []string
	for _, p := range pages() {
		paths = append(paths, p.path)
	}
	return paths
}
