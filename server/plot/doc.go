// Package plot serves the plot lab: live series fed by plain TCP clients
// (netcat works), by HTTP POSTs and by a built-in demo source, streamed to
// browsers on /ws/plot with pull flow control.
//
// Everything meets in a Store: a bounded ring of recent points per series
// and a cap on the number of series. Producers append to it:
//
//   - TCPIngest: the line protocol on a TCP port (first line the series
//     name, then "x y" lines), answering bad lines on the same connection;
//   - PostHandler: POST /api/plot/{series} with the same "x y" lines;
//   - Demo: a sine wave with noise, so the page is alive out of the box.
//
// Handler serves /ws/plot. A browser gets the history, then asks for each
// next batch after it has drawn the last one; the server answers with every
// point since that browser's cursor, or holds the request (bounded) until
// there is one — as a timer and a store watch, not a waiting goroutine
// (answer.go), so an idle page's socket costs one parked reader. A browser that stops asking costs only its cursor: nothing
// is queued for it, and when it asks again it gets everything still in the
// ring in one batch, with a count of what it missed. The wire format is in
// app/msg (plot.go); the page is app/ui/plot.go.
package plot
