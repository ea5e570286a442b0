package moderation

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// ImpersonatesStaff reports whether displayName could pass for a member of
// staff or an official body: an administrator or moderator, the site itself,
// a government, a ministry or agency, or an official account, in Korean,
// English or Chinese.
//
// The name is first folded so that look-alikes compare equal: invisible and
// bidi characters and combining marks are removed, NFKC maps full-width and
// mathematical letters to plain ones, Cyrillic, Greek and Armenian
// homoglyphs become Latin, letters are lower-cased, digits and symbols used
// as letters ("4dm1n", "$taff", "r00t") become letters, and the letters l,
// 1, |, ! and i count as one letter, as do "rn" and "m". A name written with
// a bidi override is checked in both directions.
//
// Word boundaries: separators (spaces, dots, dashes, underscores and every
// other non-letter) are dropped, so "a.d.m.i.n" is "admin", but the places
// where they were, a lower-to-upper case change ("SiteMod") and a change of
// script ("김mod") are remembered as word boundaries. Long, unambiguous
// words (admin, moderator, ministry, official, government, sysop, ...) and
// the Korean and Chinese terms match anywhere. Short words that hide inside
// ordinary names match only as whole words, where a whole word may be spelt
// across separators: "mod" and "mods" (not in Edmund, Simon or Modesta),
// "staff" (not in Stafford), "root", "gov", "govt", "e-people" (not in
// "We the People") and 부처. "badminton" is not "admin"; "unofficial" and
// 비공식 are refused like "official". A three-syllable Hangul word that
// starts with 정부, 장관, 차관 or 공식 is read as a surname and a given name
// (정부영, 장관우) unless its last syllable is 님, 실, 측, 팀, 청 or 처; a given
// name that is itself a term (최정부) is refused, as it reads "X government".
func ImpersonatesStaff(displayName string) bool {
	if matchesStaff(foldName(displayName, false)) {
		return true
	}
	if strings.ContainsFunc(displayName, isBidiControl) {
		return matchesStaff(foldName(displayName, true))
	}
	return false
}

// staffAnywhere are words that mark a staff or official name wherever they
// appear in the folded name.
var staffAnywhere = []string{
	"admin", "moderator", "moderation", "modteam", "ministr", "minister",
	"govern", "official", "sysop", "webmaster", "superuser", "staffteam",
	// Korean.
	"관리자", "관리팀", "운영자", "운영진", "운영팀", "어드민", "모더레이터", "모드팀",
	"공식", "정부", "장관", "차관", "공무원", "청와대", "대통령실", "국무총리",
	"국무조정실", "국민신문고", "이피플",
	// Chinese.
	"管理員", "管理员", "管理者", "版主", "站長", "站长", "官方", "政府", "部長", "部长",
	"官員", "官员", "公務員", "公务员", "行政院", "國務院", "国务院", "總統府", "总统府",
	// Korean central ministries, current and recent, and agencies (처, 청).
	"기획재정부", "재정경제부", "기획예산처", "교육부", "과학기술정보통신부", "외교부", "통일부",
	"법무부", "국방부", "행정안전부", "국가보훈부", "문화체육관광부", "농림축산식품부",
	"산업통상자원부", "산업통상부", "보건복지부", "환경부", "기후에너지환경부", "고용노동부",
	"여성가족부", "성평등가족부", "국토교통부", "해양수산부", "중소벤처기업부",
	"안전행정부", "행정자치부", "미래창조과학부", "지식경제부", "교육과학기술부",
	"인사혁신처", "법제처", "식품의약품안전처", "국가보훈처", "국가데이터처", "지식재산처",
	"국세청", "관세청", "조달청", "통계청", "검찰청", "병무청", "방위사업청", "경찰청",
	"소방청", "문화재청", "국가유산청", "농촌진흥청", "산림청", "특허청", "기상청",
	"해양경찰청", "질병관리청", "재외동포청", "우주항공청", "새만금개발청",
	// Taiwanese and Chinese ministries.
	"內政部", "外交部", "國防部", "国防部", "財政部", "财政部", "教育部", "法務部", "法务部",
	"經濟部", "经济部", "交通部", "勞動部", "劳动部", "農業部", "农业部", "衛生福利部",
	"衛福部", "文化部", "環境部", "环境部", "數位發展部", "數發部",
}

// staffWholeWords are words that mark a staff or official name only when
// they begin and end on word boundaries.
var staffWholeWords = []string{"mod", "mods", "staff", "root", "gov", "govt", "e-people", "부처"}

