package forum

import (
	"strings"
	"testing"
)

// BenchmarkPasswordScore scores PasswordMax-rune passwords of the shapes
// zxcvbn finds slowest (Hangul and Han repeats, symbol mixes): only the
// first 64 runes are scored, so each costs about one argon2id hash or less.
func BenchmarkPasswordScore(b *testing.B) {
	for _, tc := range []struct{ name, unit string }{
		{"hangul", "가나다라마바사아자차카타파하"},
		{"han", "政府國民參與預算"},
		{"mixed", "x7$kQ9!mZ2"},
		{"words", "plum river "},
	} {
		pw := string([]rune(strings.Repeat(tc.unit, PasswordMax))[:PasswordMax])
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				PasswordScore(pw, "hong@example.kr", "홍길동")
			}
		})
	}
}

// TestPasswordScore_Prefix: a password is scored on its first 64 runes, so
// what follows them changes nothing, and a weak start is refused however
// long the rest.
func TestPasswordScore_Prefix(t *testing.T) {
	strong := "plum river lantern kettle"
	if PasswordScore(strong) < PasswordMinScore {
		t.Fatalf("%q scores %d", strong, PasswordScore(strong))
	}
	weak := strings.Repeat("ab", 32)
	if got := PasswordScore(weak + "plum river lantern kettle 7$q"); got >= PasswordMinScore {
		t.Errorf("weak 64-rune start with a strong tail scores %d", got)
	}
	if got := PasswordScore(string([]byte{'a', 0xff, 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'})); got != 0 {
		t.Errorf("invalid UTF-8 scores %d", got)
	}
}
