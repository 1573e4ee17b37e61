package plot

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"

	"socketlab/app/msg"
)

// PostPath is the pattern PostHandler is mounted on.
const PostPath = "POST /api/plot/{series}"

// PostHandler appends the "x y" lines of a request body to the series named
// in the path, all or nothing:
//
//	curl --data-binary $'1 2\n3 4\n' http://localhost:8080/api/plot/my%20source
//
// A body with any bad line is refused with 400 and every bad line's number
// and reason (up to maxReported), and nothing is appended, so a retry after
// fixing the file does not duplicate points.
type PostHandler struct {
	Store *Store
	// AllowedOrigins are extra origins (host patterns, as for sockets)
	// whose pages may post; the server's own host always may. A request
	// without an Origin header (curl, scripts) is not a browser's and is
	// accepted. This keeps any web page a visitor has open from writing
	// points into a server on their localhost.
	AllowedOrigins []string
}

// maxReported caps the bad lines listed in a 400 answer.
const maxReported = 20

// ServeHTTP appends the body's points and answers with a one-line summary.
func (h *PostHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.originAllowed(r) {
		http.Error(w, "cross-origin posts are not allowed", http.StatusForbidden)
		return
	}
	name := strings.TrimSpace(r.PathValue("series"))
	if err := msg.CheckPlotName(name); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	body := http.MaxBytesReader(w, r.Body, msg.PlotMaxBody)
	lines := newLineReader(body, msg.PlotMaxLine)
	var points []msg.PlotPoint
	var bad []string
	nbad := 0
	for {
		line, n, err := lines.next()
		if errors.Is(err, io.EOF) {
			break
		}
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			http.Error(w, fmt.Sprintf("body is larger than %d bytes: send it in parts", mbe.Limit), http.StatusRequestEntityTooLarge)
			return
		case errors.Is(err, errLineTooLong):
			err = errors.New(tooLong(msg.PlotMaxLine))
		case err != nil:
			http.Error(w, "reading the body: "+err.Error(), http.StatusBadRequest)
			return
		default:
			var p msg.PlotPoint
			p, err = msg.ParsePlotLine(line)
			if errors.Is(err, msg.ErrBlankLine) {
				continue
			}
			if err == nil {
				points = append(points, p)
				continue
			}
		}
		if nbad++; nbad <= maxReported {
			bad = append(bad, fmt.Sprintf("line %d: %v", n, err))
		}
	}
	if nbad > 0 {
		if nbad > maxReported {
			bad = append(bad, fmt.Sprintf("… and %d more", nbad-maxReported))
		}
		http.Error(w, fmt.Sprintf("%d bad line%s, nothing appended:\n%s", nbad, plural(nbad), strings.Join(bad, "\n")), http.StatusBadRequest)
		return
	}
	if len(points) == 0 {
		http.Error(w, `no points in the body: send lines "x y"`, http.StatusBadRequest)
		return
	}
	id, err := h.Store.Series(name)
	if errors.Is(err, ErrTooManySeries) {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	} else if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h.Store.Append(id, points...)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "appended %d point%s to %q\n", len(points), plural(len(points)), name)
}

// originAllowed applies the same rule as the socket upgrade: no Origin, the
// request's own host, or a listed pattern.
func (h *PostHandler) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, pat := range h.AllowedOrigins {
		if ok, _ := path.Match(strings.ToLower(pat), strings.ToLower(u.Host)); ok {
			return true
		}
	}
	return false
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
