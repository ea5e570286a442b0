package forum

import "unicode"

// latinScriptLangs are interface languages written in Latin script: a text
// in Latin letters only takes its author's interface language when it is
// one of them.
var latinScriptLangs = map[string]bool{"en": true, "fr": true, "de": true, "es": true, "pt": true, "it": true,
	"nl": true, "vi": true, "id": true, "ms": true, "tl": true, "tr": true, "pl": true}

// DetectLang returns the language of a user's text, as a BCP 47 primary
// tag, from the scripts its letters are written in: Hangul is "ko"; kana
// is "ja"; Han without Hangul or kana is "zh"; Latin letters alone are
// authorLang (the author's interface language) when that is written in
// Latin script, else "en". A text mixing scripts takes the dominant one,
// a CJK character counting as two Latin letters (it carries about a
// syllable, or a word), and Han among Hangul or kana counts with them
// (hanja, kanji). A text with no Latin, Hangul, Han or kana letter is ""
// (not known).
func DetectLang(text, authorLang string) string {
	var hangul, han, kana, latin int
	for _, r := range text {
		switch {
		case r < 0x80:
			if 'a' <= r|0x20 && r|0x20 <= 'z' {
				latin++
			}
		case unicode.Is(unicode.Hangul, r):
			hangul++
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
			kana++
		case unicode.Is(unicode.Latin, r):
			latin++
		}
	}
	cjk := hangul + han + kana
	switch {
	case cjk == 0 && latin == 0:
		return ""
	case latin > 2*cjk:
		if latinScriptLangs[authorLang] {
			return authorLang
		}
		return "en"
	case hangul > 0 && hangul >= kana:
		return "ko"
	case kana > 0:
		return "ja"
	}
	return "zh"
}
