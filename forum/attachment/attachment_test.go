package attachment

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/unicode/norm"
)

// checkCase is one input of the table: what Check must say about it.
type checkCase struct {
	name     string
	file     string // the name given to Check
	data     []byte
	kind     Kind   // the accepted kind, when err is nil
	err      error  // the sentinel the refusal wraps
	stored   string // the stored name, when not ""
	wantData []byte // the stored bytes, when not nil
}

// pdfOf is a small but complete PDF document.
func pdfOf(version string) []byte {
	return []byte("%PDF-" + version + "\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" +
		"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
}

// checkCases is the table every test of Check and the fuzz seed corpus share.
func checkCases(t testing.TB) []checkCase {
	small := pngOf(t, quadrantImage(16, 16))
	photo := jpegOf(t, quadrantImage(64, 32))
	big := pngOf(t, noiseImage(64, 64))
	eucKR, err := korean.EUCKR.NewEncoder().Bytes([]byte("안녕하세요. 민원을 드립니다.\r\n도로가 파손되었습니다.\r\n"))
	if err != nil {
		t.Fatalf("encode EUC-KR: %v", err)
	}
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), make([]byte, 64)...)
	return []checkCase{
		// Each accepted kind.
		{name: "pdf 1.7", file: "보고서.pdf", data: pdfOf("1.7"), kind: KindPDF, stored: "보고서.pdf", wantData: pdfOf("1.7")},
		{name: "pdf 2.0", file: "report.PDF", data: pdfOf("2.0"), kind: KindPDF, stored: "report.pdf"},
		{name: "png", file: "지도.png", data: small, kind: KindPNG, stored: "지도.png"},
		{name: "jpeg", file: "사진.jpeg", data: photo, kind: KindJPEG, stored: "사진.jpg"},
		{name: "hwp v3 mini stream", file: "진정서.hwp", data: cfbFile(cfbOptions{major: 3, stream: "FileHeader", content: hwpFileHeader()}),
			kind: KindHWP, stored: "진정서.hwp"},
		{name: "hwp with a short last sector", file: "a.hwp", kind: KindHWP,
			data: func() []byte {
				f := cfbFile(cfbOptions{major: 3, stream: "FileHeader", content: hwpFileHeader()})
				return f[:len(f)-100]
			}()},
		{name: "hwp v4", file: "진정서.hwp", data: cfbFile(cfbOptions{major: 4, stream: "FileHeader", content: hwpFileHeader()}), kind: KindHWP},
		{name: "hwp large FileHeader stream", file: "a.hwp",
			data: cfbFile(cfbOptions{major: 3, stream: "FileHeader", content: append(hwpFileHeader(), make([]byte, 4096)...)}), kind: KindHWP},
		{name: "hwpx", file: "건의서.hwpx", data: hwpxOf(t, hwpxBody...), kind: KindHWPX, stored: "건의서.hwpx"},
		{name: "utf-8 text", file: "메모.txt", data: []byte("도로 파손 신고\n\t위치: 시청 앞\r\n\f끝"), kind: KindText,
			wantData: []byte("도로 파손 신고\n\t위치: 시청 앞\r\n\f끝")},
		{name: "utf-8 text with BOM", file: "메모.txt", data: []byte("\ufeff민원 내용"), kind: KindText, wantData: []byte("민원 내용")},
		{name: "euc-kr text", file: "메모.txt", data: eucKR, kind: KindText,
			wantData: []byte("안녕하세요. 민원을 드립니다.\r\n도로가 파손되었습니다.\r\n")},
		{name: "text with a less-than in prose", file: "a.txt", data: []byte("if a <b and c> d, <p is fine mid-text"), kind: KindText},
		{name: "big png with an html tail", file: "x.png", data: append(bytes.Clone(big), "<html><script>alert(document.cookie)</script>"...),
			kind: KindPNG},

		// Disguised files.
		{name: "html named pdf", file: "보고서.pdf", data: []byte("<!DOCTYPE html><html><body><script>alert(1)</script>"), err: ErrType},
		{name: "html after BOM and spaces", file: "a.txt", data: []byte("\ufeff \r\n\t<HTML><p>hi"), err: ErrType},
		{name: "html weak tag at start", file: "a.txt", data: []byte("  <p onclick=x>hello"), err: ErrType},
		{name: "html comment at start", file: "a.txt", data: []byte("<!-- x --><b>bold"), err: ErrType},
		{name: "script mid-text", file: "a.txt", data: []byte("민원입니다\n<script>fetch('/x')</script>"), err: ErrType},
		{name: "pdf html polyglot", file: "a.pdf",
			data: []byte("%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n1 0 obj<<>>endobj\n%%EOF\n"), err: ErrType},
		{name: "svg", file: "logo.png", data: []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), err: ErrType},
		{name: "svg with xml declaration", file: "logo.txt", data: []byte(`<?xml version="1.0"?><svg/>`), err: ErrType},
		{name: "svg slash onload", file: "a.txt", data: []byte(`x<svg/onload=alert(1)>`), err: ErrType},
		{name: "gif", file: "cat.png", data: gifOf(t, quadrantImage(8, 8)), err: ErrType},
		{name: "exe", file: "사진.jpg", data: exe, err: ErrType},
		{name: "zip not hwpx", file: "a.hwpx", data: zipOf(t, zipEntry{name: "readme.txt", body: "hello"}), err: ErrType},
		{name: "zip with other mimetype", file: "a.hwpx",
			data: zipOf(t, zipEntry{name: "mimetype", body: "application/epub+zip", store: true}, zipEntry{name: "Contents/x", body: "x"}), err: ErrType},
		{name: "word doc", file: "a.hwp", data: cfbFile(cfbOptions{major: 3, stream: "WordDocument", content: make([]byte, 512)}), err: ErrType},
		{name: "cfb FileHeader not hwp", file: "a.hwp",
			data: cfbFile(cfbOptions{major: 3, stream: "FileHeader", content: []byte(strings.Repeat("Not a HWP header ", 8))}), err: ErrType},
		{name: "text with NUL", file: "a.txt", data: []byte("민원\x00내용"), err: ErrType},
		{name: "text with escape", file: "a.txt", data: []byte("red \x1b[31m text"), err: ErrType},
		{name: "neither utf-8 nor euc-kr", file: "a.txt", data: []byte("abc\xff\xfe\x80def"), err: ErrType},
		{name: "utf-16 text", file: "a.txt", data: []byte("\xff\xfea\x00b\x00"), err: ErrType},

		// Files that claim a kind but do not parse.
		{name: "pdf without end", file: "a.pdf", data: []byte("%PDF-1.7\n1 0 obj<<>>endobj\n"), err: ErrDamaged},
		{name: "pdf unknown version", file: "a.pdf", data: []byte("%PDF-9.9\n%%EOF\n"), err: ErrDamaged},
		{name: "png cut short", file: "a.png", data: small[:len(small)/2], err: ErrDamaged},
		{name: "png signature then garbage", file: "a.png", data: append(bytes.Clone(pngSignature), "garbage"...), err: ErrDamaged},
		{name: "jpeg cut short", file: "a.jpg", data: photo[:len(photo)/2], err: ErrDamaged},
		{name: "jpeg marker then garbage", file: "a.jpg", data: []byte("\xff\xd8\xffgarbage"), err: ErrDamaged},
		{name: "cfb header only", file: "a.hwp", data: cfbFile(cfbOptions{major: 3, stream: "FileHeader", content: hwpFileHeader()})[:512], err: ErrDamaged},
		{name: "cfb cut inside its allocation table", file: "a.hwp",
			data: cfbFile(cfbOptions{major: 3, stream: "FileHeader", content: hwpFileHeader()})[:512+300], err: ErrDamaged},
		{name: "cfb directory outside the file", file: "a.hwp",
			data: cfbFile(cfbOptions{major: 3, stream: "FileHeader", content: hwpFileHeader(), dirSector: 4000}), err: ErrDamaged},
		{name: "cfb directory chain loops", file: "a.hwp",
			data: cfbFile(cfbOptions{major: 3, stream: "FileHeader", content: hwpFileHeader(), loopDirFAT: true}), err: ErrDamaged},
		{name: "hwpx without contents", file: "a.hwpx", data: hwpxOf(t, zipEntry{name: "version.xml", body: "<v/>"}), err: ErrDamaged},
		{name: "hwpx zip bomb", file: "a.hwpx",
			data: hwpxOf(t, append(hwpxBody, zipEntry{name: "Contents/bomb.xml", body: "x", claimSize: MaxHWPXUnpacked})...), err: ErrDamaged},
		{name: "hwpx with mimetype deflated", file: "a.hwpx",
			data: zipOf(t, append([]zipEntry{{name: "mimetype", body: hwpxMIME}}, hwpxBody...)...), err: ErrDamaged},

		// Sizes.
		{name: "empty", file: "a.txt", data: nil, err: ErrEmpty},
		{name: "only a BOM", file: "a.txt", data: []byte("\ufeff"), err: ErrEmpty},
		{name: "exactly the limit", file: "a.txt", data: bytes.Repeat([]byte("가나다\n"), MaxSize/10), kind: KindText},
		{name: "one byte over", file: "a.txt", data: bytes.Repeat([]byte("a"), MaxSize+1), err: ErrTooLarge},
		{name: "png of absurd dimensions", file: "a.png", data: pngHeaderOnly(10000, 10000, 8), err: ErrTooLarge},
		{name: "16-bit png too big decoded", file: "a.png", data: pngHeaderOnly(5000, 5000, 16), err: ErrTooLarge},
		{name: "8-bit png as big passes the header", file: "a.png", data: pngHeaderOnly(5000, 5000, 8), err: ErrDamaged},
	}
}

