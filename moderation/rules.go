package moderation

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Names of the content rules, as Verdict.Rules lists them and the review
// queue stores them.
const (
	RuleDuplicate    = "duplicate"      // the author posted the same text moments ago
	RuleBannedTerm   = "banned_term"    // the text contains a banned term
	RuleTooManyLinks = "too_many_links" // a new author posted more links than allowed
	RuleHeldAccount  = "held_account"   // the author's account is under review
)

// KeyDuplicatePost is the message-catalog key that explains a post rejected
// as a duplicate to its author.
const KeyDuplicatePost = "err.duplicate_post"

// Rules are the content rules a new proposal, comment or title passes
// before it is published. Admins edit them; DefaultRules is the starting
// point. The zero value bans no terms but holds any link from an author
// with no approved posts.
type Rules struct {
	// BannedTerms hold a post that contains any of them, for a moderator
	// to look at. Terms are matched as ParseTerms folds them: a term of
	// Latin letters or digits matches only as a whole word at its Latin
	// ends ("ass" is not found in "classic"), while Hangul and Han terms
	// match anywhere, spaces included ("대출 문의" does not match "대출문의").
	// A term is also found spelt across separators and with look-alike
	// letters ("씨-발", "씨.발", "씨 발", "sh1t", "f.u.c.k"): see
	// containsSpread for where a spaced-out spelling counts.
	BannedTerms []string
	// MaxLinksNew is how many links a new author may post at once.
	MaxLinksNew int
	// NewAccountAge is how old an account must be before its links are no
	// longer limited (it needs an approved post as well).
	NewAccountAge time.Duration
	// DuplicateWindow is how far back the caller gathers Post.Recent.
	DuplicateWindow time.Duration
}

// DefaultRules returns the rules a fresh site starts with: the default
// banned terms, two links for accounts younger than a day or with no
// approved post, and duplicates caught within five minutes.
func DefaultRules() Rules {
	return Rules{
		BannedTerms:     ParseTerms(defaultBannedTerms),
		MaxLinksNew:     2,
		NewAccountAge:   24 * time.Hour,
		DuplicateWindow: 5 * time.Minute,
	}
}

// defaultBannedTerms is a short starting list in ParseTerms's format, which
// admins replace with their own. It leaves out words that are also ordinary
// words on a policy forum: 시발 (시발점, a starting point), 카지노 and
// casino (gambling is a policy topic), so only their spam phrases are here.
const defaultBannedTerms = `
# Korean obscenities and slurs.
씨발
씨바
씨팔
ㅅㅂ
좆
병신
개새끼
지랄
미친놈
# English obscenities and slurs, each form listed: words match whole.
fuck
fucking
fucked
fucker
motherfucker
shit
bullshit
cunt
asshole
bitch
nigger
faggot
# Chinese obscenities.
幹你娘
操你媽
操你妈
肏
王八蛋
# Scams and advertising.
토토사이트
사설토토
카지노사이트
온라인 카지노
바카라사이트
먹튀검증
대출 문의
대출문의
작업대출
online casino
casino site
payday loan
viagra
線上博弈
`

// ParseTerms reads banned terms written one a line, as admins edit them.
// Each line is trimmed; blank lines and lines starting with # are skipped.
// A term is folded for matching: invisible characters are removed, NFKC
// turns full-width and other compatibility forms into plain ones, letters
// are lower-cased and runs of white space become one space. Look-alike
// letters and digits are left as written here; Rules.Check folds them,
// with separators, when it looks for a term (containsSpread).
// Repeated terms are kept once, in the order first seen.
func ParseTerms(text string) []string {
	var terms []string
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if t := foldText(line); t != "" && !slices.Contains(terms, t) {
			terms = append(terms, t)
		}
	}
	return terms
}

// Author is what the content rules know about whoever is posting.
type Author struct {
	Age           time.Duration // how long ago the account was created
	ApprovedPosts int           // posts of the author that were published or approved
	Staff         bool          // a moderator or administrator
	Held          bool          // the account is under review
}

// Post is the text the content rules check.
type Post struct {
	// Text is the Markdown source of a proposal or comment, or a title, as
	// written.
	Text string
	// Recent are the author's own texts from the last DuplicateWindow.
	Recent []string
}

// Verdict is what the content rules decide about a post.
type Verdict struct {
	// Action is the strictest action of the rules tripped, or Publish.
	Action Action
	// Rules names every rule tripped (RuleDuplicate, RuleBannedTerm,
	// RuleTooManyLinks, RuleHeldAccount, RulePersonalData), in that order.
	Rules []string
	// Key is the message-catalog key explaining a Reject to the author;
	// empty unless Action is Reject.
	Key string
	// Terms are the banned terms found, as folded, for moderators; they are
	// not to be shown to the author.
	Terms []string
}

