package moderation

import "testing"

func TestPlainText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain korean", "의료 접근성 개선", "의료 접근성 개선"},
		{"trims and collapses", "  a \t\t b\r\n\nc  ", "a b c"},
		{"newlines become spaces", "첫줄\n둘째줄", "첫줄 둘째줄"},
		{"other controls removed", "a\x00b\x07c\x1bd\u0085e", "abcde"},
		{"zero width removed", "Min\u200bis\u200ctry\u200d\u2060\ufeff", "Ministry"},
		{"bidi removed", "\u202eevil\u202c \u2066x\u2069 \u200f", "evil x"},
		{"soft hyphen and hangul filler removed", "adm\u00adin \u3164", "admin"},
		{"nbsp and ideographic space collapse", "a\u00a0\u00a0b\u3000c", "a b c"},
		{"nfc composes jamo", "\u1100\u1161\u11a8", "각"},
		{"nfc composes accents", "e\u0301", "é"},
		{"html is left as text", "<b>x</b> & y", "<b>x</b> & y"},
		{"invalid utf-8 replaced", "a\xffb", "a\uFFFDb"},
		{"only invisible", "\u200b\u202e \t", ""},
		{"emoji kept", "정책 👍", "정책 👍"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PlainText(tt.in); got != tt.want {
				t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
