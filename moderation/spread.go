package moderation

import (
	"slices"
	"strings"
	"unicode"
)

// spread is a folded text reduced to its letters and digits for finding
// banned terms written across separators ("씨-발", "씨.발", "f u c k"):
// every other character is dropped, and gap records what stood before
// each kept letter.
type spread struct {
	letters []rune
	// gap[i] is what stood between letters[i-1] and letters[i] (for i = 0,
	// before the first; for i = len(letters), after the last): gapNone,
	// gapMark (only punctuation, symbols, underscores and the like) or
	// gapSpace (white space among them). The start and end of the text
	// count as gapSpace.
	gap []uint8
}

// What separated two letters of a spread text.
const (
	gapNone  = iota // the letters touch
	gapMark         // punctuation or symbols only
	gapSpace        // white space, possibly with marks
)

// spreadText reduces s, already folded by foldText, to a spread. Within a
// word (a run without white space) that holds a Latin letter, look-alikes
// are folded the way ImpersonatesStaff folds them (Cyrillic "а" is "a",
// "$" is "s", "1", "l", "|" and "!" are one letter), so "$hit" and "sh1t"
// are "shit"; a word without a Latin letter keeps its digits, so "455" is
// never "ass".
func spreadText(s string) spread {
	sp := spread{gap: []uint8{gapSpace}}
	for _, word := range strings.Fields(s) {
		runes := []rune(word)
		latin := false
		for i, r := range runes {
			runes[i] = unicode.ToLower(latinLookalike(r))
			latin = latin || unicode.Is(unicode.Latin, runes[i])
		}
		sp.gap[len(sp.gap)-1] = gapSpace
		for _, r := range runes {
			if latin {
				r = letterLookalike(r)
			}
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				if g := &sp.gap[len(sp.gap)-1]; *g == gapNone {
					*g = gapMark
				}
				continue
			}
			sp.letters = append(sp.letters, r)
			sp.gap = append(sp.gap, gapNone)
		}
	}
	sp.gap[len(sp.gap)-1] = gapSpace
	return sp
}

// containsSpread reports whether text holds term with separators between
// its letters. The letters must be the term's, in order. A match whose
// letters are split only by marks ("씨-발", "씨.발", "씨_발", "f*ck"
// would need its own term) counts wherever it is. A match split by white
// space counts only when it also stands apart at both ends ("씨 발", "아 씨
// 발 진짜", "f u c k"): "김씨 발견" (Mr Kim found) holds the letters 씨 and 발
// across a word boundary, and is no banned term. A term that starts or ends
// with a Latin letter or digit matches only as a whole word at that end, as
// containsTerm does. Gaps the term itself has (the space of "대출 문의")
// may be any separator.
func containsSpread(text, term spread) bool {
	n := len(term.letters)
	if n == 0 {
		return false
	}
	for i := 0; i+n <= len(text.letters); i++ {
		if !slices.Equal(text.letters[i:i+n], term.letters) {
			continue
		}
		if latinWord(term.letters[0]) && text.gap[i] == gapNone && i > 0 && latinWord(text.letters[i-1]) {
			continue
		}
		if latinWord(term.letters[n-1]) && text.gap[i+n] == gapNone && i+n < len(text.letters) && latinWord(text.letters[i+n]) {
			continue
		}
		spaced := false
		for j := 1; j < n; j++ {
			if term.gap[j] == gapNone && text.gap[i+j] == gapSpace {
				spaced = true
			}
		}
		if spaced && (text.gap[i] == gapNone || text.gap[i+n] == gapNone) {
			continue
		}
		return true
	}
	return false
}

// spreadFound reports whether one of the terms found already is term
// spelt with other separators ("대출 문의" and "대출문의"), so that a text
// reports the one it holds once.
func spreadFound(found []string, term string) bool {
	letters := spreadText(term).letters
	for _, f := range found {
		if slices.Equal(spreadText(f).letters, letters) {
			return true
		}
	}
	return false
}
