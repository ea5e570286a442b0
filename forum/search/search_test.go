package search

import (
	"reflect"
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

func FuzzTokens(f *testing.F) {
	for _, s := range []string{"국민 정책", "政府", "AI 정책 proposal", "!!!", "ＡＢＣ", "\xff\xfe"} {
		f.Add(s, "정책")
	}
	f.Fuzz(func(t *testing.T, text, q string) {
		for _, tok := range Tokens(text) {
			if tok == "" || strings.ContainsAny(tok, " \"*") || !utf8.ValidString(tok) {
				t.Fatalf("bad token %q from %q", tok, text)
			}
		}
		if !reflect.DeepEqual(Tokens(text), Tokens(text)) {
			t.Fatal("not deterministic")
		}
		_, _ = Query(q)
		_ = Snippet(text, q, 40)
	})
}
