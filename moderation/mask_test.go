package moderation

import (
	"strings"
	"testing"
)

func TestMaskPersonalData(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"연락처는 010-1234-5678 입니다", "연락처는 ○○○ 입니다"},
		{"전화 (02) 123-4567, 메일 Kim.Min@Example.KR 로", "전화 ○○○, 메일 ○○○ 로"},
		{"주민번호 900101-1234567 을 적었습니다", "주민번호 ○○○ 을 적었습니다"},
		{"카드 4111 1111 1111 1111 분실", "카드 ○○○ 분실"},
		{"전각 ０１０-１２３４-５６７８", "전각 ○○○"},
		{"# 제목\n\n금액 1,000,000원, 2026-02-13, 제35조", "# 제목\n\n금액 1,000,000원, 2026-02-13, 제35조"},
		{"주소는 서울특별시 종로구 세종대로 209 입니다", "주소는 ○○○ 입니다"},
		{"세종특별자치시 도움6로 11, 101동 1203호에 삽니다", "○○○에 삽니다"},
		{"집은 수원시 팔달구 효원로 241번길 12-3 3층", "집은 ○○○"},
		{"역삼동 123-45번지 앞 도로", "○○○ 앞 도로"},
		{"도로교통법 제35조와 세종로 정책", "도로교통법 제35조와 세종로 정책"},
	} {
		got := MaskPersonalData(c.in)
		if got != c.want {
			t.Errorf("MaskPersonalData(%q) = %q, want %q", c.in, got, c.want)
		}
		if kinds := FindPersonalData(got); len(kinds) > 0 {
			t.Errorf("MaskPersonalData(%q) left %v", c.in, kinds)
		}
	}
	// Several in one text, each masked; the lines stay.
	in := "A 010 1234 5678\nB a@b.co\nC 010-9876-5432"
	if got := MaskPersonalData(in); strings.Count(got, PersonalMask) != 3 || strings.Count(got, "\n") != 2 {
		t.Errorf("MaskPersonalData(%q) = %q", in, got)
	}
}
