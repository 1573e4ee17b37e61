package msg

import (
	"fmt"
	"unicode/utf8"
)

// CloseCode is a WebSocket close status code (RFC 6455 section 7.4). It is
// declared here rather than taken from a WebSocket library so that the UI can
// explain codes without importing one.
type CloseCode int

// The close codes socketlab sends or explains. Browsers may only send 1000 and
// 3000–4999 themselves; the others arrive from the server or are reported by
// the browser when the connection drops.
const (
	CloseNormal          CloseCode = 1000
	CloseGoingAway       CloseCode = 1001
	CloseProtocolError   CloseCode = 1002
	CloseUnsupportedData CloseCode = 1003
	CloseNoStatus        CloseCode = 1005
	CloseAbnormal        CloseCode = 1006
	CloseInvalidPayload  CloseCode = 1007
	ClosePolicyViolation CloseCode = 1008
	CloseTooBig          CloseCode = 1009
	CloseInternalError   CloseCode = 1011
	CloseTryAgainLater   CloseCode = 1013
)

var closeNames = map[CloseCode]string{
	CloseNormal:          "normal closure",
	CloseGoingAway:       "going away",
	CloseProtocolError:   "protocol error",
	CloseUnsupportedData: "unsupported data",
	CloseNoStatus:        "no status",
	CloseAbnormal:        "abnormal closure",
	CloseInvalidPayload:  "invalid payload data",
	ClosePolicyViolation: "policy violation",
	CloseTooBig:          "message too big",
	CloseInternalError:   "internal error",
	CloseTryAgainLater:   "try again later",
	CloseTooSlow:         "too slow",
}

// String returns the code with its RFC 6455 name, such as "1000 normal closure".
func (c CloseCode) String() string {
	if n, ok := closeNames[c]; ok {
		return fmt.Sprintf("%d %s", int(c), n)
	}
	return fmt.Sprintf("%d", int(c))
}

// MaxCloseReason is the longest close reason in bytes: what fits in a close
// frame's 125-byte payload after the 2-byte code (RFC 6455 §5.5).
const MaxCloseReason = 123

// ValidClientClose reports whether a browser may close a socket with code
// and reason. The WebSocket API's close() throws for a code other than 1000
// or 3000–4999 and for a reason over MaxCloseReason bytes; a reason not in
// UTF-8 it would send with U+FFFD for each bad byte, 3 bytes each, so it is
// refused too (RFC 6455 §5.5.1 wants UTF-8 anyway).
func ValidClientClose(code CloseCode, reason string) error {
	if code != CloseNormal && (code < 3000 || code > 4999) {
		return fmt.Errorf("close code %d: a browser may send only 1000 or 3000–4999", int(code))
	}
	if len(reason) > MaxCloseReason {
		return fmt.Errorf("close reason of %d bytes: at most %d fit in a close frame", len(reason), MaxCloseReason)
	}
	if !utf8.ValidString(reason) {
		return fmt.Errorf("close reason %q is not UTF-8", reason)
	}
	return nil
}
