package moderation

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// foldTextWhole is foldText as it was written before it normalized a
// segment at a time: NFKC over the whole text at once. foldText must give
// exactly what it gives.
func foldTextWhole(s string) string {
	s = strings.Map(func(r rune) rune {
		if invisible(r) {
			return -1
		}
		return r
	}, s)
	var b strings.Builder
	space := false
	for _, r := range norm.NFKC.String(s) {
		switch {
		case invisible(r):
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = b.Len() > 0
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// foldSeeds are texts where folding does something: compatibility forms,
// combining marks (one more than the stream-safe limit of 30 included),
// Hangul jamo and fillers, invisible characters between a letter and its
// mark, white space of every kind, case, and invalid UTF-8.
var foldSeeds = []string{
	"", " ", "plain text", "  a \t\t b\r\n\nc  ", "Min\u200bis\u200ctry", "e\u0301 \u1100\u1161\u11a8", "\u3164\u115f\u1160\uffa0",
	"e\u200d\u0301", "ＦＵＬＬ　ｗｉｄｔｈ ①②", "ﬁ ㈜ ㎏ Å Ω", "a" + strings.Repeat("\u0301", 31) + "b", "İSTANBUL ΣΑΣ", "a\xffb\x00c\u202e",
	"씨발 ㅅㅂ 대출 문의", "https://Example.COM/ 링크", "\u00ad\u061c\ufeff", "x\u0300\u0323\u0307y",
}

// TestFoldText_SameAsWholeText: normalizing a segment at a time folds every
// seed as normalizing the whole text did, and foldEqual agrees with
// comparing foldText's result, for equal and for different texts.
func TestFoldText_SameAsWholeText(t *testing.T) {
	for _, s := range foldSeeds {
		want := foldTextWhole(s)
		if got := foldText(s); got != want {
			t.Errorf("foldText(%q) = %q, want %q", s, got, want)
		}
		if !foldEqual(s, want) {
			t.Errorf("foldEqual(%q, its own fold %q) = false", s, want)
		}
		for _, other := range foldSeeds {
			if got, want := foldEqual(s, foldTextWhole(other)), want == foldTextWhole(other); got != want {
				t.Errorf("foldEqual(%q, fold of %q) = %v, want %v", s, other, got, want)
			}
		}
		for _, cut := range []int{1, 2} { // a prefix or an extension of the fold is not equal
			if len(want) >= cut && foldEqual(s, want[:len(want)-cut]) {
				t.Errorf("foldEqual(%q, %q) = true for a shorter text", s, want[:len(want)-cut])
			}
		}
		if foldEqual(s, want+"x") {
			t.Errorf("foldEqual(%q, %q) = true for a longer text", s, want+"x")
		}
	}
}

// FuzzFoldText: on any input, folding a segment at a time gives what
// folding the whole text gives, and foldEqual recognizes it.
func FuzzFoldText(f *testing.F) {
	for _, s := range foldSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := foldTextWhole(s)
		if got := foldText(s); got != want {
			t.Fatalf("foldText(%q) = %q, want %q", s, got, want)
		}
		if !foldEqual(s, want) {
			t.Fatalf("foldEqual(%q, %q) = false", s, want)
		}
	})
}

// BenchmarkCheckComment is the content rules over a 400-byte comment by an
// author with fifteen different comments in the duplicate window, the
// default banned terms, as before every post.
func BenchmarkCheckComment(b *testing.B) {
	r := DefaultRules()
	body := strings.Repeat("공공 도서관의 운영 시간을 늘려 주세요. ", 12)
	recent := make([]string, 15)
	for i := range recent {
		recent[i] = strings.Repeat("다른 의견 "+string(rune('가'+i))+" ", 30)
	}
	a := Author{Age: 365 * 24 * 3600e9, ApprovedPosts: 10}
	b.ReportAllocs()
	for b.Loop() {
		if v := r.Check(a, Post{Text: body, Recent: recent}); v.Action != Publish {
			b.Fatal(v)
		}
	}
}
