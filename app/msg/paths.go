package msg

// Socket endpoints. Every lab speaks on the same origin as its page, so no
// extra port or proxy rule is needed and the browser's origin check applies.
const (
	HelloPath    = "/ws/hello"
	CasefoldPath = "/ws/casefold"
	ChatPath     = "/ws/chat"
	PlotPath     = "/ws/plot"
)