// surnameTerms are staffAnywhere terms whose first syllable is a common
// Korean surname, so a three-syllable word starting with them is a name.
var surnameTerms = []string{"정부", "장관", "차관", "공식"}

// folded is a display name reduced to its letters, with the word boundaries
// that the removed separators, case changes and script changes left.
type folded struct {
	letters []rune
	// start[i] reports whether a word starts at letters[i]; end[i] whether
	// one ends just before letters[i]. Both have len(letters)+1 entries.
	start, end []bool
}

// matchesStaff reports whether f contains a staff or official term.
func matchesStaff(f folded) bool {
	masked := slices.Clone(f.letters) // with benign words blanked out
	benign := foldName("badminton", false).letters
	for _, i := range indexAll(masked, benign) {
		clear(masked[i : i+len(benign)])
	}
	for _, t := range staffAnywhere {
		word := foldName(t, false).letters
		for _, i := range indexAll(masked, word) {
			if !(slices.Contains(surnameTerms, t) && looksLikePersonalName(f, i)) {
				return true
			}
		}
	}
	for _, t := range staffWholeWords {
		word := foldName(t, false).letters
		for _, i := range indexAll(f.letters, word) {
			if f.start[i] && f.end[i+len(word)] {
				return true
			}
		}
	}
	return false
}

// looksLikePersonalName reports whether the word starting at letters[i] is
// three Hangul syllables that read as a surname and a given name.
func looksLikePersonalName(f folded, i int) bool {
	if !f.start[i] || i+3 > len(f.letters) || !f.end[i+3] {
		return false
	}
	for _, r := range f.letters[i : i+3] {
		if !unicode.Is(unicode.Hangul, r) {
			return false
		}
	}
	return !strings.ContainsRune("님실측팀청처", f.letters[i+2])
}

// indexAll returns the start of every occurrence of word in s.
func indexAll(s, word []rune) []int {
	var at []int
	for i := 0; i+len(word) <= len(s); i++ {
		if slices.Equal(s[i:i+len(word)], word) {
			at = append(at, i)
		}
	}
	return at
}

// foldName folds s as ImpersonatesStaff describes; reversed reverses the
// characters first, to read a name written with a right-to-left override.
func foldName(s string, reversed bool) folded {
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		if unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) || invisible(r) {
			continue
		}
		b.WriteRune(r)
	}
	runes := []rune(norm.NFC.String(b.String()))
	if reversed {
		slices.Reverse(runes)
	}

	f := folded{start: []bool{true}, end: []bool{true}}
	separated, prevLower := true, false
	var prevScript *unicode.RangeTable
	for _, r := range runes {
		r = latinLookalike(r)
		upper := unicode.IsUpper(r)
		r = letterLookalike(unicode.ToLower(r))
		if !unicode.IsLetter(r) {
			separated = true
			continue
		}
		script := scriptOf(r)
		boundary := separated || (upper && prevLower) || script != prevScript
		n := len(f.letters)
		if !boundary && r == 'n' && n > 0 && f.letters[n-1] == 'r' {
			f.letters[n-1] = 'm' // "rn" reads as "m"
			prevLower = true
			continue
		}
		if n > 0 {
			f.start[n], f.end[n] = boundary, boundary
		}
		f.letters = append(f.letters, r)
		f.start, f.end = append(f.start, false), append(f.end, false)
		separated, prevLower, prevScript = false, unicode.IsLower(r) && !upper, script
	}
	f.start[len(f.letters)], f.end[len(f.letters)] = true, true
	return f
}

// scriptOf returns the script table of the letter r, or nil for scripts
// other than Latin, Hangul and Han.
func scriptOf(r rune) *unicode.RangeTable {
	for _, t := range []*unicode.RangeTable{unicode.Latin, unicode.Hangul, unicode.Han} {
		if unicode.Is(t, r) {
			return t
		}
	}
	return nil
}