// sentinels are the errors Check's refusals wrap.
var sentinels = []error{ErrEmpty, ErrTooLarge, ErrType, ErrDamaged}

func TestCheck(t *testing.T) {
	for _, tc := range checkCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			before := bytes.Clone(tc.data)
			f, err := Check(tc.file, tc.data)
			if !bytes.Equal(before, tc.data) {
				t.Fatal("Check modified its input")
			}
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("Check = %v, want an error wrapping %v", err, tc.err)
				}
				for _, s := range sentinels {
					if s != tc.err && errors.Is(err, s) {
						t.Errorf("Check = %v: it wraps %v too", err, s)
					}
				}
				if f.Data != nil || f.Name != "" {
					t.Errorf("refused file still returned %+v", f)
				}
				return
			}
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if f.Kind != tc.kind {
				t.Fatalf("kind = %q, want %q", f.Kind, tc.kind)
			}
			if tc.stored != "" && f.Name != tc.stored {
				t.Errorf("name = %q, want %q", f.Name, tc.stored)
			}
			if !strings.HasSuffix(f.Name, tc.kind.Ext()) {
				t.Errorf("name %q does not end with %s", f.Name, tc.kind.Ext())
			}
			if tc.wantData != nil && !bytes.Equal(f.Data, tc.wantData) {
				t.Errorf("data = %q, want %q", f.Data, tc.wantData)
			}
			sum := sha256.Sum256(f.Data)
			if f.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("SHA256 = %s, not the data's", f.SHA256)
			}
			if len(f.Data) > 0 && len(tc.data) > 0 && &f.Data[0] == &tc.data[0] {
				t.Error("the stored data shares the caller's array")
			}
		})
	}
}

