package textdiff

import (
	"strings"
	"testing"
)

// changes lists the runs Diff marks, as "-text" and "+text".
func changes(ops []Op) []string {
	var out []string
	for _, op := range ops {
		switch op.Kind {
		case Insert:
			out = append(out, "+"+op.Text)
		case Delete:
			out = append(out, "-"+op.Text)
		}
	}
	return out
}

// rebuild checks that ops give back old and new.
func rebuild(t *testing.T, ops []Op, old, new string) {
	t.Helper()
	var a, b strings.Builder
	for _, op := range ops {
		if op.Kind != Insert {
			a.WriteString(op.Text)
		}
		if op.Kind != Delete {
			b.WriteString(op.Text)
		}
	}
	if a.String() != old || b.String() != new {
		t.Errorf("ops rebuild %q → %q, want %q → %q", a.String(), b.String(), old, new)
	}
}

func TestDiff_KoreanCharacterLevel(t *testing.T) {
	old := "서울시 버스 요금을 내려 주세요."
	new := "서울시 버스 요금은 내려 주세요."
	ops := Diff(old, new)
	rebuild(t, ops, old, new)
	got := strings.Join(changes(ops), " ")
	if got != "-을 +은" {
		t.Errorf("changes = %q, want only the particle: \"-을 +은\"", got)
	}
	// A whole changed word inside a sentence: only that word is marked.
	old2, new2 := "초등학교 앞 횡단보도에 신호등을 설치해 주세요", "초등학교 앞 육교에 신호등을 설치해 주세요"
	ops = Diff(old2, new2)
	rebuild(t, ops, old2, new2)
	if got := strings.Join(changes(ops), " "); got != "-횡단보도 +육교" {
		t.Errorf("changes = %q, want \"-횡단보도 +육교\"", got)
	}
}

func TestDiff_ChineseCharacterLevel(t *testing.T) {
	old, new := "請在學校門口設置紅綠燈", "請在醫院門口設置紅綠燈"
	ops := Diff(old, new)
	rebuild(t, ops, old, new)
	if got := strings.Join(changes(ops), " "); got != "-學校 +醫院" {
		t.Errorf("changes = %q", got)
	}
}

func TestDiff_EnglishWordLevel(t *testing.T) {
	old, new := "Please lower the bus fare in Seoul.", "Please lower the subway fare in Seoul."
	ops := Diff(old, new)
	rebuild(t, ops, old, new)
	if got := strings.Join(changes(ops), " "); got != "-bus +subway" {
		t.Errorf("changes = %q, want whole words", got)
	}
	// A word that changed by a letter is marked whole, not letter by letter.
	ops = Diff("the colour red", "the color red")
	if got := strings.Join(changes(ops), " "); got != "-colour +color" {
		t.Errorf("changes = %q, want the whole word", got)
	}
}

func TestDiff_Mixed(t *testing.T) {
	old := "KTX 요금을 10% 내려 주세요 (Seoul–Busan)"
	new := "SRT 요금도 10% 내려 주세요 (Seoul–Mokpo)"
	ops := Diff(old, new)
	rebuild(t, ops, old, new)
	got := changes(ops)
	want := []string{"-KTX", "+SRT", "-을", "+도", "-Busan", "+Mokpo"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("changes = %q, want %q", got, want)
	}
}

func TestDiff_Empty(t *testing.T) {
	if ops := Diff("", ""); len(ops) != 0 || Changed(ops) {
		t.Errorf("Diff of two empty texts = %v", ops)
	}
	ops := Diff("", "새 본문")
	rebuild(t, ops, "", "새 본문")
	if len(ops) != 1 || ops[0].Kind != Insert {
		t.Errorf("from empty = %v, want one insertion", ops)
	}
	ops = Diff("옛 본문", "")
	if len(ops) != 1 || ops[0].Kind != Delete {
		t.Errorf("to empty = %v, want one deletion", ops)
	}
	if ops := Diff("같다", "같다"); Changed(ops) {
		t.Errorf("identical texts changed: %v", ops)
	}
}

func TestTokens(t *testing.T) {
	for in, want := range map[string]string{
		"hello, world":  "hello|,| |world",
		"한국어 text":      "한|국|어| |text",
		"don't  stop\n": "don't|  |stop|\n",
		"":              "",
		"漢字かなカナ":        "漢|字|か|な|カ|ナ",
		"a1-b2 x":       "a1|-|b2| |x",
	} {
		if got := strings.Join(Tokens(in), "|"); got != want {
			t.Errorf("Tokens(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestChangedPercent(t *testing.T) {
	for _, tc := range []struct {
		old, new string
		want     int
	}{
		{"같은 글", "같은 글", 0},
		{"", "새 글", 100},
		{"abcd efgh", "", 100},
		{"가나다라마바사아자차", "가나다라마바사아자카", 10}, // one of ten characters
		{"one two three four", "one two three four five six seven eight nine", 60},
	} {
		if got := ChangedPercent(tc.old, tc.new); got != tc.want {
			t.Errorf("ChangedPercent(%q, %q) = %d, want %d", tc.old, tc.new, got, tc.want)
		}
	}
}

func TestDiff_ManyTokens(t *testing.T) {
	// More distinct tokens than the runes below the surrogate range.
	var a, b strings.Builder
	for i := 0; i < 60000; i++ {
		a.WriteString("w")
		a.WriteString(strings.Repeat("x", i%7))
		a.WriteString(string(rune('a' + i%26)))
		a.WriteString(string(rune('A' + i/26%26)))
		a.WriteString(string(rune('a' + i/676%26)))
		a.WriteString(" ")
	}
	b.WriteString(a.String())
	b.WriteString("끝")
	ops := Diff(a.String(), b.String())
	rebuild(t, ops, a.String(), b.String())
	if got := changes(ops); len(got) != 1 || got[0] != "+끝" {
		t.Errorf("changes = %v", got)
	}
}