// isBidiControl reports whether r changes the display direction of text.
func isBidiControl(r rune) bool {
	return r == 0x200E || r == 0x200F || r == 0x061C ||
		(r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// latinLookalike maps a Cyrillic, Greek, Armenian or unusual Latin letter
// that looks like a plain Latin letter to that letter, keeping its case.
func latinLookalike(r rune) rune {
	switch r {
	// Cyrillic capitals.
	case 'А':
		return 'A'
	case 'В':
		return 'B'
	case 'Е', 'Ё':
		return 'E'
	case 'Ѕ':
		return 'S'
	case 'І', 'Ї', 'Ӏ':
		return 'I'
	case 'Ј':
		return 'J'
	case 'К':
		return 'K'
	case 'М':
		return 'M'
	case 'Н', 'Һ':
		return 'H'
	case 'О':
		return 'O'
	case 'Р':
		return 'P'
	case 'С':
		return 'C'
	case 'Т':
		return 'T'
	case 'Х':
		return 'X'
	case 'У', 'Ү':
		return 'Y'
	case 'Ԁ':
		return 'D'
	case 'Ԍ':
		return 'G'
	case 'Ԛ':
		return 'Q'
	case 'Ԝ':
		return 'W'
	case 'Ѵ':
		return 'V'
	// Cyrillic small letters.
	case 'а':
		return 'a'
	case 'в', 'ь':
		return 'b'
	case 'е', 'ё':
		return 'e'
	case 'ѕ':
		return 's'
	case 'і', 'ї':
		return 'i'
	case 'ӏ':
		return 'l'
	case 'ј':
		return 'j'
	case 'к':
		return 'k'
	case 'м':
		return 'm'
	case 'н', 'һ':
		return 'h'
	case 'о':
		return 'o'
	case 'р':
		return 'p'
	case 'с':
		return 'c'
	case 'т':
		return 't'
	case 'х':
		return 'x'
	case 'у', 'ү':
		return 'y'
	case 'ԁ':
		return 'd'
	case 'ԍ':
		return 'g'
	case 'ԛ':
		return 'q'
	case 'ԝ', 'ѡ':
		return 'w'
	case 'ѵ':
		return 'v'
	case 'п':
		return 'n'
	case 'г':
		return 'r'
	// Greek capitals.
	case 'Α':
		return 'A'
	case 'Β':
		return 'B'
	case 'Ε':
		return 'E'
	case 'Ζ':
		return 'Z'
	case 'Η':
		return 'H'
	case 'Ι':
		return 'I'
	case 'Κ':
		return 'K'
	case 'Μ':
		return 'M'
	case 'Ν':
		return 'N'
	case 'Ο':
		return 'O'
	case 'Ρ':
		return 'P'
	case 'Τ':
		return 'T'
	case 'Υ':
		return 'Y'
	case 'Χ':
		return 'X'
	// Greek small letters.
	case 'α':
		return 'a'
	case 'β':
		return 'b'
	case 'γ':
		return 'y'
	case 'ε':
		return 'e'
	case 'η':
		return 'n'
	case 'ι':
		return 'i'
	case 'κ':
		return 'k'
	case 'ν':
		return 'v'
	case 'ο':
		return 'o'
	case 'ρ':
		return 'p'
	case 'τ':
		return 't'
	case 'υ':
		return 'u'
	case 'χ':
		return 'x'
	case 'ω':
		return 'w'
	case 'ϲ':
		return 'c'
	case 'ϳ':
		return 'j'
	// Armenian.
	case 'ո':
		return 'n'
	case 'ս':
		return 'u'
	case 'օ':
		return 'o'
	case 'ց':
		return 'g'
	case 'հ':
		return 'h'
	case 'զ':
		return 'q'
	// Latin letters that pass for plain ones, small capitals included.
	case 'ɡ':
		return 'g'
	case 'ı', 'ɩ', 'ɪ':
		return 'i'
	case 'ȷ':
		return 'j'
	case 'ɑ', 'ᴀ':
		return 'a'
	case 'ʟ':
		return 'l'
	case 'ʙ':
		return 'b'
	case 'ᴄ':
		return 'c'
	case 'ᴅ':
		return 'd'
	case 'ᴇ':
		return 'e'
	case 'ғ':
		return 'f'
	case 'ʜ':
		return 'h'
	case 'ᴋ':
		return 'k'
	case 'ᴍ':
		return 'm'
	case 'ɴ':
		return 'n'
	case 'ᴏ':
		return 'o'
	case 'ᴘ':
		return 'p'
	case 'ʀ':
		return 'r'
	case 'ꜱ':
		return 's'
	case 'ᴛ':
		return 't'
	case 'ᴜ':
		return 'u'
	case 'ᴠ':
		return 'v'
	case 'ᴡ':
		return 'w'
	case 'ʏ':
		return 'y'
	case 'ᴢ':
		return 'z'
	}
	return r
}

// letterLookalike maps a lower-case letter, digit or symbol to the letter
// it stands for when names are compared: leet spellings become letters and
// l, 1, |, ! become i.
func letterLookalike(r rune) rune {
	switch r {
	case '0':
		return 'o'
	case '1', 'l', '|', '!':
		return 'i'
	case '3':
		return 'e'
	case '4', '@':
		return 'a'
	case '5', '$':
		return 's'
	case '7':
		return 't'
	}
	return r
}
