package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// listenWindow adds JavaScript event listeners to the window and returns the
// function that removes them and releases their Go callbacks. Pages call it
// in OnMount and the returned function in OnDismount: a listener left behind
// would keep calling into a dismounted component.
func listenWindow(handlers map[string]func(app.Value)) (release func()) {
	funcs := make(map[string]app.Func, len(handlers))
	for event, h := range handlers {
		f := app.FuncOf(func(_ app.Value, args []app.Value) any {
			var e app.Value
			if len(args) > 0 {
				e = args[0]
			}
			h(e)
			return nil
		})
		funcs[event] = f
		app.Window().Call("addEventListener", event, f)
	}
	return func() {
		for event, f := range funcs {
			app.Window().Call("removeEventListener", event, f)
			f.Release()
		}
	}
}
