package moderation

import (
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"
)

// RulePersonalData names the content rule that holds a post which seems to
// expose someone's personal data. Its value is also the public reason code
// HidePersonalData, so the moderation log names it the same way.
const RulePersonalData = string(HidePersonalData)

// PersonalKind is a kind of personal data FindPersonalData looks for.
type PersonalKind string

// Kinds of personal data, in the order FindPersonalData reports them.
const (
	PersonalPhone PersonalKind = "phone" // a Korean telephone number
	PersonalRRN   PersonalKind = "rrn"   // a resident registration number (주민등록번호)
	PersonalEmail PersonalKind = "email" // an e-mail address
	PersonalCard  PersonalKind = "card"  // a payment card number
)

// Patterns run over text folded as foldText folds it (NFKC turns full-width
// digits and ＠ into ASCII; lower case; one space for any run of white space).
const phoneSep = `(?: ?[.\-] ?| )?`

var (
	// Mobile (010, 011, 016-019), Seoul (02), the provinces (031-033,
	// 041-044, 051-055, 061-064) and internet phones (070), with or without
	// separators, the area code perhaps in parentheses; or +82 and the same
	// number without its leading 0 (a "(0)" is allowed).
	phonePattern = regexp.MustCompile(
		`(?:\(0(?:2|[3-6][1-5]|1[016789]|70)\) ?|0(?:2|[3-6][1-5]|1[016789]|70)` + phoneSep + `)[1-9]\d{2,3}` + phoneSep + `\d{4}` +
			`|\+ ?82` + phoneSep + `(?:\(0\) ?)?0?(?:2|[3-6][1-5]|1[016789]|70)` + phoneSep + `[1-9]\d{2,3}` + phoneSep + `\d{4}`)
	// YYMMDD, a dash (perhaps spaced) or nothing, then the gender digit and six more.
	rrnPattern = regexp.MustCompile(`(\d{6}) ?(-?) ?([1-8]\d{6})`)
	// An address as people write it: a local part of the usual characters,
	// @, and a host with a dot and a letter top-level domain.
	emailPattern = regexp.MustCompile(`[a-z0-9](?:[a-z0-9._%+\-]*[a-z0-9_%+\-])?@[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)*\.[a-z]{2,}`)
	// 13 to 19 digits starting as card networks do (2221-2720 Mastercard,
	// 3 Amex/JCB/Diners, 4 Visa, 5 Mastercard, 6 Discover/UnionPay, 9 Korean
	// domestic cards), bare or in groups of four (Amex 4-6-5).
	cardPattern = regexp.MustCompile(`(?:[34569]|2[2-7])\d{12,18}` +
		`|(?:[34569]|2[2-7])\d{3}[ \-]\d{4}[ \-]\d{4}[ \-]\d{1,7}` +
		`|3\d{3}[ \-]\d{6}[ \-]\d{4,5}`)
)

// FindPersonalData returns the kinds of personal data text seems to expose,
// each once, in the order PersonalPhone, PersonalRRN, PersonalEmail,
// PersonalCard; nil when none. A number counts only when it stands alone:
// no digit, and no separator followed by a digit, next to it, so that parts
// of longer numbers, amounts (1,000,000원), dates, years, article numbers
// and proposal ids are not taken for one.
//
// A resident registration number is YYMMDD, a gender digit 1-8 and six more
// digits, with a valid date. Written with its dash (900101-1234567) it counts
// whatever its check digit: numbers issued since October 2020 have none, and
// a made-up number in that shape reads as an exposure all the same. Thirteen
// bare digits count only when the check digit is right (weights 2-9,2-5;
// check = (11 - sum%11) % 10), or the birth date is October 2020 or later.
// A card number is 13 to 19 digits that pass the Luhn check.
func FindPersonalData(text string) []PersonalKind { return findPersonalData(foldText(text)) }

// findPersonalData is FindPersonalData of a text foldText has folded.
func findPersonalData(text string) []PersonalKind {
	var kinds []PersonalKind
	if anyIsolated(text, phonePattern, func(string) bool { return true }) {
		kinds = append(kinds, PersonalPhone)
	}
	if rrnFound(text) {
		kinds = append(kinds, PersonalRRN)
	}
	if emailPattern.MatchString(text) {
		kinds = append(kinds, PersonalEmail)
	}
	if anyIsolated(text, cardPattern, func(m string) bool { return luhn(digitsOf(m)) }) {
		kinds = append(kinds, PersonalCard)
	}
	return kinds
}

