package search

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"국민", []string{"국민"}},
		{"정책", []string{"정책"}},
		{"교통", []string{"교통"}},
		{"政府", []string{"政府"}},
		{"국민청원", []string{"국민", "민청", "청원"}},
		{"AI 정책 proposal", []string{"ai", "정책", "proposal"}},
		{"AI정책Proposal", []string{"ai", "정책", "proposal"}},
		{"국 민", []string{"국", "민"}},
		{"ＡＢＣ　１２３", []string{"abc", "123"}}, // full-width folds (NFKC)
		{"Hello, World! e-people", []string{"hello", "world", "e", "people"}},
		{"すし 政府の", []string{"すし", "政府", "府の"}},
		{"!!! ... ?? ~", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := Tokens(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestQuery(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"국민", `"국민"`, true},
		{"국", `"국"*`, true},
		{"AI 정책 AI", `"ai" AND "정책"`, true},
		{`"); DROP`, `"drop"`, true},
		{"?!", "", false},
	}
	for _, tt := range tests {
		got, ok := Query(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Query(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTSQuery(t *testing.T) {
	tests := []struct {
		in, all, any string
		ok           bool
	}{
		{"국민", `'국민'`, `'국민'`, true},
		{"국", `'국':*`, `'국':*`, true},
		{"AI 정책 AI", `'ai' & '정책'`, `'ai' | '정책'`, true},
		{`'); DROP & !x | y:*`, `'drop' & 'x' & 'y'`, `'drop' | 'x' | 'y'`, true},
		{"?!", "", "", false},
	}
	for _, tt := range tests {
		all, ok := TSQuery(tt.in)
		anyq, anyOK := AnyTSQuery(tt.in)
		if all != tt.all || ok != tt.ok || anyq != tt.any || anyOK != tt.ok {
			t.Errorf("TSQuery(%q) = %q, %v and AnyTSQuery = %q, %v; want %q, %q, %v", tt.in, all, ok, anyq, anyOK, tt.all, tt.any, tt.ok)
		}
	}
}

func TestSnippet(t *testing.T) {
	render := func(segs []Segment) string {
		var b strings.Builder
		for _, s := range segs {
			if s.Mark {
				b.WriteString("[" + s.Text + "]")
			} else {
				b.WriteString(s.Text)
			}
		}
		return b.String()
	}
	tests := []struct {
		text, q string
		width   int
		want    string
	}{
		{"대중교통 정책을 바꿉시다", "정책", 50, "대중교통 [정책]을 바꿉시다"},
		{"Rain and AI policy", "ai", 50, "Rain and [AI] policy"},
		{"<b>국민</b> 청원", "국민", 50, "<b>[국민]</b> 청원"},
		{"aaaa bbbb cccc dddd eeee 정책", "정책", 12, "…dddd eeee [정책]"},
		{"no match here at all", "정책", 8, "no match…"},
	}
	for _, tt := range tests {
		if got := render(Snippet(tt.text, tt.q, tt.width)); got != tt.want {
			t.Errorf("Snippet(%q, %q) = %q, want %q", tt.text, tt.q, got, tt.want)
		}
	}
}

// FuzzTokens checks the tokenizer on any text: every token is non-empty
// valid UTF-8 made only of word or CJK characters (a CJK token one or two
// of them), the stored document tokenizes back to the same tokens (so the
// text as a query agrees with the text as a document), the query expression
// names exactly the distinct tokens, and snippets stay within their width.
func FuzzTokens(f *testing.F) {
	for _, s := range []string{"국민 정책", "政府", "AI 정책 proposal", "!!!", "ＡＢＣ", "\xff\xfe", "국민청원", "İstanbul ǅ ß ﬀ",
		"すし 政府の", `"); DROP TABLE x; --`, "a\u0301 e\u0301", "ᄀ\u1161 ㄱㅏ", "⺀ ᦰ 𞤀"} {
		f.Add(s, "정책", 40)
	}
	f.Fuzz(func(t *testing.T, text, q string, width int) {
		toks := Tokens(text)
		for _, tok := range toks {
			r := []rune(tok)
			if tok == "" || !utf8.ValidString(tok) {
				t.Fatalf("bad token %q from %q", tok, text)
			}
			cjk := isCJK(r[0])
			for _, c := range r {
				if isCJK(c) != cjk || (!cjk && !isWord(c)) {
					t.Fatalf("token %q from %q mixes scripts or holds a separator %q", tok, text, c)
				}
			}
			if cjk && len(r) > 2 {
				t.Fatalf("CJK token %q from %q is longer than a bigram", tok, text)
			}
		}
		if again := Tokens(Document(text)); !reflect.DeepEqual(again, toks) {
			t.Fatalf("document of %q tokenizes to %q, text to %q", text, again, toks)
		}
		expr, ok := Query(text)
		if ok != (len(toks) > 0) {
			t.Fatalf("Query(%q) ok=%v with %d tokens", text, ok, len(toks))
		}
		var want []string
		seen := map[string]bool{}
		for _, tok := range toks {
			if !seen[tok] {
				seen[tok] = true
				want = append(want, tok)
			}
		}
		var got []string
		if ok {
			for _, part := range strings.Split(expr, " AND ") {
				part = strings.TrimSuffix(part, "*")
				if len(part) < 2 || part[0] != '"' || part[len(part)-1] != '"' {
					t.Fatalf("Query(%q) = %q: %q is not a quoted phrase", text, expr, part)
				}
				inner := part[1 : len(part)-1]
				if strings.Count(inner, `"`)%2 != 0 || strings.Contains(strings.ReplaceAll(inner, `""`, ""), `"`) {
					t.Fatalf("Query(%q) = %q: quote not doubled in %q", text, expr, part)
				}
				got = append(got, strings.ReplaceAll(inner, `""`, `"`))
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Query(%q) = %q names %q, want %q", text, expr, got, want)
		}
		tsq, ok := TSQuery(text)
		if ok != (len(toks) > 0) {
			t.Fatalf("TSQuery(%q) ok=%v with %d tokens", text, ok, len(toks))
		}
		got = nil
		if ok {
			for _, part := range strings.Split(tsq, " & ") {
				part = strings.TrimSuffix(part, ":*")
				inner := strings.ReplaceAll(strings.ReplaceAll(part[1:len(part)-1], `''`, ""), `\\`, "")
				if part[0] != '\'' || part[len(part)-1] != '\'' || strings.ContainsAny(inner, `'\`) {
					t.Fatalf("TSQuery(%q) = %q: %q is not a quoted lexeme", text, tsq, part)
				}
				got = append(got, strings.NewReplacer(`''`, `'`, `\\`, `\`).Replace(part[1:len(part)-1]))
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("TSQuery(%q) = %q names %q, want %q", text, tsq, got, want)
		}
		width = width % 1000
		limit := width
		if limit <= 0 {
			limit = 160
		}
		n := 0
		for _, seg := range Snippet(text, q, width) {
			if !utf8.ValidString(seg.Text) || seg.Text == "" {
				t.Fatalf("Snippet(%q, %q) has segment %q", text, q, seg.Text)
			}
			n += utf8.RuneCountInString(seg.Text)
		}
		if n > limit+2 {
			t.Fatalf("Snippet(%q, %q, %d) is %d characters", text, q, width, n)
		}
	})
}

func TestTerms(t *testing.T) {
	got := Terms("AI 정책 ai 국 政府")
	want := []Term{{"ai", false}, {"정책", false}, {"국", true}, {"政府", false}}
	if !slices.Equal(got, want) {
		t.Errorf("Terms = %+v, want %+v", got, want)
	}
	if got := Terms("?!"); len(got) != 0 {
		t.Errorf("Terms(?!) = %+v, want none", got)
	}
}
