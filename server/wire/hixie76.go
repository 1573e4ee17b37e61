package wire

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"

	"socketlab/app/msg"
)

// The hixie-76 handshake (draft-hixie-thewebsocketprotocol-76, also
// published as draft-ietf-hybi-thewebsocketprotocol-00), which the classic
// demos spoke: the client hides a number in each of two keys, among random
// characters and as many spaces as the number was multiplied by, and sends
// 8 random bytes after its headers; the server proves it read them with an
// MD5 of both quotients and the 8 bytes. It was replaced because the frames
// that followed had no masking, so a script could make a browser send bytes
// that a transparent proxy took for HTTP and cached (Huang et al., "Talking
// to Yourself for Fun and Profit", 2011), and because 0x00 … 0xFF framing
// could not carry binary data or announce a length.

// Hixie76 computes the server's answer to key1, key2 and key3: each key's
// digits read as one number, divided by the key's spaces, both quotients as
// 32-bit big-endian numbers followed by key3, and the MD5 of those 16
// bytes.
func Hixie76(key1, key2 string, key3 [8]byte) (msg.WireHixie76, error) {
	h := msg.WireHixie76{Key1: key1, Key2: key2, Key3: spacedHex(key3[:])}
	var err error
	if h.Digits1, h.Spaces1, h.Part1, err = hixieKey(key1); err != nil {
		return h, fmt.Errorf("wire: hixie-76 key1: %w", err)
	}
	if h.Digits2, h.Spaces2, h.Part2, err = hixieKey(key2); err != nil {
		return h, fmt.Errorf("wire: hixie-76 key2: %w", err)
	}
	challenge := binary.BigEndian.AppendUint32(nil, h.Part1)
	challenge = binary.BigEndian.AppendUint32(challenge, h.Part2)
	challenge = append(challenge, key3[:]...)
	sum := md5.Sum(challenge)
	h.Challenge, h.Response = spacedHex(challenge), spacedHex(sum[:])
	return h, nil
}

// hixieKey reads one key: its digits, its spaces and their quotient, which
// the draft requires to be exact and to fit in 32 bits.
func hixieKey(key string) (digits uint64, spaces int, part uint32, err error) {
	for _, c := range key {
		switch {
		case c >= '0' && c <= '9':
			if digits > (1<<63)/10 {
				return 0, 0, 0, errors.New("too many digits")
			}
			digits = digits*10 + uint64(c-'0')
		case c == ' ':
			spaces++
		}
	}
	switch {
	case spaces == 0:
		return 0, 0, 0, errors.New("no spaces")
	case digits%uint64(spaces) != 0:
		return 0, 0, 0, fmt.Errorf("%d is not a multiple of %d spaces", digits, spaces)
	case digits/uint64(spaces) > 1<<32-1:
		return 0, 0, 0, fmt.Errorf("%d / %d does not fit in 32 bits", digits, spaces)
	}
	return digits, spaces, uint32(digits / uint64(spaces)), nil
}

// Hixie76For is the hixie-76 handshake a browser of 2010 would have made
// for the same visit: the keys are drawn as the draft's client does
// (section 4.1, step 22 onwards), from a random source seeded with the
// visit's Sec-WebSocket-Key, so the same visit always shows the same keys.
func Hixie76For(visitKey string) msg.WireHixie76 {
	seed := sha256.Sum256([]byte("hixie-76 " + visitKey))
	rng := rand.New(rand.NewChaCha8(seed))
	key1, key2 := hixieMakeKey(rng), hixieMakeKey(rng)
	var key3 [8]byte
	binary.BigEndian.PutUint64(key3[:], rng.Uint64())
	h, err := Hixie76(key1, key2, key3)
	if err != nil {
		// hixieMakeKey builds keys that Hixie76 reads by construction.
		panic(err)
	}
	return h
}

// hixieMakeKey makes one key as the draft's client does: a number of
// spaces from 1 to 12, a random multiple of it that fits in 32 bits written
// in decimal, 1 to 12 random characters (U+0021–U+002F, U+003A–U+007E)
// inserted at random, then the spaces, never first or last.
func hixieMakeKey(rng *rand.Rand) string {
	spaces := 1 + rng.IntN(12)
	number := rng.Uint64N(uint64(4294967295/spaces) + 1)
	key := []byte(fmt.Sprint(number * uint64(spaces)))
	const noise = "!\"#$%&'()*+,-./:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"
	for range 1 + rng.IntN(12) {
		key = insert(key, rng.IntN(len(key)+1), noise[rng.IntN(len(noise))])
	}
	for range spaces {
		key = insert(key, 1+rng.IntN(len(key)-1), ' ')
	}
	return string(key)
}

func insert(b []byte, i int, c byte) []byte {
	b = append(b, 0)
	copy(b[i+1:], b[i:])
	b[i] = c
	return b
}