// TestImagesAreReencoded proves the stored image is the pixels only: what was in the file besides them,
// in chunks or after the end, is gone, and the pixels are the same.
func TestImagesAreReencoded(t *testing.T) {
	big := pngOf(t, noiseImage(64, 64))
	if len(big) <= sniffWindow {
		t.Fatalf("the noisy PNG is %d bytes, too small to put its tail past the first KiB", len(big))
	}
	tail := "<html><script>alert(document.cookie)</script>"
	text := pngChunk("tEXt", []byte("Comment\x00GPS 37.5665N 126.9780E"))
	in := withPNGChunks(append(bytes.Clone(big), tail...), text)
	f, err := Check("x.png", in)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	for _, gone := range []string{"<script", "tEXt", "GPS", "37.5665"} {
		if bytes.Contains(f.Data, []byte(gone)) {
			t.Errorf("the stored PNG still holds %q", gone)
		}
	}
	if !bytes.HasSuffix(f.Data, pngChunk("IEND", nil)) {
		t.Error("the stored PNG does not end at IEND")
	}
	got, err := png.Decode(bytes.NewReader(f.Data))
	if err != nil {
		t.Fatalf("decode the stored PNG: %v", err)
	}
	want := noiseImage(64, 64)
	for y := range 64 {
		for x := range 64 {
			r1, g1, b1, a1 := got.At(x, y).RGBA()
			r2, g2, b2, a2 := want.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				t.Fatalf("pixel %d,%d changed: %v, want %v", x, y, got.At(x, y), want.At(x, y))
			}
		}
	}

	photo := append(jpegOf(t, quadrantImage(64, 32)), tail...)
	f, err = Check("x.jpg", photo)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if bytes.Contains(f.Data, []byte("<script")) || !bytes.HasSuffix(f.Data, []byte{0xFF, 0xD9}) {
		t.Error("the stored JPEG keeps what followed its end")
	}
}

