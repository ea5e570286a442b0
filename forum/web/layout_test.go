package web

import (
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/e-people/e-people/assets"
)

// fontCSS is the web font's own style sheet, under its release's folder.
const fontCSS = "fonts/pretendard-gov-1.3.9/pretendard-gov.css"

// TestAssets_WebFont checks the shipped Pretendard GOV: every face its style
// sheet declares is a woff2 file that is served, as a font, immutable for a
// year; no file ships that no face uses; the faces cover only the two weights
// shipped, and every weight the site's style sheet asks for falls in one of
// them; the font comes first in the stack; pages link the font's style sheet
// by a versioned URL.
func TestAssets_WebFont(t *testing.T) {
	e := newEnv(t)
	c := e.client()

	sheet := c.get("/assets/" + fontCSS)
	if sheet.Status != 200 || !strings.HasPrefix(sheet.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("font style sheet: %d %s", sheet.Status, sheet.Header.Get("Content-Type"))
	}
	faces := regexp.MustCompile(`@font-face\{([^}]*)\}`).FindAllStringSubmatch(sheet.Body, -1)
	if len(faces) != 240 {
		t.Errorf("%d faces, want 240 (120 subsets in two weights)", len(faces))
	}
	field := func(face, name string) string {
		m := regexp.MustCompile(name + `:([^;]+)(;|$)`).FindStringSubmatch(face)
		if m == nil {
			t.Fatalf("face without %s: %.200s", name, face)
		}
		return m[1]
	}
	used := map[string]bool{}
	weights := map[string]int{}
	for _, f := range faces {
		face := f[1]
		if got := field(face, "font-family"); got != `"Pretendard GOV"` {
			t.Errorf("font-family %s", got)
		}
		if got := field(face, "font-display"); got != "swap" {
			t.Errorf("font-display %s", got)
		}
		if !strings.HasPrefix(field(face, "unicode-range"), "U+") {
			t.Errorf("face without a unicode-range: %.200s", face)
		}
		weights[field(face, "font-weight")]++
		src := regexp.MustCompile(`^url\(([^)]+\.woff2)\) format\("woff2"\)$`).FindStringSubmatch(field(face, "src"))
		if src == nil {
			t.Fatalf("src is not one woff2 file: %.200s", face)
		}
		used[src[1]] = true
	}
	if len(weights) != 2 || weights["400 500"] != 120 || weights["600 900"] != 120 {
		t.Errorf("weights %v, want Regular (400 500) and Bold (600 900), 120 subsets each", weights)
	}

	// Every file a face names is served as a font, cacheable for good.
	for name := range used {
		r := c.get("/assets/fonts/pretendard-gov-1.3.9/" + name)
		if r.Status != 200 || r.Header.Get("Content-Type") != "font/woff2" || len(r.Body) < 100 || r.Body[:4] != "wOF2" {
			t.Fatalf("%s: %d %q %d bytes", name, r.Status, r.Header.Get("Content-Type"), len(r.Body))
		}
		if got := r.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Fatalf("%s: Cache-Control %q", name, got)
		}
		if r.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: compressed again (%s)", name, r.Header.Get("Content-Encoding"))
		}
	}
	// Every font file shipped is named by a face; the licence ships beside them.
	files, err := fs.Glob(assets.FS, "fonts/*/*.woff2")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !strings.HasPrefix(f, "fonts/pretendard-gov-1.3.9/") || !used[strings.TrimPrefix(f, "fonts/pretendard-gov-1.3.9/")] {
			t.Errorf("%s ships but no face uses it", f)
		}
	}
	if len(files) != len(used) {
		t.Errorf("%d woff2 files ship, the faces use %d", len(files), len(used))
	}
	if lic := c.get("/assets/fonts/pretendard-gov-1.3.9/LICENSE.txt"); lic.Status != 200 || !strings.Contains(lic.Body, "SIL OPEN FONT LICENSE Version 1.1") {
		t.Errorf("licence: %d %.100s", lic.Status, lic.Body)
	}
	// Other assets keep their year without immutable: /assets/NAME answers any ?v=.
	style := c.get("/assets/style.css")
	if cc := style.Header.Get("Cache-Control"); cc != "public, max-age=31536000" {
		t.Errorf("style.css: Cache-Control %q", cc)
	}

	// Every weight the style sheet asks for is one of the two faces'.
	for _, m := range regexp.MustCompile(`font-weight:\s*([^;}\s]+)`).FindAllStringSubmatch(style.Body, -1) {
		w, err := strconv.Atoi(m[1])
		if m[1] == "inherit" || m[1] == "normal" || m[1] == "bold" {
			continue
		}
		if err != nil || !(w >= 400 && w <= 500 || w >= 600 && w <= 900) {
			t.Errorf("style.css asks for font-weight %s, which no shipped face serves", m[1])
		}
	}
	for _, v := range []string{"--font-sans:", "--font-sans-zh:"} {
		i := strings.Index(style.Body, v)
		if i < 0 {
			t.Fatalf("no %s in style.css", v)
		}
		stack := strings.Fields(strings.ReplaceAll(style.Body[i+len(v):i+strings.Index(style.Body[i:], ";")], ",", " "))
		joined := strings.Join(stack, " ")
		if !strings.Contains(joined, `"Pretendard GOV"`) || !strings.Contains(joined, `"Noto Sans CJK TC"`) || stack[len(stack)-1] != "sans-serif" {
			t.Errorf("%s %s", v, joined)
		}
		if v == "--font-sans:" && !slices.Equal(stack[:2], []string{`"Pretendard`, `GOV"`}) {
			t.Errorf("the stack does not start with Pretendard GOV: %s", joined)
		}
	}

	// Pages link the font's style sheet by its fingerprint.
	home := c.get("/")
	if !regexp.MustCompile(`<link rel="stylesheet" href="/assets/` + regexp.QuoteMeta(fontCSS) + `\?v=[0-9a-f]{12}">`).MatchString(home.Body) {
		t.Error("the home page does not link the font's style sheet by a versioned URL")
	}
}