// Check applies the rules to post p by author a. Staff are never held or
// rejected. A text that, folded as ParseTerms folds terms, equals one of
// p.Recent is rejected as a duplicate; a banned term, more than
// MaxLinksNew links from an author younger than NewAccountAge or without an
// approved post, a held account, or personal data (FindPersonalData: a
// phone number, resident registration number, e-mail address or card
// number) holds the post. Links are http and https
// URLs, bare www. hosts and Markdown links and autolinks to them, each
// ending at the first space or non-ASCII character; a Markdown link counts
// once whatever its text. Verdict.Rules lists every rule tripped; Reject
// wins over Hold, which wins over Publish.
func (r Rules) Check(a Author, p Post) Verdict {
	v := Verdict{Action: Publish}
	if a.Staff {
		return v
	}
	text := foldText(p.Text)
	if text != "" && slices.ContainsFunc(p.Recent, func(s string) bool { return foldEqual(s, text) }) {
		v.trip(RuleDuplicate, Reject)
		v.Key = KeyDuplicatePost
	}
	var spreadOut *spread // built when a term is not found as written
	for _, t := range r.BannedTerms {
		if !foldEqual(t, t) { // ParseTerms's terms are folded already
			t = foldText(t)
		}
		if t == "" || slices.Contains(v.Terms, t) {
			continue
		}
		found := containsTerm(text, t)
		if !found && !spreadFound(v.Terms, t) {
			if spreadOut == nil {
				sp := spreadText(text)
				spreadOut = &sp
			}
			found = containsSpread(*spreadOut, spreadText(t))
		}
		if found {
			v.Terms = append(v.Terms, t)
		}
	}
	if len(v.Terms) > 0 {
		v.trip(RuleBannedTerm, Hold)
	}
	if (a.Age < r.NewAccountAge || a.ApprovedPosts == 0) && countLinks(text) > r.MaxLinksNew {
		v.trip(RuleTooManyLinks, Hold)
	}
	if a.Held {
		v.trip(RuleHeldAccount, Hold)
	}
	if findPersonalData(text) != nil {
		v.trip(RulePersonalData, Hold)
	}
	return v
}

// trip records that rule was tripped and raises the verdict to action.
func (v *Verdict) trip(rule string, action Action) {
	v.Rules = append(v.Rules, rule)
	if action.severity() > v.Action.severity() {
		v.Action = action
	}
}

// foldText folds s for comparing texts and finding terms: invisible
// characters removed, NFKC, lower case, white space collapsed and trimmed.
// Invalid UTF-8 becomes U+FFFD.
func foldText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	foldRunes(s, func(r rune) bool {
		b.WriteRune(r)
		return true
	})
	return b.String()
}

// foldEqual reports whether foldText(s) == folded without building
// foldText(s): it stops at the first rune that differs, which for two
// different texts is usually among the first few.
func foldEqual(s, folded string) bool {
	i, same := 0, true
	foldRunes(s, func(r rune) bool {
		c, n := utf8.DecodeRuneInString(folded[i:])
		if n == 0 || c != r {
			same = false
			return false
		}
		i += n
		return true
	})
	return same && i == len(folded)
}

// foldRunes hands emit the runes of foldText(s) in order, normalizing s a
// segment at a time, until emit returns false.
func foldRunes(s string, emit func(rune) bool) {
	s = strings.Map(func(r rune) rune {
		if invisible(r) {
			return -1
		}
		return r
	}, s)
	var it norm.Iter
	it.InitString(norm.NFKC, s)
	space, started := false, false
	for !it.Done() {
		for _, r := range string(it.Next()) {
			switch {
			case invisible(r): // NFKC maps the Hangul fillers to U+1160
			case unicode.IsSpace(r) || unicode.IsControl(r):
				space = started
			default:
				if space {
					if !emit(' ') {
						return
					}
					space = false
				}
				if !emit(unicode.ToLower(r)) {
					return
				}
				started = true
			}
		}
	}
}

// containsTerm reports whether the folded text contains the folded term.
// Where the term begins or ends with a Latin letter or digit, the text
// next to it must not be one, so that only whole words match.
func containsTerm(text, term string) bool {
	first, _ := utf8.DecodeRuneInString(term)
	last, _ := utf8.DecodeLastRuneInString(term)
	for i := 0; i < len(text); {
		j := strings.Index(text[i:], term)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(term)
		before, _ := utf8.DecodeLastRuneInString(text[:start])
		after, _ := utf8.DecodeRuneInString(text[end:])
		if !(latinWord(first) && latinWord(before)) && !(latinWord(last) && latinWord(after)) {
			return true
		}
		_, size := utf8.DecodeRuneInString(text[start:])
		i = start + size
	}
	return false
}

// latinWord reports whether r is a Latin letter or an ASCII digit, the
// runes that continue a Latin word.
func latinWord(r rune) bool {
	return ('0' <= r && r <= '9') || unicode.Is(unicode.Latin, r)
}

// markdownLinkText matches the text part of a Markdown inline link up to
// its opening parenthesis, so that a URL written as a link's text is not
// counted beside its destination.
var markdownLinkText = regexp.MustCompile(`\[[^\[\]]*\]\(`)

// webLink matches an http or https URL or a bare www. host, written in
// ASCII as Markdown's linkify finds them: a URL ends at white space, at
// <>()[]"'` and at the first non-ASCII character, so that Korean particles
// and Chinese punctuation next to it are not part of it. Leftmost matching
// keeps the www of "https://www.…" from counting twice.
var webLink = regexp.MustCompile(`https?://` + urlChar + `+|\bwww\.` + urlChar + `+\.` + urlChar + `+`)

// urlChar is a character that may continue a URL or host.
const urlChar = `[^\s<>()\[\]"'\x60\x{80}-\x{10FFFF}]`

// countLinks counts the web links in the folded text.
func countLinks(text string) int {
	text = markdownLinkText.ReplaceAllLiteralString(text, "(")
	return len(webLink.FindAllStringIndex(text, -1))
}
