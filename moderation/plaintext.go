package moderation

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// PlainText cleans a single line of untrusted text, such as a title or a
// display name, for storing and showing: it removes control characters
// (tab, CR and LF become spaces), zero-width and bidirectional formatting
// characters, the soft hyphen and the invisible Hangul fillers, normalises
// to NFC, collapses runs of white space to one space and trims the ends.
// Invalid UTF-8 becomes U+FFFD. The result is plain text, still to be
// escaped by the template that shows it.
func PlainText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case unicode.IsControl(r) || invisible(r):
		default:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.FieldsFunc(norm.NFC.String(b.String()), unicode.IsSpace), " ")
}

// invisible reports whether r is a zero-width, bidirectional-control or
// other invisible character that a title or display name must not carry.
func invisible(r rune) bool {
	switch {
	case r >= 0x200B && r <= 0x200F, // zero-width space, ZWNJ, ZWJ, LRM, RLM
		r >= 0x202A && r <= 0x202E, // bidi embeddings and overrides
		r >= 0x2060 && r <= 0x2064, // word joiner, invisible operators
		r >= 0x2066 && r <= 0x2069, // bidi isolates
		r == 0xFEFF,                // byte order mark, zero-width no-break space
		r == 0x00AD,                // soft hyphen
		r == 0x061C,                // Arabic letter mark
		r == 0x115F || r == 0x1160 || r == 0x3164 || r == 0xFFA0: // Hangul fillers
		return true
	}
	return false
}
