package ui

import (
	"crypto/rand"
	"encoding/base64"

	"socketlab/app/msg"
)

// newTapID returns a fresh tap id: msg.WireTapIDLen characters of
// [A-Za-z0-9_-] from the platform's cryptographic source (in the browser,
// crypto.getRandomValues). 22 base64url characters carry 132 bits, the 128
// random bits of 16 bytes: nobody else can guess the id and watch the
// learner's socket.
func newTapID() string {
	b := make([]byte, (msg.WireTapIDLen*6+7)/8)
	rand.Read(b) // never fails (crypto/rand, Go 1.24 and later)
	return base64.RawURLEncoding.EncodeToString(b)[:msg.WireTapIDLen]
}
