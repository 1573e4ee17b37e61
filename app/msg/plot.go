package msg

import (
	"encoding/json"
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"
)

// The plot lab streams points to browsers with pull flow control: the server
// never sends a batch the browser has not asked for, so a slow browser is
// never flooded; it simply gets bigger batches.
//
// Producers speak a line protocol, the same over TCP (netcat works) and in
// the body of POST /api/plot/{series}: over TCP the first line is the series
// name, every following line is one point, "x y", two finite floats
// separated by spaces or tabs. A bad line is answered with its number and
// reason ("error line 7: y: \"abc\" is not a number") and the source goes
// on.
//
// On /ws/plot the server speaks first: one PlotHistory message with every
// series and the points it still holds. After that, the client sends one
// request for each message it has finished with (after drawing it), and the
// server answers each request with exactly one PlotBatch holding every point
// appended since that client's cursor. When there is nothing new the server
// holds the request up to PlotWait and then answers with an empty batch,
// which doubles as the heartbeat. A request is the JSON {"type":"next"} or,
// as in the classic plotter, an empty text frame. An example exchange
// (→ server to client, ← client to server):
//
//	→ {"type":"history","ring":10000,"maxSeries":32,"cursor":3,"series":[
//	     {"id":0,"name":"demo","total":3,"points":[[1700000000000,50],[1700000000050,51.5],[1700000000100,52.9]]}]}
//	← {"type":"next"}
//	→ {"type":"batch","cursor":5,"series":[
//	     {"id":0,"name":"demo","total":5,"points":[[1700000000150,54.2],[1700000000200,55.4]]},
//	     {"id":1,"name":"my source","total":0,"points":[]}]}
//	← (an empty text frame)
//	→ {"type":"batch","cursor":5}                  (25 s later: nothing new)
//	← {"type":"next"}
//	   … the page is in a background tab and stops asking for a minute …
//	← {"type":"next"}
//	→ {"type":"batch","cursor":12005,"dropped":2000,"series":[
//	     {"id":0,"name":"demo","total":12005,"dropped":2000,"points":[… the 10000 newest …]}]}
//
// The cursor is the number of points ever appended, across all series: it
// grows by one with every point. The server keeps, per client, how far it
// has delivered each series, so "every point since the cursor" is exact. It
// only keeps the newest Ring points of each series, though: a client that
// waits longer than that loses the oldest ones, and the batch says how many
// in "dropped" (per series and in total) so the page can say so.

// Plot message types, the "type" field of PlotMessage and PlotRequest.
const (
	PlotHistory = "history" // server → client, once per connection, first
	PlotBatch   = "batch"   // server → client, one per request
	PlotError   = "error"   // server → client: a request it could not read
	PlotNext    = "next"    // client → server: send the next batch
)

// Limits of the plot lab. The ring and series caps are the server's
// defaults (flags -plot-ring and -plot-max-series); a client learns the
// values in force from the history message.
const (
	// PlotRing is how many of its newest points each series keeps.
	PlotRing = 10000
	// PlotMaxSeries caps the number of series; a source naming a new series
	// past it is refused.
	PlotMaxSeries = 32
	// PlotMaxLine is the longest line a producer may send, in bytes, not
	// counting the line ending. "x y" with two float64 written in full is
	// under 50 bytes; the rest is slack for spaces.
	PlotMaxLine = 256
	// PlotMaxName is the longest series name, in bytes.
	PlotMaxName = 64
	// PlotWait is how long the server holds a request when there is nothing
	// new before it answers with an empty batch. It stays under the usual
	// 30–60 s idle timeouts of proxies, so the empty batch is a heartbeat.
	PlotWait = 25 * time.Second
	// PlotRequestLimit is the largest message the server reads on /ws/plot;
	// a request is a dozen bytes.
	PlotRequestLimit = 1 << 10
	// PlotMaxInFlight caps the requests a client may have waiting; a client
	// that means well has one.
	PlotMaxInFlight = 64
	// PlotMaxBody is the largest POST /api/plot/{series} body, in bytes.
	PlotMaxBody = 1 << 20
)

// PlotPoint is one point, x then y. It travels as a two-element JSON array.
type PlotPoint [2]float64

// PlotSeries is one series inside a history or batch message.
type PlotSeries struct {
	// ID is the series' index in creation order, stable for the life of the
	// server; the page derives the series' colour from it.
	ID   int    `json:"id"`
	Name string `json:"name"`
	// Total is how many points the series has ever received.
	Total uint64 `json:"total"`
	// Points are the points this client has not had yet, oldest first.
	Points []PlotPoint `json:"points"`
	// Dropped is how many points of this series the client will never get:
	// they were pushed out of the ring before the client asked for them.
	Dropped uint64 `json:"dropped,omitempty"`
}

// PlotMessage is everything the server sends on /ws/plot.
type PlotMessage struct {
	Type string `json:"type"`
	// Ring and MaxSeries are the server's limits; history only.
	Ring      int `json:"ring,omitempty"`
	MaxSeries int `json:"maxSeries,omitempty"`
	// Cursor counts every point appended to any series up to this message.
	Cursor uint64 `json:"cursor"`
	// Dropped is the sum of the series' Dropped.
	Dropped uint64 `json:"dropped,omitempty"`
	// Series lists the series with news for this client: new points, or a
	// series it has not seen yet (which may have no points). History lists
	// every series.
	Series []PlotSeries `json:"series,omitempty"`
	// Error says what was wrong with a request; type "error" only.
	Error string `json:"error,omitempty"`
}

// PlotRequest is what the client sends on /ws/plot: {"type":"next"}.
type PlotRequest struct {
	Type string `json:"type"`
}

// ParsePlotRequest checks one client message: an empty text frame or
// {"type":"next"}. Anything else is an error that says what was expected.
func ParsePlotRequest(data []byte) error {
	if len(data) == 0 {
		return nil
	}
	var r PlotRequest
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf(`want {"type":"next"} or an empty message: %w`, err)
	}
	if r.Type != PlotNext {
		return fmt.Errorf(`unknown request type %q: want {"type":"next"}`, r.Type)
	}
	return nil
}

// CheckPlotName validates a series name: 1 to PlotMaxName bytes of UTF-8,
// no control characters, not only spaces. The caller trims it first.
func CheckPlotName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("series name is empty")
	case len(name) > PlotMaxName:
		return fmt.Errorf("series name is %d bytes, longer than %d", len(name), PlotMaxName)
	case !utf8.ValidString(name):
		return fmt.Errorf("series name is not valid UTF-8")
	}
	blank := true
	for _, r := range name {
		if unicode.IsControl(r) {
			return fmt.Errorf("series name contains the control character %U", r)
		}
		if !unicode.IsSpace(r) {
			blank = false
		}
	}
	if blank {
		return fmt.Errorf("series name is blank")
	}
	return nil
}
