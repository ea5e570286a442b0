package web

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Korean particles change with the sound a word ends in: 의견이 but 부처가,
// 법으로 but 서울로 and 부처로. A catalog writes both forms after an inserted
// word ("%s이(가)", "%s(으)로"); withParticles picks the right one by the
// last character of what was inserted, so catalogs keep their markers and no
// call site changes.
//
// How the end of a word is read:
//   - a Hangul syllable by its final consonant (batchim): (code-0xAC00)%28,
//     0 for none, 8 for ㄹ;
//   - a number by its Korean reading: the last digit (1 일, 3 삼, 6 육, 7 칠,
//     8 팔 end in a consonant; 2 이, 4 사, 5 오, 9 구 do not), or, after zeros,
//     its unit (10 십, 100 백, 1,000 천, 10,000 만, 10⁸ 억, 10¹² 조, 0 영);
//     "%" reads 퍼센트;
//   - a Latin letter by its name, as Korean reads abbreviations letter by
//     letter: l (엘) and r (알) end in ㄹ, m (엠) and n (엔) in a consonant,
//     the other letters in a vowel (KTX는, LH는, SRT로, ARS를, IBM은);
//   - closing brackets and quotes are looked through (「제안」이);
//   - anything else (Han characters, emoji, nothing at all) is not guessed:
//     the marker stays as written, both forms.

// particle is one marker a catalog writes and the forms it stands for.
type particle struct {
	marker  string
	batchim string // after a final consonant
	vowel   string // after a vowel
	rieul   bool   // ㄹ counts as a vowel: (으)로, (으)면
}

// particles lists every marker, a longer one before any it contains.
var particles = [...]particle{
	{"이(가)", "이", "가", false}, {"가(이)", "이", "가", false},
	{"을(를)", "을", "를", false}, {"를(을)", "을", "를", false},
	{"은(는)", "은", "는", false}, {"는(은)", "은", "는", false},
	{"와(과)", "과", "와", false}, {"과(와)", "과", "와", false},
	{"(으)", "으", "", true}, {"(이)", "이", "", false},
}

// particleMark is the first of the private-use runes that stand for a marker
// while the message's arguments are put in; a marker inside an argument
// (user text) is therefore left alone.
const particleMark = '\uE000'

// withParticles formats f with args as fmt.Sprintf does (f as it is when
// there are no args) and resolves the particle markers f itself writes.
func withParticles(f string, args ...any) string {
	if !strings.Contains(f, "(") {
		if len(args) == 0 {
			return f
		}
		return fmt.Sprintf(f, args...)
	}
	var b strings.Builder
	found := false
	for i := 0; i < len(f); {
		k := particleAt(f[i:])
		if k < 0 {
			b.WriteByte(f[i])
			i++
			continue
		}
		b.WriteRune(particleMark + rune(k))
		i += len(particles[k].marker)
		found = true
	}
	if !found {
		if len(args) == 0 {
			return f
		}
		return fmt.Sprintf(f, args...)
	}
	out := b.String()
	if len(args) > 0 {
		out = fmt.Sprintf(out, args...)
	}
	b.Reset()
	for _, r := range out {
		k := int(r - particleMark)
		if k < 0 || k >= len(particles) {
			b.WriteRune(r)
			continue
		}
		p := particles[k]
		switch batchim, rieul, known := finalSound(b.String()); {
		case !known:
			b.WriteString(p.marker)
		case batchim && !(rieul && p.rieul):
			b.WriteString(p.batchim)
		default:
			b.WriteString(p.vowel)
		}
	}
	return b.String()
}

// particleAt returns the index of the marker s starts with, or -1.
func particleAt(s string) int {
	for k, p := range particles {
		if strings.HasPrefix(s, p.marker) {
			return k
		}
	}
	return -1
}

// finalSound says how s ends when read aloud in Korean: in a final
// consonant (batchim), that consonant being ㄹ (rieul), and whether it could
// tell at all (known).
func finalSound(s string) (batchim, rieul, known bool) {
	for len(s) > 0 {
		r, size := utf8.DecodeLastRuneInString(s)
		switch {
		case strings.ContainsRune(`)]}"'’”」』》〉）］`, r):
			s = s[:len(s)-size]
			continue
		case r >= 0xAC00 && r <= 0xD7A3:
			jong := (r - 0xAC00) % 28
			return jong != 0, jong == 8, true
		case r >= '0' && r <= '9':
			return numberSound(s)
		case r == '%':
			return false, false, true // 퍼센트
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			switch r | 0x20 { // lower case
			case 'l', 'r':
				return true, true, true
			case 'm', 'n':
				return true, false, true
			}
			return false, false, true
		}
		return false, false, false
	}
	return false, false, false
}

// numberSound reads the number s ends with (digits, perhaps grouped by
// commas) the Korean way: by its last digit, or by the unit its trailing
// zeros make.
func numberSound(s string) (batchim, rieul, known bool) {
	var ds []byte // the digits at the end, the last first, commas between them dropped
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c >= '0' && c <= '9' {
			ds = append(ds, c)
			continue
		}
		if c == ',' && len(ds) > 0 && i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
			continue
		}
		break
	}
	zeros := 0
	for zeros < len(ds) && ds[zeros] == '0' {
		zeros++
	}
	switch {
	case zeros == len(ds): // 영
		return true, false, true
	case zeros == 0:
		switch ds[0] {
		case '1', '7', '8': // 일, 칠, 팔
			return true, true, true
		case '3', '6': // 삼, 육
			return true, false, true
		}
		return false, false, true // 이, 사, 오, 구
	case zeros >= 12 && zeros <= 15: // 조
		return false, false, true
	}
	return true, false, true // 십, 백, 천, 만, 억, 경
}
