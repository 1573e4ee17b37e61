package ui

// wireHow is the wire lab's "How it works": the tap, subject and observer,
// and RFC 6455 §5.2's frame header, redrawn.
var wireHow = howto{
	pattern: []string{
		"A tap under the library, not a second WebSocket implementation: coder/websocket speaks the protocol as on every other socket. " +
			"For a socket opened with ?tap=<id>, the server wraps the hijacked TCP connection so that every byte read and written is also " +
			"fed to a passive frame decoder, a stream parser that accepts its input split anywhere. Other sockets pay nothing for it.",
		"Subject and observer: this page opens the socket to be watched, /ws/wire (an echo), and a second one, /ws/wire/watch?id=<id>, " +
			"which receives one record per decoded frame, the handshake and the close frames included. The observer's own frames are never " +
			"tapped, so a report never describes itself. The id is 22 random characters chosen by the page: nobody else can watch, and an " +
			"observer for an unknown id is closed with 1008.",
		"Each frame header: FIN ends a message (a message may be cut into fragments: FIN 0, continuation frames, FIN 1); RSV1 marks a " +
			"compressed message (permessage-deflate); the opcode says text, binary, close, ping or pong; MASK is 1 on every browser frame, " +
			"which then carries a 4-byte masking key; the payload length is written in 7 bits up to 125, else 126 and 16 bits, or 127 and 64 bits.",
		"The same view exists under every lab: open a page's wire inspector and turn on \"frames as the server saw them\"; the page's socket " +
			"reconnects with a tap.",
	},
	label:   "RFC 6455 section 5.2 frame header, bit by bit",
	caption: "The frame header of RFC 6455 §5.2, 32 bits a row; the extended length and the masking key are there only when needed.",
	diagram: ` 0                   1                   2                   3
 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
+-+-+-+-+-------+-+-------------+-------------------------------+
|F|R|R|R| opcode|M| Payload len |    Extended payload length    |
|I|S|S|S|  (4)  |A|     (7)     |   16 bits if len = 126, or    |
|N|V|V|V|       |S|  0…125, or  |   64 bits if len = 127        |
| |1|2|3|       |K|  126 / 127  |                               |
+-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
|   Extended payload length, continued, if len = 127 (64 bits)  |
+ - - - - - - - - - - - - - - - +-------------------------------+
|                               | Masking key, if MASK = 1      |
+-------------------------------+-------------------------------+
| Masking key (continued)       |          Payload data         |
+-------------------------------- - - - - - - - - - - - - - - - +
:                     Payload data continued ...                :
+---------------------------------------------------------------+

"Hello" from a browser:  81 85 37 fa 21 3d 7f 9f 4d 51 58
  81  FIN 1, RSV 000, opcode 1 (text)
  85  MASK 1, length 5
  37 fa 21 3d  masking key
  7f 9f 4d 51 58  "Hello" XOR the key, byte by byte`,
	files: []string{
		"server/conns/tap.go", "server/wire/decoder.go", "server/wire/record.go", "server/wire/tap.go",
		"server/wire/handshake.go", "server/wire/hixie76.go", "server/wire/hub.go", "server/wire/subject.go",
		"server/wire/watch.go", "app/msg/wire.go", "app/ui/wire.go", "app/ui/wireframe.go", "app/ui/inspectortap.go",
	},
}
