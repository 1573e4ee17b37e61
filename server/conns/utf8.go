package conns

import "unicode/utf8"

// utf8Stream checks text that arrives in pieces — a message's frames, and
// the library's reads within them — and fails at the first byte that no
// valid UTF-8 can continue, not at the end of the message: RFC 6455
// section 8.1 wants invalid text failed as soon as it is seen, and a
// message held until its end could be megabytes later.
type utf8Stream struct {
	tail [utf8.UTFMax]byte // an incomplete character at the end of the last piece
	tn   int
}

// write checks the next piece and reports whether the text so far can
// still be valid UTF-8.
func (u *utf8Stream) write(p []byte) bool {
	if u.tn > 0 {
		need := seqLen(u.tail[0])
		k := min(need-u.tn, len(p))
		u.tn += copy(u.tail[u.tn:], p[:k])
		p = p[k:]
		if u.tn < need {
			return validPrefix(u.tail[:u.tn])
		}
		if !utf8.Valid(u.tail[:u.tn]) {
			return false
		}
		u.tn = 0
	}
	// An incomplete character at the end waits for the next piece.
	cut := len(p)
	for i := len(p) - 1; i >= 0 && i >= len(p)-(utf8.UTFMax-1); i-- {
		if utf8.RuneStart(p[i]) {
			if p[i] >= 0xC0 && seqLen(p[i]) > len(p)-i {
				cut = i
			}
			break
		}
	}
	if !utf8.Valid(p[:cut]) || !validPrefix(p[cut:]) {
		return false
	}
	u.tn = copy(u.tail[:], p[cut:])
	return true
}

// end reports whether the text ended on a character boundary.
func (u *utf8Stream) end() bool { return u.tn == 0 }

// seqLen is the length of the sequence lead byte b starts (1 when it
// starts none, which the validity check then refuses).
func seqLen(b byte) int {
	switch {
	case b >= 0xF0:
		return 4
	case b >= 0xE0:
		return 3
	case b >= 0xC0:
		return 2
	}
	return 1
}

// validPrefix reports whether p, shorter than the sequence its first byte
// starts, can begin a valid character.
func validPrefix(p []byte) bool {
	if len(p) == 0 {
		return true
	}
	if len(p) == 1 {
		return p[0] >= 0xC2 && p[0] <= 0xF4
	}
	// Complete it with the smallest continuation bytes: a valid prefix
	// stays valid, an overlong, surrogate or too-large one does not.
	var b [utf8.UTFMax]byte
	n := copy(b[:], p)
	for ; n < seqLen(p[0]); n++ {
		b[n] = 0x80
	}
	return utf8.Valid(b[:n])
}
