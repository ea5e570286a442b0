package web

import "testing"

// TestWithParticles puts words into messages that mark their particles and
// checks each particle chosen by the word's last sound.
func TestWithParticles(t *testing.T) {
	for _, tc := range []struct {
		f    string
		arg  any
		want string
	}{
		{"%s(으)로 이관", "국토교통부", "국토교통부로 이관"},
		{"%s(으)로 이관", "서울", "서울로 이관"}, // ㄹ takes 로
		{"%s(으)로 이관", "환경부", "환경부로 이관"},
		{"%s(으)로 정합니다", "법", "법으로 정합니다"},
		{"%s(으)로", "교육부", "교육부로"},
		{"%s(으)로", "행정안전부", "행정안전부로"},
		{"%s(으)로", "문화체육관광부", "문화체육관광부로"},
		{"%s(으)로", "산업통상자원부", "산업통상자원부로"},
		{"%s(으)로", "중소벤처기업부", "중소벤처기업부로"},
		{"%s(으)로", "국가보훈처", "국가보훈처로"},
		{"%s(으)로", "인사혁신처", "인사혁신처로"},
		{"%s(으)로", "경찰청", "경찰청으로"},
		{"%s(으)로", "관세청", "관세청으로"},
		{"%s(으)로", "user@example.kr", "user@example.kr로"},    // 알
		{"%s(으)로", "user@example.com", "user@example.com으로"}, // 엠
		{"%s이(가) 숨겨졌습니다", "의견", "의견이 숨겨졌습니다"},
		{"%s이(가) 숨겨졌습니다", "제안", "제안이 숨겨졌습니다"},
		{"%s이(가) 숨겨졌습니다", "부처", "부처가 숨겨졌습니다"},
		{"%s이(가) 숨겨졌습니다", "댓글", "댓글이 숨겨졌습니다"},
		{"%s을(를) 보세요", "제안", "제안을 보세요"},
		{"%s을(를) 보세요", "토론", "토론을 보세요"},
		{"%s을(를) 보세요", "답변서", "답변서를 보세요"},
		{"%s은(는)", "환경부", "환경부는"},
		{"%s은(는)", "국토교통부", "국토교통부는"},
		{"%s은(는)", "경찰청", "경찰청은"},
		{"%s와(과) 함께", "환경부", "환경부와 함께"},
		{"%s와(과) 함께", "경찰청", "경찰청과 함께"},
		{"%s과(와) 함께", "국토교통부", "국토교통부와 함께"},
		{"%s(이)라는 제안", "교통", "교통이라는 제안"},
		{"%s(이)라는 제안", "도서관 야간 개방", "도서관 야간 개방이라는 제안"},
		{"%s(이)라는 제안", "버스", "버스라는 제안"},
		// Numbers by their Korean reading.
		{"%s(으)로", "1", "1로"},    // 일: ㄹ
		{"%s이(가)", "1", "1이"},    // 일
		{"%s을(를)", "1", "1을"},    // 일
		{"%s(으)로", "2", "2로"},    // 이
		{"%s이(가)", "2", "2가"},    // 이
		{"%s(으)로", "3", "3으로"},   // 삼
		{"%s이(가)", "3", "3이"},    // 삼
		{"%s(으)로", "6", "6으로"},   // 육
		{"%s(으)로", "7", "7로"},    // 칠
		{"%s을(를)", "9", "9를"},    // 구
		{"%s(으)로", "10", "10으로"}, // 십
		{"%s(으)로", "100", "100으로"},
		{"%s(으)로", "1000", "1000으로"},
		{"%s이(가)", "50,000", "50,000이"},                       // 오만
		{"%s이(가)", "0", "0이"},                                 // 영
		{"%s이(가)", "1,000,000,000,000", "1,000,000,000,000가"}, // 일조
		{"%s이(가)", "50%", "50%가"},
		// Latin letters by their names.
		{"%s은(는)", "KTX", "KTX는"},
		{"%s은(는)", "IBM", "IBM은"},
		{"%s(으)로", "SRT", "SRT로"},
		{"%s(으)로", "ARS", "ARS로"},
		{"%s(으)로", "LH", "LH로"},
		{"%s을(를)", "ARS", "ARS를"},
		{"%s이(가)", "Seoul", "Seoul이"}, // 엘
		// Closing quotes and brackets are looked through.
		{"%s이(가)", "「버스 노선 조정」", "「버스 노선 조정」이"},
		{"%s을(를)", "\"지하철\"", "\"지하철\"을"},
		// What cannot be read keeps both forms.
		{"%s이(가)", "交通部", "交通部이(가)"},
		{"%s(으)로", "", "(으)로"},
		{"%s(으)로", "🚌", "🚌(으)로"},
		// A marker inside the inserted text is the user's, not the catalog's.
		{"%s 접수", "제안(으)로", "제안(으)로 접수"},
		// No marker, no change; %% as fmt writes it.
		{"%s에서 %d%% 증가", "서울", "서울에서 5% 증가"},
	} {
		var got string
		if tc.want == "서울에서 5% 증가" {
			got = withParticles(tc.f, tc.arg, 5)
		} else {
			got = withParticles(tc.f, tc.arg)
		}
		if got != tc.want {
			t.Errorf("withParticles(%q, %q) = %q, want %q", tc.f, tc.arg, got, tc.want)
		}
	}
	// Two inserted words, each with its own particle.
	if got, want := withParticles("%s에서 %s(으)로 이관되었습니다. 사유: %s", "보건복지부", "경찰청", "소관(이)가 다름"),
		"보건복지부에서 경찰청으로 이관되었습니다. 사유: 소관(이)가 다름"; got != want {
		t.Errorf("two words: %q, want %q", got, want)
	}
	// A message without arguments is returned as written, markers resolved.
	if got := withParticles("100%% 제안(이)라"); got != "100%% 제안이라" {
		t.Errorf("no args: %q", got)
	}
}
