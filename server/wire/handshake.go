package wire

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"strings"

	"socketlab/app/msg"
)

// acceptGUID is the GUID of RFC 6455 section 1.3 that the server appends to
// the client's key.
const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// redacted reports whether a request header's value is a secret of the
// visitor that never leaves the server.
func redacted(name string) bool {
	switch strings.ToLower(name) {
	case "cookie", "authorization", "proxy-authorization":
		return true
	}
	return false
}

// Handshake builds the record of an opening handshake from its two heads as
// they crossed: request, the client's request line and headers, and
// response, the server's status line and headers (each up to its blank
// line; anything after it is ignored).
func Handshake(request, response []byte) msg.WireHandshakeInfo {
	req, resp := headLines(request), headLines(response)
	info := msg.WireHandshakeInfo{GUID: acceptGUID, Request: make([]string, 0, len(req)), Response: resp}
	for i, l := range req {
		name, value, ok := header(l)
		if i > 0 && ok && redacted(name) {
			l = name + ": (redacted)"
		}
		info.Request = append(info.Request, l)
		if i == 0 || !ok {
			continue
		}
		switch strings.ToLower(name) {
		case "sec-websocket-key":
			info.Key = value
		case "sec-websocket-extensions":
			for _, e := range strings.Split(value, ",") {
				if e = strings.TrimSpace(e); e != "" {
					info.Offered = append(info.Offered, e)
				}
			}
		}
	}
	for _, l := range resp[min(1, len(resp)):] {
		name, value, _ := header(l)
		switch strings.ToLower(name) {
		case "sec-websocket-accept":
			info.AcceptSent = value
		case "sec-websocket-extensions":
			info.Accepted = value
		}
	}
	info.Concat, info.SHA1, info.Accept = acceptSteps(info.Key)
	info.Hixie76 = Hixie76For(info.Key)
	return info
}

// acceptSteps computes Sec-WebSocket-Accept from a key (RFC 6455 section
// 4.2.2, step 5.4), showing each step: the key with the GUID appended, its
// SHA-1 in hex, and that hash in base64.
func acceptSteps(key string) (concat, sha1Hex, accept string) {
	concat = key + acceptGUID
	sum := sha1.Sum([]byte(concat))
	return concat, spacedHex(sum[:]), base64.StdEncoding.EncodeToString(sum[:])
}

// headLines splits an HTTP head into its lines, up to the blank line that
// ends it.
func headLines(head []byte) []string {
	if i := bytes.Index(head, []byte("\r\n\r\n")); i >= 0 {
		head = head[:i]
	}
	if len(head) == 0 {
		return nil
	}
	return strings.Split(string(head), "\r\n")
}

// header splits a header line into its name and trimmed value.
func header(line string) (name, value string, ok bool) {
	name, value, ok = strings.Cut(line, ":")
	return strings.TrimSpace(name), strings.TrimSpace(value), ok
}
