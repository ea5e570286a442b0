package moderation

import (
	"regexp"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// PersonalMask is what MaskPersonalData puts in place of each piece of
// personal data it finds.
const PersonalMask = "○○○"

// Case-insensitive forms of the patterns FindPersonalData runs over folded
// text, for MaskPersonalData, which keeps the text's case and lines; and
// Korean street addresses, which FindPersonalData does not look for.
var (
	// A road-name address (도로명 주소) as people write it: perhaps a city or
	// province and districts, then a road (…로, …길, with its number), a
	// building number (123 or 12-3), perhaps a dong and ho or a floor: the
	// road and building number at least. Or a lot-number address (지번):
	// a dong, eup, myeon or ri with 번지 or a number with a dash.
	addressPattern = regexp.MustCompile(`(?:[가-힣]{2,}(?:특별시|광역시|특별자치시|특별자치도|도|시) )?(?:[가-힣]{1,}(?:시|군|구) ){0,2}` +
		`(?:[가-힣0-9]{1,}(?:로|길)(?: ?\d+(?:번)?길)? ?\d{1,5}(?:-\d{1,4})?(?:(?:,| ) ?\d{1,4}동)?(?:(?:,| ) ?\d{1,5}호)?(?: ?\d{1,3}층)?` +
		`|[가-힣]{1,}(?:동|읍|면|리) \d{1,5}-\d{1,5}(?:번지)?|[가-힣]{1,}(?:동|읍|면|리) \d{1,5}번지)`)

	phoneMaskPattern = regexp.MustCompile(`(?i)` + phonePattern.String())
	rrnMaskPattern   = regexp.MustCompile(`(?i)` + rrnPattern.String())
	emailMaskPattern = regexp.MustCompile(`(?i)` + emailPattern.String())
	cardMaskPattern  = regexp.MustCompile(`(?i)` + cardPattern.String())
)

// MaskPersonalData returns text with every telephone number, resident
// registration number, e-mail address and card number FindPersonalData
// would find, and every Korean street address it recognises
// (addressPattern; FindPersonalData does not look for them), replaced by
// PersonalMask. The text is put in NFKC form
// (full-width digits become ASCII) and loses its invisible characters; its
// case, lines and everything else stay. What it cannot mask (a number
// spread over lines, say) FindPersonalData still finds, so a caller that
// publishes checks the result again.
func MaskPersonalData(text string) string {
	text = strings.Map(func(r rune) rune {
		if invisible(r) {
			return -1
		}
		return r
	}, norm.NFKC.String(text))
	text = maskIsolated(text, rrnMaskPattern, rrnLike)
	text = maskIsolated(text, cardMaskPattern, func(m string) bool { return luhn(digitsOf(m)) })
	text = maskIsolated(text, phoneMaskPattern, func(string) bool { return true })
	text = maskIsolated(text, emailMaskPattern, func(string) bool { return true })
	return addressPattern.ReplaceAllString(text, PersonalMask)
}

// rrnLike reports whether m, a match of rrnPattern, reads as a resident
// registration number by rrnFound's rule.
func rrnLike(m string) bool {
	sub := rrnPattern.FindStringSubmatch(m)
	if sub == nil {
		return false
	}
	birth, dash, rest := sub[1], sub[2] != "", sub[3]
	born, valid := rrnBirth(birth, rest[0])
	return valid && (dash || rrnChecksum(birth+rest) || !born.Before(time.Date(2020, time.October, 1, 0, 0, 0, 0, time.UTC)))
}

// maskIsolated replaces each match of pattern in text that stands alone
// (isolated) and that ok accepts with PersonalMask.
func maskIsolated(text string, pattern *regexp.Regexp, ok func(string) bool) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(text); {
		loc := pattern.FindStringIndex(text[i:])
		if loc == nil {
			break
		}
		start, end := i+loc[0], i+loc[1]
		if isolated(text, start, end) && ok(text[start:end]) {
			b.WriteString(text[last:start])
			b.WriteString(PersonalMask)
			last, i = end, end
			continue
		}
		i = nextStart(text, start)
	}
	b.WriteString(text[last:])
	return b.String()
}
