package casefold

import (
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/transform"
)

// Folder applies full Unicode case folding, the same mapping as Python's
// str.casefold: "Straße" → "strasse", "ΣΑΣ" → "σασ", "ﬁ" → "fi".
// Case folding is for caseless matching, not display: it is not lowercasing
// (ß becomes ss, final sigma becomes σ), and it is locale-independent (the
// Turkish dotted İ folds to "i̇", two code points).
//
// A Folder reuses its transformer between calls, so one per connection keeps
// the reply path free of per-message setup. It is not safe for concurrent use.
// The zero value is ready to use.
type Folder struct {
	// t holds the Caser as an interface once, so that passing it to
	// transform.Append does not box a copy of it on every call.
	t transform.Transformer
}

// Append appends the case folding of the UTF-8 text src to dst and returns
// the extended slice.
func (f *Folder) Append(dst, src []byte) []byte {
	if f.t == nil {
		f.t = cases.Fold()
	}
	// transform.Append resets the transformer and loops on ErrShortDst,
	// growing dst: folding can lengthen text (ß → ss, ΐ → three code points).
	start := len(dst)
	out, _, err := transform.Append(f.t, dst, src)
	if err != nil {
		// cases does not fail on any input; keep the text rather than drop it.
		return append(dst[:start], src...)
	}
	foldCherokee(out[start:])
	return out
}

// foldCherokee rewrites, in place, Cherokee letters to the form that
// CaseFolding.txt (and so Python) folds to. Cherokee is the one script whose
// uppercase was encoded first, so its case folding maps lowercase to
// uppercase (U+AB70 ꭰ → U+13A0 Ꭰ, U+13F8 ᏸ → U+13F0 Ᏸ); cases.Fold maps the
// other way. Both forms are three UTF-8 bytes, so the length is unchanged.
// The all-code-point test against Python found this.
func foldCherokee(b []byte) {
	for i := 0; i < len(b); {
		// Only E1 8F xx (U+13C0–U+13FF) and EA AD/AE xx (U+AB40–U+ABBF) can
		// need rewriting; everything else, invalid bytes included, is
		// stepped over as the decoder sees it.
		if b[i] != 0xE1 && b[i] != 0xEA {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r >= 0xAB70 && r <= 0xABBF:
			utf8.EncodeRune(b[i:], r-0xAB70+0x13A0)
		case r >= 0x13F8 && r <= 0x13FD:
			utf8.EncodeRune(b[i:], r-8)
		}
		i += size
	}
}