// TestEXIFRemovedAndOrientationApplied files a phone photo whose EXIF carries GPS tags, a description and
// an orientation, and checks that none of it is stored and that the pixels were turned as it said.
func TestEXIFRemovedAndOrientationApplied(t *testing.T) {
	// In a 64×32 image whose top-left quadrant is red, where the red quadrant lands once turned upright.
	cases := []struct {
		orientation uint16
		w, h        int
		redX, redY  int // a point inside the red quadrant of the result
	}{
		{1, 64, 32, 16, 8},
		{2, 64, 32, 48, 8},  // mirrored: top-right
		{3, 64, 32, 48, 24}, // half a turn: bottom-right
		{4, 64, 32, 16, 24}, // flipped: bottom-left
		{5, 32, 64, 8, 16},  // transposed: top-left
		{6, 32, 64, 24, 16}, // a quarter clockwise: top-right
		{7, 32, 64, 24, 48}, // transversed: bottom-right
		{8, 32, 64, 8, 48},  // a quarter counter-clockwise: bottom-left
		{9, 64, 32, 16, 8},  // out of range: left as it is
	}
	isRed := func(img image.Image, x, y int) bool {
		r, g, b, _ := img.At(x, y).RGBA()
		return r>>8 > 200 && g>>8 < 60 && b>>8 < 60
	}
	for _, tc := range cases {
		in := withAPP1(jpegOf(t, quadrantImage(64, 32)), exifTIFF(tc.orientation))
		if !bytes.Contains(in, []byte("Exif")) || !bytes.Contains(in, []byte(exifSecret)) {
			t.Fatal("the test photo carries no EXIF")
		}
		if got := jpegOrientation(in); tc.orientation <= 8 && got != int(tc.orientation) {
			t.Fatalf("jpegOrientation = %d, want %d", got, tc.orientation)
		}
		f, err := Check("IMG_0001.JPG", in)
		if err != nil {
			t.Fatalf("orientation %d: Check: %v", tc.orientation, err)
		}
		for _, gone := range [][]byte{[]byte("Exif"), []byte(exifSecret), {0x88, 0x25}, []byte("MM\x00*"), []byte("II*\x00")} {
			if bytes.Contains(f.Data, gone) {
				t.Errorf("orientation %d: the stored photo still holds %q", tc.orientation, gone)
			}
		}
		img, err := jpeg.Decode(bytes.NewReader(f.Data))
		if err != nil {
			t.Fatalf("decode the stored photo: %v", err)
		}
		if b := img.Bounds(); b.Dx() != tc.w || b.Dy() != tc.h {
			t.Fatalf("orientation %d: %d×%d, want %d×%d", tc.orientation, b.Dx(), b.Dy(), tc.w, tc.h)
		}
		if !isRed(img, tc.redX, tc.redY) {
			t.Errorf("orientation %d: %d,%d is %v, want red", tc.orientation, tc.redX, tc.redY, img.At(tc.redX, tc.redY))
		}
		if isRed(img, tc.w-1-tc.redX, tc.h-1-tc.redY) {
			t.Errorf("orientation %d: the opposite quadrant is red too", tc.orientation)
		}
	}

	// A PNG may carry EXIF in an eXIf chunk; it is applied and dropped alike.
	in := withPNGChunks(pngOf(t, quadrantImage(64, 32)), pngChunk("eXIf", exifTIFF(6)))
	f, err := Check("screenshot.png", in)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if bytes.Contains(f.Data, []byte("eXIf")) || bytes.Contains(f.Data, []byte(exifSecret)) {
		t.Error("the stored PNG keeps its eXIf chunk")
	}
	img, err := png.Decode(bytes.NewReader(f.Data))
	if err != nil {
		t.Fatalf("decode the stored PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 32 || b.Dy() != 64 || !isRed(img, 24, 16) {
		t.Errorf("the PNG was not turned a quarter clockwise: %v, red at 24,16: %v", b, isRed(img, 24, 16))
	}
}

// TestOrientGrayAndGeneric turns the image types that take the other paths of orient.
func TestOrientGrayAndGeneric(t *testing.T) {
	src := quadrantImage(4, 2)
	gray := image.NewGray(src.Bounds())
	rgba64 := image.NewRGBA64(src.Bounds())
	for y := range 2 {
		for x := range 4 {
			gray.Set(x, y, src.At(x, y))
			rgba64.Set(x, y, src.At(x, y))
		}
	}
	for _, img := range []image.Image{gray, rgba64, src} {
		out := orient(img, 6)
		if b := out.Bounds(); b.Dx() != 2 || b.Dy() != 4 {
			t.Fatalf("%T: %v, want 2×4", img, b)
		}
		// A quarter clockwise: the top-left pixel goes to the top-right, the bottom-right one to the bottom-left.
		if out.At(1, 0) != convert(out, img.At(0, 0)) || out.At(0, 3) != convert(out, img.At(3, 1)) {
			t.Errorf("%T: turned wrong: %v %v", img, out.At(1, 0), out.At(0, 3))
		}
	}
}

// convert expresses c in the colour model of img, as At returns it.
func convert(img image.Image, c any) any {
	return img.ColorModel().Convert(c.(interface{ RGBA() (r, g, b, a uint32) }))
}

func TestCleanName(t *testing.T) {
	long := strings.Repeat("가", 300) + ".pdf"
	cases := []struct {
		in   string
		kind Kind
		want string
	}{
		{"../../etc/passwd", KindText, "passwd.txt"},
		{`..\..\Windows\system32\evil.exe`, KindPDF, "evil.pdf"},
		{`C:\Users\김철수\Desktop\민원.txt`, KindText, "민원.txt"},
		{"보고서.exe", KindPDF, "보고서.pdf"},
		{"photo\u202Egpj.exe", KindJPEG, "photogpj.jpg"},
		{"\u2066abc\u2069\u200f.png", KindPNG, "abc.png"},
		{"a\x00b\nc\td.txt", KindText, "abcd.txt"},
		{"  report  .PDF ", KindPDF, "report.pdf"},
		{"v1.2 final", KindText, "v1.2 final.txt"},
		{"archive.tar.gz", KindHWPX, "archive.tar.hwpx"},
		{"", KindPDF, "attachment.pdf"},
		{"...", KindText, "attachment.txt"},
		{"..", KindText, "attachment.txt"},
		{".hidden", KindText, "hidden.txt"},
		{"dir/", KindHWP, "attachment.hwp"},
		{"a\u00a0b.txt", KindText, "a b.txt"},
		{"bad\xffutf8.txt", KindText, "badutf8.txt"},
		{norm.NFD.String("한글 문서.hwp"), KindHWP, "한글 문서.hwp"},
		{long, KindPDF, strings.Repeat("가", 96) + ".pdf"},
		{strings.Repeat("a", 98) + " .b.txt", KindHWPX, strings.Repeat("a", 95) + ".hwpx"},
	}
	for _, tc := range cases {
		got := CleanName(tc.in, tc.kind)
		if got != tc.want {
			t.Errorf("CleanName(%q, %s) = %q, want %q", tc.in, tc.kind, got, tc.want)
		}
		if n := utf8.RuneCountInString(got); n > maxNameRunes {
			t.Errorf("CleanName(%q) has %d runes", tc.in, n)
		}
		if !norm.NFC.IsNormalString(got) {
			t.Errorf("CleanName(%q) = %q is not NFC", tc.in, got)
		}
	}
}

func TestKinds(t *testing.T) {
	want := map[Kind][2]string{
		KindPDF:  {"application/pdf", ".pdf"},
		KindPNG:  {"image/png", ".png"},
		KindJPEG: {"image/jpeg", ".jpg"},
		KindHWP:  {"application/x-hwp", ".hwp"},
		KindHWPX: {"application/hwp+zip", ".hwpx"},
		KindText: {"text/plain; charset=utf-8", ".txt"},
		"gif":    {"application/octet-stream", ".bin"},
	}
	for k, w := range want {
		if k.MIME() != w[0] || k.Ext() != w[1] {
			t.Errorf("%q: MIME %q Ext %q, want %q %q", k, k.MIME(), k.Ext(), w[0], w[1])
		}
	}
}

// TestHWPXEntryLimit refuses an HWPX package that lists more entries than any document needs.
func TestHWPXEntryLimit(t *testing.T) {
	entries := append([]zipEntry(nil), hwpxBody...)
	for range MaxHWPXEntries {
		entries = append(entries, zipEntry{name: "Contents/x", body: "", store: true})
	}
	if _, err := Check("a.hwpx", hwpxOf(t, entries...)); !errors.Is(err, ErrDamaged) {
		t.Fatalf("Check = %v, want ErrDamaged", err)
	}
}

// FuzzCheck feeds Check arbitrary bytes: it must never panic, and whatever it accepts must hold to the
// promises of File.
func FuzzCheck(f *testing.F) {
	for _, tc := range checkCases(f) {
		if len(tc.data) <= 64<<10 {
			f.Add(tc.file, tc.data)
		}
	}
	f.Add("x.jpg", withAPP1(jpegOf(f, quadrantImage(16, 8)), exifTIFF(6)))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		file, err := Check(name, data)
		if err != nil {
			n := 0
			for _, s := range sentinels {
				if errors.Is(err, s) {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("Check = %v wraps %d of the sentinel errors, want 1", err, n)
			}
			return
		}
		if len(file.Data) == 0 || len(file.Data) > MaxSize {
			t.Fatalf("accepted %d bytes", len(file.Data))
		}
		if sum := sha256.Sum256(file.Data); file.SHA256 != hex.EncodeToString(sum[:]) {
			t.Fatal("SHA256 is not the data's")
		}
		if !strings.HasSuffix(file.Name, file.Kind.Ext()) || strings.ContainsAny(file.Name, `/\`) ||
			!utf8.ValidString(file.Name) || utf8.RuneCountInString(file.Name) > maxNameRunes {
			t.Fatalf("bad stored name %q", file.Name)
		}
		if file.Kind == KindText && !utf8.Valid(file.Data) {
			t.Fatal("stored text is not UTF-8")
		}
		again, err := Check(file.Name, file.Data)
		if err != nil || again.Kind != file.Kind {
			t.Fatalf("the stored %s is refused on a second check: %v (%s)", file.Kind, err, again.Kind)
		}
	})
}

// TestMutatedContainers corrupts the structures the package parses by hand (the compound file's header,
// allocation table and directory; the EXIF block; the ZIP's headers) a few bytes at a time, and cuts
// files short, with a seeded generator: Check must never panic, and must either accept or refuse with
// exactly one sentinel.
func TestMutatedContainers(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 17))
	bases := map[string][]byte{
		"hwp":  cfbFile(cfbOptions{major: 3, stream: "FileHeader", content: hwpFileHeader()}),
		"hwp4": cfbFile(cfbOptions{major: 4, stream: "FileHeader", content: hwpFileHeader()}),
		"jpeg": withAPP1(jpegOf(t, quadrantImage(16, 8)), exifTIFF(6)),
		"hwpx": hwpxOf(t, hwpxBody...),
	}
	for name, base := range bases {
		// Where the hand-parsed structures are: the first three sectors of the compound file, the
		// EXIF block, the whole ZIP.
		span := min(len(base), 4*512)
		if name == "hwp4" {
			span = len(base)
		}
		if name == "jpeg" {
			span = 2 + 4 + 6 + len(exifTIFF(6))
		}
		for range 3000 {
			data := bytes.Clone(base)
			for range 1 + r.IntN(4) {
				data[r.IntN(span)] = byte(r.Uint32())
			}
			if r.IntN(3) == 0 { // and cut short
				data = data[:1+r.IntN(len(data))]
			}
			_, err := Check(name, data)
			if err == nil {
				continue
			}
			n := 0
			for _, s := range sentinels {
				if errors.Is(err, s) {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%s: Check = %v wraps %d sentinels", name, err, n)
			}
		}
	}
}

// TestHWPXMimetypeMustOpenTheFile refuses a ZIP whose central directory lists mimetype first while
// another entry opens the file: the type named in the clear at offset 0 is what readers trust.
func TestHWPXMimetypeMustOpenTheFile(t *testing.T) {
	z := zipOf(t, append([]zipEntry{{name: "Contents/a.xml", body: "<x/>", store: true},
		{name: "mimetype", body: hwpxMIME, store: true}}, hwpxBody...)...)
	// Swap the first two records of the central directory.
	le := binary.LittleEndian
	eocd := bytes.LastIndex(z, []byte("PK\x05\x06"))
	cd := int(le.Uint32(z[eocd+16:]))
	record := func(at int) int {
		return 46 + int(le.Uint16(z[at+28:])) + int(le.Uint16(z[at+30:])) + int(le.Uint16(z[at+32:]))
	}
	n1 := record(cd)
	n2 := record(cd + n1)
	first, second := bytes.Clone(z[cd:cd+n1]), bytes.Clone(z[cd+n1:cd+n1+n2])
	copy(z[cd:], second)
	copy(z[cd+n2:], first)
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil || zr.File[0].Name != "mimetype" {
		t.Fatalf("the rebuilt ZIP does not list mimetype first: %v", err)
	}
	if _, err := Check("a.hwpx", z); !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "start of the file") {
		t.Fatalf("Check = %v, want ErrDamaged for a mimetype entry that does not open the file", err)
	}
}

// BenchmarkCheckPhoto measures Check on a 12-megapixel phone photo (4000×3000, about 5 MiB) turned by its
// EXIF orientation: decoding, turning and re-encoding it is the cost of an attachment.
func BenchmarkCheckPhoto(b *testing.B) {
	img := image.NewNRGBA(image.Rect(0, 0, 4000, 3000))
	r := rand.New(rand.NewPCG(3, 4))
	for y := range 3000 {
		for x := range 4000 {
			// Smooth gradients with grain, roughly as compressible as a photo.
			g := byte(r.IntN(24))
			img.SetNRGBA(x, y, color.NRGBA{R: byte(x/16) + g, G: byte(y/12) + g, B: byte((x+y)/28) + g, A: 0xFF})
		}
	}
	photo := withAPP1(jpegOf(b, img), exifTIFF(6))
	b.Logf("photo: %d bytes", len(photo))
	b.SetBytes(int64(len(photo)))
	for b.Loop() {
		if _, err := Check("IMG_0001.JPG", photo); err != nil {
			b.Fatal(err)
		}
	}
}
