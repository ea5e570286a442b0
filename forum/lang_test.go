package forum

import "testing"

func TestDetectLang(t *testing.T) {
	for _, tt := range []struct{ text, author, want string }{
		{"심야 버스 노선을 늘려 주세요", "ko", "ko"},
		{"심야 버스 노선을 늘려 주세요", "en", "ko"},
		{"增加夜間公車路線", "ko", "zh"},
		{"増加夜间公交线路", "en", "zh"},
		{"夜行バスを増やしてください", "ko", "ja"},
		{"Please add late-night bus routes", "ko", "en"},
		{"Please add late-night bus routes", "en", "en"},
		{"Bitte mehr Nachtbusse", "de", "de"},
		{"Please add late-night bus routes", "zh", "en"},
		{"AI 기반 교통 신호 체계 도입", "en", "ko"},                           // Latin acronym in Korean text
		{"Please extend the 서울 night buses to Incheon", "ko", "en"}, // a Korean word in English text
		{"大韓民國 헌법 제1조", "en", "ko"},                                 // hanja among Hangul
		{"東京の夜行バス", "en", "ja"},                                     // kanji among kana
		{"12345 !!! ---", "ko", ""},
		{"", "ko", ""},
		{"Привет", "en", ""},
	} {
		if got := DetectLang(tt.text, tt.author); got != tt.want {
			t.Errorf("DetectLang(%q, %q) = %q, want %q", tt.text, tt.author, got, tt.want)
		}
	}
}
