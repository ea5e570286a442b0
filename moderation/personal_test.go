package moderation

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestFindPersonalData(t *testing.T) {
	const (
		phone = PersonalPhone
		rrn   = PersonalRRN
		email = PersonalEmail
		card  = PersonalCard
	)
	tests := []struct {
		name string
		text string
		want []PersonalKind
	}{
		// Phones.
		{"mobile with dashes", "연락 주세요 010-1234-5678 으로요", []PersonalKind{phone}},
		{"mobile bare", "제 번호는01012345678입니다", []PersonalKind{phone}},
		{"mobile with dots", "010.1234.5678", []PersonalKind{phone}},
		{"mobile with spaces", "010 1234 5678", []PersonalKind{phone}},
		{"old mobile", "011-123-4567로 연락", []PersonalKind{phone}},
		{"Seoul", "사무실 02-123-4567", []PersonalKind{phone}},
		{"Seoul in parentheses", "(02)1234-5678", []PersonalKind{phone}},
		{"province", "031-987-6543", []PersonalKind{phone}},
		{"international", "+82 10 1234 5678", []PersonalKind{phone}},
		{"international dashed", "+82-10-1234-5678", []PersonalKind{phone}},
		{"international with (0)", "+82 (0)2 123 4567", []PersonalKind{phone}},
		{"full-width digits", "０１０－１２３４－５６７８", []PersonalKind{phone}},
		// RRNs.
		{"RRN with dash and check digit", "주민번호 900101-1234568 입니다", []PersonalKind{rrn}},
		{"RRN with dash, bad check digit (issued since 2020)", "900101-1234567", []PersonalKind{rrn}},
		{"RRN bare with check digit", "8505152345679", []PersonalKind{rrn}},
		{"RRN bare born 2021, no check digit", "2111153123456", []PersonalKind{rrn}},
		{"RRN spaced dash", "850515 - 2345679", []PersonalKind{rrn}},
		// E-mail.
		{"e-mail", "메일은 hong.gildong@example.co.kr 로", []PersonalKind{email}},
		{"e-mail upper case", "HONG@EXAMPLE.KR", []PersonalKind{email}},
		{"e-mail in a Markdown autolink", "<mailto:someone@naver.com>", []PersonalKind{email}},
		// Cards.
		{"card in groups", "카드 4111 1111 1111 1111 결제", []PersonalKind{card}},
		{"card with dashes", "4111-1111-1111-1111", []PersonalKind{card}},
		{"card bare", "4111111111111111", []PersonalKind{card}},
		{"Amex", "3782 822463 10005", []PersonalKind{card}},
		{"Korean domestic card", "9410-1234-1234-1237", []PersonalKind{card}},
		// Several at once.
		{"phone and e-mail", "010-1234-5678, hong@example.kr", []PersonalKind{phone, email}},

		// Ordinary numbers.
		{"amount", "예산 1,000,000원을 증액해야 합니다", nil},
		{"large amount", "총 12,345,678,901원", nil},
		{"years", "2019년부터 2024년까지", nil},
		{"year list", "2024 2025 2026 2027 연도별 계획", nil},
		{"date", "2024-03-15에 시행", nil},
		{"dotted date", "2024.03.15.", nil},
		{"law article", "제10조 제2항, 법률 제12345호", nil},
		{"proposal id", "제안 #123456 참고", nil},
		{"population", "인구 51,740,000명", nil},
		{"percentages", "0.5%에서 10.25%로", nil},
		{"part of a longer number", "12010-1234-56789", nil},
		{"RRN-like bare with bad checksum, born 1990", "9001011234567", nil},
		{"RRN-like with invalid date", "901301-1234567", nil},
		{"RRN-like with Feb 30", "900230-1234567", nil},
		{"RRN-like with gender 9", "900101-9234567", nil},
		{"card-like failing Luhn", "4111 1111 1111 1112", nil},
		{"handle, not an address", "@홍길동 님 의견에 동의", nil},
		{"decimal phone-like", "3.010.1234.5678", nil},
		{"version", "v1.02.123", nil},
		{"time span", "09:00-18:00", nil},
		{"statute number", "법률 제17799호(2020. 12. 29.)", nil},
		{"zip code", "우편번호 04524", nil},
		{"business number", "고객센터 1588-1234", nil},
	}
	for _, tt := range tests {
		if got := FindPersonalData(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("%s: FindPersonalData(%q) = %v, want %v", tt.name, tt.text, got, tt.want)
		}
	}
}

func TestRules_Check_PersonalData(t *testing.T) {
	rules := DefaultRules()
	member := Author{Age: 90 * 24 * time.Hour, ApprovedPosts: 12}
	v := rules.Check(member, Post{Text: "제 번호 010-1234-5678로 연락 주세요"})
	if v.Action != Hold || !slices.Equal(v.Rules, []string{RulePersonalData}) {
		t.Errorf("phone number: %+v, want held for %s", v, RulePersonalData)
	}
	if v := rules.Check(member, Post{Text: "예산 1,000,000원, 2024-03-15 시행, 제10조"}); v.Action != Publish {
		t.Errorf("ordinary numbers: %+v", v)
	}
	if v := rules.Check(Author{Staff: true}, Post{Text: "문의: 02-2100-1234"}); v.Action != Publish {
		t.Errorf("staff giving an office number: %+v", v)
	}
	if RulePersonalData != string(HidePersonalData) || !HideReason(RulePersonalData).Valid() {
		t.Error("RulePersonalData must be the public reason code personal_data")
	}
}

// FuzzFindPersonalData: any text is scanned without a panic, and in
// reasonable time whatever its length.
func FuzzFindPersonalData(f *testing.F) {
	for _, s := range []string{"010-1234-5678", "900101-1234568", "a@b.kr", "4111 1111 1111 1111", strings.Repeat("0", 40), "+82 (0)2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { FindPersonalData(s) })
}
