package moderation

import (
	"slices"
	"testing"
	"time"
)

// TestRules_Check_Separators: banned terms are found when separators,
// invisible characters, full-width forms or look-alikes split or disguise
// them, and not across a real word boundary.
func TestRules_Check_Separators(t *testing.T) {
	rules := DefaultRules()
	rules.BannedTerms = append(rules.BannedTerms, ParseTerms("ass\nhell")...)
	member := Author{Age: 90 * 24 * time.Hour, ApprovedPosts: 12}
	tests := []struct {
		name, text string
		want       []string // the terms found; nil: published
	}{
		{"hyphen", "이건 씨-발 말이 안 돼요", []string{"씨발"}},
		{"dot", "씨.발", []string{"씨발"}},
		{"space, spaced out", "아 씨 발 진짜", []string{"씨발"}},
		{"underscore", "씨_발", []string{"씨발"}},
		{"several marks", "씨...발!!", []string{"씨발"}},
		{"zero-width space", "씨\u200b발", []string{"씨발"}},
		{"zero-width joiner and word joiner", "씨\u200d\u2060발", []string{"씨발"}},
		{"full-width hyphen", "씨－발", []string{"씨발"}},
		{"middle dot", "씨·발", []string{"씨발"}},
		{"emoji between", "병🌸신", []string{"병신"}},
		{"three syllables, mixed separators", "개-새 끼", []string{"개새끼"}},
		{"Chinese with full stops", "幹。你。娘", []string{"幹你娘"}},
		{"Latin dots", "f.u.c.k this", []string{"fuck"}},
		{"Latin spaced out", "what the f u c k", []string{"fuck"}},
		{"Latin look-alikes", "sh1t and $hit", []string{"shit"}},
		{"Cyrillic look-alike", "fuсk", []string{"fuck"}}, // Cyrillic с
		{"full-width Latin with dots", "ｆ．ｕ．ｃ．ｋ", []string{"fuck"}},
		{"spam phrase with marks", "토토-사이트 추천", []string{"토토사이트"}},
		{"spam phrase split differently", "대출-문의", []string{"대출 문의"}},

		// Real word boundaries: no banned term.
		{"surname then a word", "김씨 발견 소식", nil},
		{"two words touching the term's letters", "이 병 신고는 어디에", nil},
		{"Latin word inside a word", "a classic hello shell", nil},
		{"Latin letters across words", "I wish it, push it", nil},
		{"digits alone are not leet", "455 명", nil},
		{"syllables across a line break in words", "박씨\n발표", nil},
		{"spaced syllables in longer words", "씨앗 발아", nil},
	}
	for _, tt := range tests {
		v := rules.Check(member, Post{Text: tt.text})
		var rulesWant []string
		action := Publish
		if tt.want != nil {
			rulesWant, action = []string{RuleBannedTerm}, Hold
		}
		if v.Action != action || !slices.Equal(v.Rules, rulesWant) || !slices.Equal(v.Terms, tt.want) {
			t.Errorf("%s: Check(%q) = %v %v %q, want %v %v %q", tt.name, tt.text, v.Action, v.Rules, v.Terms, action, rulesWant, tt.want)
		}
	}
}
