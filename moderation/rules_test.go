package moderation

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseTerms(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"blanks and comments", "\n  \n# a comment\n   # indented comment\n\t\n", nil},
		{"trimmed and lower-cased", "  Fuck  \r\nSHIT\n", []string{"fuck", "shit"}},
		{"full-width folded", "ＣＡＳＩＮＯ\nｖｉａｇｒａ", []string{"casino", "viagra"}},
		{"half-width katakana and compatibility forms", "㎒\nｶｼﾞﾉ", []string{"mhz", "カジノ"}},
		{"inner spaces collapsed", "대출 \t  문의\nonline\u3000casino", []string{"대출 문의", "online casino"}},
		{"invisible characters removed", "씨\u200b발\n개\u00ad새끼", []string{"씨발", "개새끼"}},
		{"deduplicated in order", "병신\nFUCK\n병신\nfuck\nＦuck", []string{"병신", "fuck"}},
		{"no leet folding", "sh1t\n$hit\nshit", []string{"sh1t", "$hit", "shit"}},
		{"no homoglyph folding", "саsino", []string{"саsino"}}, // Cyrillic с and а
		{"hash inside a term kept", "c#\n#c", []string{"c#"}},
		{"Chinese", "幹你娘\n操你媽", []string{"幹你娘", "操你媽"}},
		{"only invisible", "\u200b\u200d\n\u3164", nil},
	}
	for _, tt := range tests {
		if got := ParseTerms(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("%s: ParseTerms(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestDefaultRules(t *testing.T) {
	r := DefaultRules()
	if r.MaxLinksNew != 2 || r.NewAccountAge != 24*time.Hour || r.DuplicateWindow != 5*time.Minute {
		t.Errorf("DefaultRules() = %+v, want 2 links, 24h, 5m", r)
	}
	for _, want := range []string{"씨발", "병신", "좆", "개새끼", "fuck", "shit", "토토사이트", "대출 문의", "online casino"} {
		if !slices.Contains(r.BannedTerms, want) {
			t.Errorf("DefaultRules().BannedTerms lacks %q", want)
		}
	}
	if !slices.Equal(r.BannedTerms, ParseTerms(strings.Join(r.BannedTerms, "\n"))) {
		t.Error("DefaultRules().BannedTerms are not already folded and unique")
	}
	r.BannedTerms[0] = "changed"
	if DefaultRules().BannedTerms[0] == "changed" {
		t.Error("DefaultRules() shares its BannedTerms between calls")
	}
}

func TestRules_Check(t *testing.T) {
	rules := DefaultRules()
	rules.BannedTerms = append(rules.BannedTerms, ParseTerms("ass\nhell\ncunt\nclass action")...)
	var (
		member   = Author{Age: 90 * 24 * time.Hour, ApprovedPosts: 12}
		newcomer = Author{Age: time.Hour}
		noPosts  = Author{Age: 90 * 24 * time.Hour}
		young    = Author{Age: 2 * time.Hour, ApprovedPosts: 3}
		held     = Author{Age: 90 * 24 * time.Hour, ApprovedPosts: 12, Held: true}
		staff    = Author{Staff: true}
	)
	threeLinks := "참고: https://a.example/1 http://b.example/2 www.c.example"
	tests := []struct {
		name      string
		author    Author
		text      string
		recent    []string
		want      Action
		wantRules []string
		wantTerms []string
	}{
		// Ordinary posts in the three languages.
		{"Korean post", member, "지방 중소도시 야간·휴일 공공 진료를 확대해 주십시오.", nil, Publish, nil, nil},
		{"English post", newcomer, "Please extend night-time clinics in small cities.", nil, Publish, nil, nil},
		{"Chinese post", newcomer, "請擴大小城市的夜間公共醫療服務。", nil, Publish, nil, nil},
		{"empty post", newcomer, "", nil, Publish, nil, nil},
		{"Korean with two links", newcomer, "자료: [통계청](https://kostat.go.kr) 및 <https://www.korea.kr>", nil, Publish, nil, nil},

		// Banned terms.
		{"Korean obscenity", member, "이 정책은 씨발 말이 안 됩니다", nil, Hold, []string{RuleBannedTerm}, []string{"씨발"}},
		{"Korean term inside a word", member, "개새끼들아", nil, Hold, []string{RuleBannedTerm}, []string{"개새끼"}},
		{"Korean term with particle", member, "병신이 따로 없네", nil, Hold, []string{RuleBannedTerm}, []string{"병신"}},
		{"Korean term split by zero-width space", member, "씨\u200b발", nil, Hold, []string{RuleBannedTerm}, []string{"씨발"}},
		{"Korean spam phrase, extra spaces", member, "대출   문의 주세요", nil, Hold, []string{RuleBannedTerm}, []string{"대출 문의"}},
		{"Korean spam phrase across a line break", member, "급하시면\n대출\n문의", nil, Hold, []string{RuleBannedTerm}, []string{"대출 문의"}},
		{"Korean spam", member, "안전한 토토사이트 추천", nil, Hold, []string{RuleBannedTerm}, []string{"토토사이트"}},
		{"Chinese obscenity", member, "幹你娘，這什麼政策", nil, Hold, []string{RuleBannedTerm}, []string{"幹你娘"}},
		{"English obscenity", member, "This is fucking absurd.", nil, Hold, []string{RuleBannedTerm}, []string{"fucking"}},
		{"English upper case", member, "SHIT!", nil, Hold, []string{RuleBannedTerm}, []string{"shit"}},
		{"English full-width", member, "ｆｕｃｋ this", nil, Hold, []string{RuleBannedTerm}, []string{"fuck"}},
		{"English in Markdown emphasis", member, "**fuck** _shit_", nil, Hold, []string{RuleBannedTerm}, []string{"fuck", "shit"}},
		{"English before a Korean particle", member, "fuck이라고 했다", nil, Hold, []string{RuleBannedTerm}, []string{"fuck"}},
		{"English phrase", member, "Best Online  Casino bonus", nil, Hold, []string{RuleBannedTerm}, []string{"online casino"}},
		{"English after a digit is not a word start", member, "2fuck", nil, Publish, nil, nil},
		{"several terms in list order", member, "shit 씨발 fuck", nil, Hold, []string{RuleBannedTerm}, []string{"씨발", "fuck", "shit"}},
		{"term repeated once", member, "fuck fuck FUCK", nil, Hold, []string{RuleBannedTerm}, []string{"fuck"}},

		// Scunthorpe: Latin terms match whole words only.
		{"Scunthorpe", member, "Scunthorpe council, a classic case", nil, Publish, nil, nil},
		{"assessment and Hello", member, "The assessment said hello to the shell company.", nil, Publish, nil, nil},
		{"shitake is not shit", member, "Shitake mushrooms and cocktails", nil, Publish, nil, nil},
		{"casino alone is a policy topic", member, "강원랜드 카지노 규제 강화 / casino regulation", nil, Publish, nil, nil},
		{"시발점 is a starting point", member, "이 제안이 개혁의 시발점이 되길", nil, Publish, nil, nil},
		{"whole word after punctuation", member, "what the hell.", nil, Hold, []string{RuleBannedTerm}, []string{"hell"}},
		{"later occurrence whole", member, "hello, hell", nil, Hold, []string{RuleBannedTerm}, []string{"hell"}},
		{"phrase term whole", member, "a class actions suit", nil, Publish, nil, nil},
		{"phrase term", member, "a class action suit", nil, Hold, []string{RuleBannedTerm}, []string{"class action"}},
		{"leet spelling folded (issue 16)", member, "sh1t and $hit", nil, Hold, []string{RuleBannedTerm}, []string{"shit"}},

		// Links.
		{"three links, new account", newcomer, threeLinks, nil, Hold, []string{RuleTooManyLinks}, nil},
		{"three links, no approved posts", noPosts, threeLinks, nil, Hold, []string{RuleTooManyLinks}, nil},
		{"three links, young account", young, threeLinks, nil, Hold, []string{RuleTooManyLinks}, nil},
		{"three links, member", member, threeLinks, nil, Publish, nil, nil},
		{"two links, new account", newcomer, "https://a.example and https://b.example", nil, Publish, nil, nil},
		{"Markdown links", newcomer, "[a](https://a.example) [b](http://b.example) [c](https://c.example)", nil, Hold, []string{RuleTooManyLinks}, nil},
		{"autolinks", newcomer, "<https://a.example> <https://b.example> <http://c.example>", nil, Hold, []string{RuleTooManyLinks}, nil},
		{"bare www hosts", newcomer, "www.a.example www.b.example www.example.com", nil, Hold, []string{RuleTooManyLinks}, nil},
		{"upper-case schemes", newcomer, "HTTPS://A.EXAMPLE HTTP://B.EXAMPLE WWW.C.EXAMPLE", nil, Hold, []string{RuleTooManyLinks}, nil},
		{"www inside https counts once", newcomer, "https://www.a.example https://www.b.example", nil, Publish, nil, nil},
		{"Markdown link text URL counts once", newcomer, "[www.a.example](https://a.example) [https://b.example](https://b.example)", nil, Publish, nil, nil},
		{"mixed kinds", newcomer, "[a](https://a.example) <https://b.example> www.c.example", nil, Hold, []string{RuleTooManyLinks}, nil},
		{"relative Markdown links are not web links", newcomer, "[a](/p/1) [b](/p/2) [c](/p/3)", nil, Publish, nil, nil},
		{"not links", newcomer, "http:// https:// www. awww.a.example", nil, Publish, nil, nil},
		{"an e-mail address is personal data, not a link", newcomer, "e-mail a@b.example", nil, Hold, []string{RulePersonalData}, nil},
		{"links in Chinese", newcomer, "參考https://a.example、https://b.example與www.c.example", nil, Hold, []string{RuleTooManyLinks}, nil},
		{"staff with many links", staff, threeLinks + " " + threeLinks, nil, Publish, nil, nil},

		// Duplicates.
		{"duplicate", member, "같은 글입니다", []string{"다른 글", "같은 글입니다"}, Reject, []string{RuleDuplicate}, nil},
		{"duplicate, case and spaces", member, "  Same   TEXT\n", []string{"same text"}, Reject, []string{RuleDuplicate}, nil},
		{"duplicate, full-width", member, "ＡＢＣ 123", []string{"abc １２３"}, Reject, []string{RuleDuplicate}, nil},
		{"duplicate, Chinese", member, "請擴大 醫療服務", []string{"請擴大\n醫療服務"}, Reject, []string{RuleDuplicate}, nil},
		{"not a duplicate", member, "same text!", []string{"same text"}, Publish, nil, nil},
		{"spaces matter inside words", member, "sametext", []string{"same text"}, Publish, nil, nil},
		{"empty text is not a duplicate", member, "  ", []string{""}, Publish, nil, nil},
		{"staff may repeat", staff, "hello", []string{"hello"}, Publish, nil, nil},

		// Held accounts.
		{"held account", held, "평범한 의견입니다", nil, Hold, []string{RuleHeldAccount}, nil},
		{"held staff", Author{Staff: true, Held: true}, "평범한 의견입니다", nil, Publish, nil, nil},

		// Several rules: Reject wins over Hold, every rule listed.
		{"duplicate with a banned term", held, "fuck " + threeLinks, []string{"FUCK " + threeLinks},
			Reject, []string{RuleDuplicate, RuleBannedTerm, RuleHeldAccount}, []string{"fuck"}},
		{"everything", Author{Age: time.Minute, Held: true}, "씨발 " + threeLinks, []string{"씨발 " + threeLinks},
			Reject, []string{RuleDuplicate, RuleBannedTerm, RuleTooManyLinks, RuleHeldAccount}, []string{"씨발"}},
		{"banned term and links", newcomer, "토토사이트 " + threeLinks, nil,
			Hold, []string{RuleBannedTerm, RuleTooManyLinks}, []string{"토토사이트"}},
		{"staff with everything", Author{Staff: true, Held: true}, "씨발 " + threeLinks, []string{"씨발 " + threeLinks}, Publish, nil, nil},
	}
	for _, tt := range tests {
		v := rules.Check(tt.author, Post{Text: tt.text, Recent: tt.recent})
		if v.Action != tt.want || !slices.Equal(v.Rules, tt.wantRules) || !slices.Equal(v.Terms, tt.wantTerms) {
			t.Errorf("%s: Check(%+v, %q) = %+v; want %s, rules %q, terms %q", tt.name, tt.author, tt.text, v, tt.want, tt.wantRules, tt.wantTerms)
		}
		wantKey := ""
		if tt.want == Reject {
			wantKey = KeyDuplicatePost
		}
		if v.Key != wantKey {
			t.Errorf("%s: Key = %q, want %q", tt.name, v.Key, wantKey)
		}
	}
}

func TestRules_CheckUnfoldedTerms(t *testing.T) {
	// Rules built by hand rather than by ParseTerms still match as folded.
	r := Rules{BannedTerms: []string{"  ＣＡＳＩＮＯ  Site ", "", "\u200b"}, MaxLinksNew: 2}
	v := r.Check(Author{ApprovedPosts: 1}, Post{Text: "best casino site"})
	if v.Action != Hold || !slices.Equal(v.Terms, []string{"casino site"}) {
		t.Errorf("Check = %+v, want Hold on %q", v, "casino site")
	}
	if v := r.Check(Author{ApprovedPosts: 1}, Post{Text: "any text"}); v.Action != Publish {
		t.Errorf("empty terms matched: %+v", v)
	}
}

func TestRules_CheckZeroRules(t *testing.T) {
	var r Rules
	if v := r.Check(Author{ApprovedPosts: 1}, Post{Text: "https://a.example fuck"}); v.Action != Publish {
		t.Errorf("zero Rules, member: %+v, want Publish", v)
	}
	if v := r.Check(Author{}, Post{Text: "https://a.example"}); v.Action != Hold {
		t.Errorf("zero Rules, no approved posts: %+v, want Hold", v)
	}
}

func TestCountLinks(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"", 0},
		{"https://a", 1},
		{"[x](https://a)", 1},
		{"<https://a>", 1},
		{"www.example.com", 1},
		{"https://www.example.com/path?q=1#f", 1},
		{"[x](https://a) <https://a> www.example.com", 3},
		{"[https://a](https://a)", 1},
		{"[x](<https://a>)", 1},
		{"[x][1]\n\n[1]: https://a", 1},
		{"(https://a)(https://b)", 2},
		{"https://a,https://b", 1},
		{"https://ko.wikipedia.org/wiki/정부_(대한민국)", 1},
		{"www.korea.kr에서 확인", 1},
		{"https://a.example에서, https://b.example을 보세요", 2},
		{"參考https://a.example、https://b.example與www.c.example。", 3},
		{"wwwexample.com www.com", 0},
		{"ftp://a mailto:a@b.example", 0},
	}
	for _, tt := range tests {
		if got := countLinks(foldText(tt.text)); got != tt.want {
			t.Errorf("countLinks(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}

func FuzzRulesCheck(f *testing.F) {
	f.Add("씨발 https://a.example www.b.example [c](https://c.example)", "씨발", int64(time.Hour), 0, false, true)
	f.Add("Scunthorpe classic", "scunthorpe classic", int64(0), 3, false, false)
	f.Add("幹你娘 <https://a>", "", int64(-1), -1, true, false)
	f.Add("\xff\xfe[x](", "\u200b", int64(1<<62), 1, false, false)
	f.Add("ｆｕｃｋ\u3164ㅅㅂ", "ｆｕｃｋ ㅅㅂ", int64(0), 0, false, false)
	rules := DefaultRules()
	f.Fuzz(func(t *testing.T, text, recent string, age int64, approved int, staff, held bool) {
		a := Author{Age: time.Duration(age), ApprovedPosts: approved, Staff: staff, Held: held}
		v := rules.Check(a, Post{Text: text, Recent: []string{recent}})
		if !v.Action.Valid() {
			t.Fatalf("Check(%q) Action = %q, not valid", text, v.Action)
		}
		if (v.Action == Publish) != (len(v.Rules) == 0) {
			t.Fatalf("Check(%q) = %+v: Publish must list no rules and only Publish", text, v)
		}
		if (v.Action == Reject) != (v.Key != "") {
			t.Fatalf("Check(%q) = %+v: Key must be set exactly on Reject", text, v)
		}
		if staff && v.Action != Publish {
			t.Fatalf("Check(%q) for staff = %+v, want Publish", text, v)
		}
		if held && !staff && v.Action == Publish {
			t.Fatalf("Check(%q) for a held account = Publish", text)
		}
		if !staff && foldText(text) != "" && foldText(text) == foldText(recent) && v.Action != Reject {
			t.Fatalf("Check(%q) with the same recent text = %+v, want Reject", text, v)
		}
	})
}
