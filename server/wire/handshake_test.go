package wire

import (
	"reflect"
	"testing"
)

// TestAcceptRFCSample: RFC 6455 section 1.3's worked example.
func TestAcceptRFCSample(t *testing.T) {
	concat, sha, accept := acceptSteps("dGhlIHNhbXBsZSBub25jZQ==")
	if concat != "dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11" {
		t.Errorf("concat %q", concat)
	}
	// The RFC gives the hash as 0xb3 0x7a 0x4f … 0xea.
	if sha != "b3 7a 4f 2c c0 62 4f 16 90 f6 46 06 cf 38 59 45 b2 be c4 ea" {
		t.Errorf("sha1 %q", sha)
	}
	if accept != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Errorf("accept %q", accept)
	}
}

func TestHandshakeFromRawHeads(t *testing.T) {
	req := "GET /ws/wire?tap=abc HTTP/1.1\r\n" +
		"Host: localhost:8080\r\n" +
		"Cookie: session=secret\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
		"sec-websocket-extensions: permessage-deflate; client_max_window_bits, x-webkit-deflate-frame\r\n" +
		"Authorization: Basic c2VjcmV0\r\n" +
		"Sec-WebSocket-Version: 13\r\n\r\n" +
		"\x81\x85early frame bytes"
	resp := "HTTP/1.1 101 Switching Protocols\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-Websocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" +
		"Sec-Websocket-Extensions: permessage-deflate; client_no_context_takeover; server_no_context_takeover\r\n" +
		"Upgrade: websocket\r\n\r\n"
	got := Handshake([]byte(req), []byte(resp))
	wantReq := []string{
		"GET /ws/wire?tap=abc HTTP/1.1", "Host: localhost:8080", "Cookie: (redacted)", "Upgrade: websocket",
		"Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
		"sec-websocket-extensions: permessage-deflate; client_max_window_bits, x-webkit-deflate-frame",
		"Authorization: (redacted)", "Sec-WebSocket-Version: 13",
	}
	if !reflect.DeepEqual(got.Request, wantReq) {
		t.Errorf("request lines:\n%q\nwant\n%q", got.Request, wantReq)
	}
	if len(got.Response) != 5 || got.Response[0] != "HTTP/1.1 101 Switching Protocols" {
		t.Errorf("response lines %q", got.Response)
	}
	if got.Key != "dGhlIHNhbXBsZSBub25jZQ==" || got.Accept != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" || got.AcceptSent != got.Accept {
		t.Errorf("key %q accept %q sent %q", got.Key, got.Accept, got.AcceptSent)
	}
	if !reflect.DeepEqual(got.Offered, []string{"permessage-deflate; client_max_window_bits", "x-webkit-deflate-frame"}) {
		t.Errorf("offered %q", got.Offered)
	}
	if got.Accepted != "permessage-deflate; client_no_context_takeover; server_no_context_takeover" {
		t.Errorf("accepted %q", got.Accepted)
	}
	if got.Hixie76 != Hixie76For(got.Key) || got.Hixie76.Response == "" {
		t.Errorf("hixie-76 %+v", got.Hixie76)
	}
}

func TestHandshakeOfNothing(t *testing.T) {
	got := Handshake(nil, []byte("garbage without lines"))
	if len(got.Request) != 0 || got.Key != "" || got.AcceptSent != "" || got.Hixie76.Response == "" {
		t.Fatalf("got %+v", got)
	}
}
