package ogcard

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"strings"
	"testing"

	"golang.org/x/image/font"
)

// fontPath is the shipped card font, in the assets.
const fontPath = "../../assets/fonts/pretendard-gov-1.3.9/PretendardGOV-Bold.subset.otf"

func drawer(t testing.TB) *Drawer {
	t.Helper()
	b, err := os.ReadFile(fontPath)
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the card is no PNG: %v", err)
	}
	return img
}

// differing counts the pixels of the title area that differ between a and b.
func differing(a, b image.Image, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				n++
			}
		}
	}
	return n
}

// TestDraw_HangulTitle: the card is a 1200×630 PNG; a Hangul title puts
// ink where a card without a title has none, the font has every glyph of
// it, and another title draws other pixels.
func TestDraw_HangulTitle(t *testing.T) {
	d := drawer(t)
	base := Card{Site: "국민제안", Status: "지지 모으는 중", Count: "1,234 / 50,000명", Supports: 1234, Goal: 50000}
	with := base
	with.Title = "어린이 보호구역 과속 단속 카메라를 늘려 주세요"
	other := base
	other.Title = "공공 도서관 야간 개관을 확대해 주세요"

	blankPNG, err := d.Draw(base)
	if err != nil {
		t.Fatal(err)
	}
	withPNG, err := d.Draw(with)
	if err != nil {
		t.Fatal(err)
	}
	otherPNG, err := d.Draw(other)
	if err != nil {
		t.Fatal(err)
	}
	blank, img, img2 := decode(t, blankPNG), decode(t, withPNG), decode(t, otherPNG)
	if b := img.Bounds(); b.Dx() != Width || b.Dy() != Height || Width != 1200 || Height != 630 {
		t.Fatalf("card is %v, want 1200×630", b)
	}
	titleArea := image.Rect(margin, titleTop, Width-margin, titleTop+TitleLines*titleLead)
	if n := differing(blank, img, titleArea); n < 2000 {
		t.Errorf("the Hangul title changed %d pixels of the title area, want thousands", n)
	}
	if n := differing(img, img2, titleArea); n < 2000 {
		t.Errorf("two titles differ in %d pixels, want thousands", n)
	}
	// A Chinese title, which the font cannot draw, is left out rather
	// than drawn as empty boxes.
	han := base
	han.Title = "增加學校周邊測速照相機"
	hanPNG, err := d.Draw(han)
	if err != nil {
		t.Fatal(err)
	}
	if n := differing(blank, decode(t, hanPNG), titleArea); n != 0 {
		t.Errorf("a title the font cannot draw changed %d pixels, want none (no empty boxes)", n)
	}
	if m := d.Missing(with.Title + base.Status + base.Count + base.Site); len(m) != 0 {
		t.Errorf("the card font lacks %q", string(m))
	}
	// The font really draws Hangul: a glyph the font lacks (a Han character,
	// which Pretendard does not carry) is reported missing.
	if m := d.Missing("政府 가"); string(m) != "政府" {
		t.Errorf("Missing(政府 가) = %q, want 政府", string(m))
	}
}

// TestWrap: a long title wraps at spaces into at most three lines, each
// fitting the width, and ends with an ellipsis; a long run without spaces
// is cut inside; a short title stays one line.
func TestWrap(t *testing.T) {
	d := drawer(t)
	face, err := d.face(titleSize)
	if err != nil {
		t.Fatal(err)
	}
	defer face.Close()
	long := strings.Repeat("국민 제안 제도를 더 쉽게 만들어 주세요 ", 8)
	lines := Wrap(face, long, Width-2*margin, TitleLines)
	if len(lines) != TitleLines || !strings.HasSuffix(lines[2], "…") {
		t.Fatalf("Wrap(long) = %q, want 3 lines ending in …", lines)
	}
	for _, l := range lines {
		if w := measure(face, l); w > Width-2*margin {
			t.Errorf("line %q is %d px wide, more than %d", l, w, Width-2*margin)
		}
		if strings.HasPrefix(l, " ") {
			t.Errorf("line %q starts with a space", l)
		}
	}
	run := strings.Repeat("가", 40)
	lines = Wrap(face, run, Width-2*margin, TitleLines)
	if len(lines) < 2 || strings.Join(lines, "") != run {
		t.Errorf("Wrap(40 syllables) = %q, want the run cut across lines", lines)
	}
	if got := Wrap(face, "짧은 제목", Width-2*margin, TitleLines); len(got) != 1 || got[0] != "짧은 제목" {
		t.Errorf("Wrap(short) = %q", got)
	}
}

func measure(face font.Face, s string) int { return font.MeasureString(face, s).Ceil() }

// BenchmarkDraw draws one card, as a cache miss does.
func BenchmarkDraw(b *testing.B) {
	d := drawer(b)
	c := Card{Site: "국민제안", Title: "어린이 보호구역 과속 단속 카메라를 늘려 주세요: 통학로마다 한 대씩, 예산은 범칙금으로", Status: "지지 모으는 중",
		Count: "31,234 / 50,000명", Supports: 31234, Goal: 50000}
	for b.Loop() {
		if _, err := d.Draw(c); err != nil {
			b.Fatal(err)
		}
	}
}
