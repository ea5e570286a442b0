// Package search turns Korean, Chinese, Japanese and Latin text into search
// tokens, and marks the matches of a query in a text for snippets. It is pure:
// no SQL, no HTTP.
package search

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// isCJK reports whether r is written without spaces between words: Hangul,
// Han ideographs and Kana. Runs of them are indexed as overlapping bigrams.
func isCJK(r rune) bool {
	return unicode.Is(unicode.Hangul, r) || unicode.Is(unicode.Han, r) ||
		unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r)
}

// isWord reports whether r belongs to a Latin (or other spaced-script) word.
func isWord(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// fold NFKC-normalises text and lower-cases it, so full-width letters,
// compatibility jamo and case variants meet. Bytes that are not UTF-8 become
// a space first (they only ever separated tokens): left in, they stop the
// normaliser short of the character after them, and a document would fold
// differently from the same text typed as a query ("\xf3ǅ" kept "ǆ", whose
// own fold is "dž").
func fold(text string) string {
	return strings.ToLower(norm.NFKC.String(strings.ToValidUTF8(text, " ")))
}

// Tokens returns the search tokens of text: every run of Hangul, Han or Kana
// becomes its overlapping bigrams (a one-character run becomes that
// character), and other letters and digits become lower-cased words.
// Punctuation, symbols and spaces only separate tokens. Documents and queries
// go through the same function.
func Tokens(text string) []string {
	var out []string
	var run []rune
	cjk := false
	flush := func() {
		switch {
		case len(run) == 0:
		case !cjk:
			out = append(out, string(run))
		case len(run) == 1:
			out = append(out, string(run))
		default:
			for i := 0; i+1 < len(run); i++ {
				out = append(out, string(run[i:i+2]))
			}
		}
		run = run[:0]
	}
	for _, r := range fold(text) {
		switch {
		case isCJK(r):
			if !cjk {
				flush()
			}
			cjk = true
			run = append(run, r)
		case isWord(r):
			if cjk {
				flush()
			}
			cjk = false
			run = append(run, r)
		default:
			flush()
		}
	}
	flush()
	return out
}

// Document returns the tokens of text joined by spaces, the form stored in
// the full-text index.
func Document(text string) string {
	return strings.Join(Tokens(text), " ")
}

// Query returns an FTS5 MATCH expression that finds documents containing
// every token of text, and false when text has no tokens (empty or only
// punctuation). A lone CJK character also matches the bigrams it starts.
func Query(text string) (string, bool) { return match(text, " AND ") }

// AnyQuery returns an FTS5 MATCH expression that finds documents containing
// any token of text — for ranking near matches, such as similar titles — and
// false when text has no tokens.
func AnyQuery(text string) (string, bool) { return match(text, " OR ") }

// Term is one distinct token of a query. A Prefix term (a lone CJK
// character) matches every document token that starts with it.
type Term struct {
	Text   string
	Prefix bool
}

// Terms returns the distinct tokens of a query text in order, each marked
// whether it matches as a prefix: the terms Query and AnyQuery match.
func Terms(text string) []Term {
	var out []Term
	seen := map[string]bool{}
	for _, t := range Tokens(text) {
		if seen[t] {
			continue
		}
		seen[t] = true
		r := []rune(t)
		out = append(out, Term{Text: t, Prefix: len(r) == 1 && isCJK(r[0])})
	}
	return out
}

// TSQuery is Query for PostgreSQL: the text of a tsquery, for
// to_tsquery('simple', ...) over the tokens Document stores, that finds
// documents containing every token of text, and false when text has no
// tokens. Each token is quoted (a quote or backslash in it escaped), so no
// text of the query is read as an operator; a lone CJK character is a
// prefix (:*), as in Query.
func TSQuery(text string) (string, bool) { return tsquery(text, " & ") }

// AnyTSQuery is AnyQuery for PostgreSQL: a tsquery text (TSQuery) finding
// documents containing any token of text.
func AnyTSQuery(text string) (string, bool) { return tsquery(text, " | ") }

func tsquery(text, op string) (string, bool) {
	terms := Terms(text)
	if len(terms) == 0 {
		return "", false
	}
	quote := strings.NewReplacer(`\`, `\\`, `'`, `''`)
	parts := make([]string, 0, len(terms))
	for _, t := range terms {
		p := `'` + quote.Replace(t.Text) + `'`
		if t.Prefix {
			p += ":*"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, op), true
}

func match(text, op string) (string, bool) {
	terms := Terms(text)
	if len(terms) == 0 {
		return "", false
	}
	parts := make([]string, 0, len(terms))
	for _, t := range terms {
		p := `"` + strings.ReplaceAll(t.Text, `"`, `""`) + `"`
		if t.Prefix {
			p += "*"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, op), true
}

// Segment is one piece of a snippet: plain text, or a match to highlight.
// Text is unescaped; whoever renders it escapes it.
type Segment struct {
	Text string `json:"text"`
	Mark bool   `json:"mark,omitempty"`
}

// Snippet returns about width characters of text around its first match of
// query, split into segments with every match of a query token marked. Text
// with no match gives its beginning, unmarked. Whitespace is collapsed.
func Snippet(text, query string, width int) []Segment {
	src := []rune(strings.Join(strings.Fields(norm.NFKC.String(text)), " "))
	low := make([]rune, len(src))
	for i, r := range src {
		low[i] = unicode.ToLower(r)
	}
	mark := make([]bool, len(src))
	first := -1
	for _, tok := range Tokens(query) {
		t := []rune(tok)
		latin := !isCJK(t[0])
		for i := 0; i+len(t) <= len(low); i++ {
			if !equalRunes(low[i:i+len(t)], t) {
				continue
			}
			if latin && ((i > 0 && isWord(low[i-1]) && !isCJK(low[i-1])) ||
				(i+len(t) < len(low) && isWord(low[i+len(t)]) && !isCJK(low[i+len(t)]))) {
				continue
			}
			for j := i; j < i+len(t); j++ {
				mark[j] = true
			}
			if first < 0 || i < first {
				first = i
			}
		}
	}
	if width <= 0 {
		width = 160
	}
	start := 0
	if first > width/3 {
		start = first - width/3
	}
	end := min(start+width, len(src))
	if end-start < width {
		start = max(0, end-width)
	}
	var segs []Segment
	if start > 0 {
		segs = append(segs, Segment{Text: "…"})
	}
	for i := start; i < end; {
		j := i
		for j < end && mark[j] == mark[i] {
			j++
		}
		if n := len(segs); n > 0 && segs[n-1].Mark == mark[i] {
			segs[n-1].Text += string(src[i:j])
		} else {
			segs = append(segs, Segment{Text: string(src[i:j]), Mark: mark[i]})
		}
		i = j
	}
	if end < len(src) {
		if n := len(segs); n > 0 && !segs[n-1].Mark {
			segs[n-1].Text += "…"
		} else {
			segs = append(segs, Segment{Text: "…"})
		}
	}
	return segs
}

func equalRunes(a, b []rune) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
