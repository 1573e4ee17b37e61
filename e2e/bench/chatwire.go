package main

import (
	"bytes"
	"strconv"
)

// The load clients must cost as little CPU as they can, or they measure
// themselves: instead of decoding every frame with encoding/json they read
// only the fields they need, by position. That is safe because the server
// marshals msg.Chat, whose fields come in declaration order (type first),
// and because the bench's own ids and texts never contain a quote or a
// backslash. chatwire_test.go checks it against real json.Marshal output.

// frameType returns the envelope type of a server frame, or "" when the
// frame does not start the way json.Marshal of msg.Chat starts.
func frameType(b []byte) string {
	const p = `{"type":"`
	if !bytes.HasPrefix(b, []byte(p)) {
		return ""
	}
	rest := b[len(p):]
	i := bytes.IndexByte(rest, '"')
	if i < 0 {
		return ""
	}
	return string(rest[:i])
}

// msgFields reads id, text and seq from a msg frame.
func msgFields(b []byte) (id, text []byte, seq uint64, ok bool) {
	id, b, ok = stringField(b, `,"id":"`)
	if !ok {
		return nil, nil, 0, false
	}
	text, b, ok = stringField(b, `,"text":"`)
	if !ok {
		return nil, nil, 0, false
	}
	seq, ok = uintField(b, `,"seq":`)
	return id, text, seq, ok
}

// seqField reads the seq of a synced or ack frame.
func seqField(b []byte) (uint64, bool) { return uintField(b, `,"seq":`) }

// idField reads the id of an ack or error frame.
func idField(b []byte) ([]byte, bool) {
	id, _, ok := stringField(b, `,"id":"`)
	return id, ok
}

// stringField returns the value of the first key in b (an unescaped
// string) and what follows it.
func stringField(b []byte, key string) (val, rest []byte, ok bool) {
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return nil, b, false
	}
	b = b[i+len(key):]
	j := bytes.IndexByte(b, '"')
	if j < 0 {
		return nil, b, false
	}
	return b[:j], b[j+1:], true
}

func uintField(b []byte, key string) (uint64, bool) {
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return 0, false
	}
	b = b[i+len(key):]
	j := 0
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		j++
	}
	n, err := strconv.ParseUint(string(b[:j]), 10, 64)
	return n, err == nil
}

// benchText is the text of a bench message: who sent it, its number, and
// when (Unix nanoseconds), so a subscriber can count it and time it.
func benchText(pub, n int, unixNano int64) string {
	return "p" + strconv.Itoa(pub) + " " + strconv.Itoa(n) + " " + strconv.FormatInt(unixNano, 10)
}

// parseBenchText undoes benchText.
func parseBenchText(t []byte) (pub, n int, unixNano int64, ok bool) {
	if len(t) < 2 || t[0] != 'p' {
		return 0, 0, 0, false
	}
	f := bytes.Fields(t[1:])
	if len(f) != 3 {
		return 0, 0, 0, false
	}
	var err1, err2, err3 error
	pub, err1 = strconv.Atoi(string(f[0]))
	n, err2 = strconv.Atoi(string(f[1]))
	unixNano, err3 = strconv.ParseInt(string(f[2]), 10, 64)
	return pub, n, unixNano, err1 == nil && err2 == nil && err3 == nil && pub >= 0 && n >= 0
}