// anyIsolated reports whether pattern matches somewhere in text where the
// match stands alone and ok accepts it. A match refused at one place does
// not hide one that starts after it inside its text.
func anyIsolated(text string, pattern *regexp.Regexp, ok func(string) bool) bool {
	for i := 0; i < len(text); {
		loc := pattern.FindStringIndex(text[i:])
		if loc == nil {
			return false
		}
		start, end := i+loc[0], i+loc[1]
		if isolated(text, start, end) && ok(text[start:end]) {
			return true
		}
		i = nextStart(text, start)
	}
	return false
}

// rrnFound reports whether text holds a resident registration number that
// stands alone (see FindPersonalData).
func rrnFound(text string) bool {
	for i := 0; i < len(text); {
		m := rrnPattern.FindStringSubmatchIndex(text[i:])
		if m == nil {
			return false
		}
		start, end := i+m[0], i+m[1]
		birth, dash, rest := text[i+m[2]:i+m[3]], text[i+m[4]:i+m[5]] != "", text[i+m[6]:i+m[7]]
		if isolated(text, start, end) {
			if born, valid := rrnBirth(birth, rest[0]); valid &&
				(dash || rrnChecksum(birth+rest) || !born.Before(time.Date(2020, time.October, 1, 0, 0, 0, 0, time.UTC))) {
				return true
			}
		}
		i = nextStart(text, start)
	}
	return false
}

// rrnBirth returns the birth date YYMMDD and gender digit g encode, and
// whether it is a real date: 1, 2, 5 and 6 are born in the 1900s, 3, 4, 7
// and 8 in the 2000s.
func rrnBirth(yymmdd string, g byte) (time.Time, bool) {
	yy, _ := strconv.Atoi(yymmdd[0:2])
	mm, _ := strconv.Atoi(yymmdd[2:4])
	dd, _ := strconv.Atoi(yymmdd[4:6])
	century := 1900
	if g == '3' || g == '4' || g == '7' || g == '8' {
		century = 2000
	}
	d := time.Date(century+yy, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	return d, mm >= 1 && mm <= 12 && d.Day() == dd && d.Month() == time.Month(mm)
}

// rrnChecksum reports whether the 13 digits of an RRN carry a valid check digit.
func rrnChecksum(digits string) bool {
	weights := [12]int{2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5}
	sum := 0
	for i, w := range weights {
		sum += int(digits[i]-'0') * w
	}
	return (11-sum%11)%10 == int(digits[12]-'0')
}

// digitsOf returns the ASCII digits of s.
func digitsOf(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if '0' <= s[i] && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// luhn reports whether digits pass the Luhn check that card numbers carry.
func luhn(digits string) bool {
	if len(digits) < 13 || len(digits) > 19 {
		return false
	}
	sum := 0
	for i := range len(digits) {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// isolated reports whether text[start:end] is a whole number: neither side
// touches a digit, a letter or digit-joining punctuation (., ,, -, /, +)
// followed by a digit.
func isolated(text string, start, end int) bool {
	before := text[:start]
	if r, size := utf8.DecodeLastRuneInString(before); isASCIIDigit(r) || latinWord(r) {
		return false
	} else if joiner(r) {
		if r2, _ := utf8.DecodeLastRuneInString(before[:len(before)-size]); isASCIIDigit(r2) {
			return false
		}
	}
	after := text[end:]
	if r, size := utf8.DecodeRuneInString(after); isASCIIDigit(r) || latinWord(r) {
		return false
	} else if joiner(r) {
		if r2, _ := utf8.DecodeRuneInString(after[size:]); isASCIIDigit(r2) {
			return false
		}
	}
	return true
}

// nextStart is where to look for a match after one at start was refused:
// past the run of digits at start, since a number starting inside it would
// touch a digit, or else past the rune at start.
func nextStart(text string, start int) int {
	i := start
	for i < len(text) && '0' <= text[i] && text[i] <= '9' {
		i++
	}
	if i == start {
		_, size := utf8.DecodeRuneInString(text[start:])
		i += size
	}
	return i
}

func isASCIIDigit(r rune) bool { return '0' <= r && r <= '9' }

// joiner is punctuation that joins the parts of one number.
func joiner(r rune) bool { return r == '.' || r == ',' || r == '-' || r == '/' || r == '+' }
