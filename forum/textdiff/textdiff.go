// Package textdiff compares two versions of a text the way a reader does:
// word by word where words are separated by spaces, and character by
// character inside runs of Hangul, Han, Hiragana and Katakana, where a
// single syllable can be the whole change. It runs github.com/sergi/go-diff
// over tokens instead of bytes and returns the kept, inserted and deleted
// runs, for a template to draw (and escape). It imports nothing of the
// forum's.
package textdiff

import (
	"strings"
	"time"
	"unicode"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Kind says what one Op does to the text.
type Kind int

// The kinds of Op.
const (
	Equal  Kind = iota // kept
	Insert             // only in the new text
	Delete             // only in the old text
)

// Op is one run of text that was kept, inserted or deleted.
type Op struct {
	Kind Kind
	Text string
}

// Inserted reports whether o is text only in the new version.
func (o Op) Inserted() bool { return o.Kind == Insert }

// Deleted reports whether o is text only in the old version.
func (o Op) Deleted() bool { return o.Kind == Delete }

// timeout bounds the diff of two very different long texts: past it, the
// diff stays correct but coarser (larger runs marked changed).
const timeout = 2 * time.Second

// Diff returns the operations that turn old into new, word-level and
// character-level inside CJK runs. Concatenating the Equal and Delete runs
// gives old; the Equal and Insert runs give new.
func Diff(old, new string) []Op {
	if old == new {
		if old == "" {
			return nil
		}
		return []Op{{Equal, old}}
	}
	var tokens []string
	index := map[string]rune{}
	encode := func(s string) []rune {
		parts := Tokens(s)
		out := make([]rune, len(parts))
		for i, t := range parts {
			r, ok := index[t]
			if !ok {
				r = tokenRune(len(tokens))
				index[t] = r
				tokens = append(tokens, t)
			}
			out[i] = r
		}
		return out
	}
	a, b := encode(old), encode(new)
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = timeout
	diffs := dmp.DiffMainRunes(a, b, false)
	diffs = dmp.DiffCleanupSemantic(diffs)
	ops := make([]Op, 0, len(diffs))
	for _, d := range diffs {
		var sb strings.Builder
		for _, r := range d.Text {
			sb.WriteString(tokens[runeIndex(r)])
		}
		if sb.Len() == 0 {
			continue
		}
		k := Equal
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			k = Insert
		case diffmatchpatch.DiffDelete:
			k = Delete
		}
		if n := len(ops); n > 0 && ops[n-1].Kind == k {
			ops[n-1].Text += sb.String()
			continue
		}
		ops = append(ops, Op{k, sb.String()})
	}
	return ops
}

// tokenRune is the stand-in rune of the i-th distinct token; it skips the
// surrogate range, which a Go string cannot hold.
func tokenRune(i int) rune {
	r := rune(i) + 1
	if r >= 0xD800 {
		r += 0x800
	}
	return r
}

// runeIndex undoes tokenRune.
func runeIndex(r rune) int {
	if r >= 0xE000 {
		r -= 0x800
	}
	return int(r) - 1
}

// cjk reports whether r belongs to a script written without spaces
// between words, where the diff goes character by character.
func cjk(r rune) bool {
	return unicode.In(r, unicode.Hangul, unicode.Han, unicode.Hiragana, unicode.Katakana)
}

// word reports whether r continues a space-separated word.
func word(r rune) bool {
	return !cjk(r) && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '\'' || r == '’')
}

// Tokens splits s into the units Diff compares: each CJK character alone,
// words of other scripts whole, each run of white space, and each other
// character (punctuation, symbols) alone. Their concatenation is s.
func Tokens(s string) []string {
	var out []string
	start := -1 // start of the word or space run being read
	space := false
	flush := func(end int) {
		if start >= 0 {
			out = append(out, s[start:end])
			start = -1
		}
	}
	for i, r := range s {
		switch {
		case word(r):
			if start >= 0 && space {
				flush(i)
			}
			if start < 0 {
				start, space = i, false
			}
		case unicode.IsSpace(r):
			if start >= 0 && !space {
				flush(i)
			}
			if start < 0 {
				start, space = i, true
			}
		default:
			flush(i)
			out = append(out, string(r))
		}
	}
	flush(len(s))
	return out
}

// ChangedPercent is how much of the text the change from old to new
// touched, 0 to 100: the larger of the characters deleted and inserted,
// over the longer of the two texts, rounded up (a change of one character
// is never 0). Identical texts give 0; anything from or to an empty text, 100.
func ChangedPercent(old, new string) int {
	if old == new {
		return 0
	}
	var del, ins int
	for _, op := range Diff(old, new) {
		switch op.Kind {
		case Delete:
			del += len([]rune(op.Text))
		case Insert:
			ins += len([]rune(op.Text))
		}
	}
	total := max(len([]rune(old)), len([]rune(new)))
	return (100*max(del, ins) + total - 1) / total
}

// Changed reports whether ops change anything.
func Changed(ops []Op) bool {
	for _, op := range ops {
		if op.Kind != Equal {
			return true
		}
	}
	return false
}
