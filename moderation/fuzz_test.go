package moderation

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FuzzSanitize checks both ways untrusted text is made publishable, on any
// input. Markdown: the HTML, parsed as a browser would, holds only allowed
// elements and attributes (no script or style, no on* attributes, links only
// to http, https and mailto, each with rel=nofollow ugc noopener), is valid
// UTF-8, and the allowlist would change nothing in it. PlainText: the line is
// valid UTF-8 in NFC without control or invisible characters, with single
// spaces only between words, and cleaning it again changes nothing.
func FuzzSanitize(f *testing.F) {
	for _, seed := range []string{
		"# 제목\n\n**굵게** [링크](https://example.com)",
		"[x](javascript:alert(1)) <script>alert(1)</script>",
		"![a](data:image/svg+xml,<svg onload=alert(1)>)",
		"| a | b |\n|:-|-:|\n| <img src=x onerror=alert(1)> | [y](vbscript:x) |",
		"```js\" onclick=\"x\ncode\n```",
		"<https://a.example/\"onmouseover=\"alert(1)> www.x.com/'\"><svg/onload=alert(1)>",
		"[r]: java\tscript:alert(1)\n\n[r]",
		"a\xffb\x00c\u202e",
		"  a \t\t b\r\n\nc  ", "Min\u200bis\u200ctry", "e\u0301 \u1100\u1161\u11a8", "\u3164\u115f\u1160\uffa0", "e\u200d\u0301",
	} {
		f.Add(seed)
	}
	r := NewRenderer()
	f.Fuzz(func(t *testing.T, src string) {
		got := r.Markdown(src).String()
		if err := checkPublishable(got); err != nil {
			t.Fatalf("Markdown(%q) = %q: %v", src, got, err)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("Markdown(%q) = %q: not valid UTF-8", src, got)
		}
		if again := r.policy.Sanitize(got); again != got {
			t.Fatalf("Markdown(%q) = %q, which the allowlist changes to %q", src, got, again)
		}

		line := PlainText(src)
		if !utf8.ValidString(line) || !norm.NFC.IsNormalString(line) {
			t.Fatalf("PlainText(%q) = %q: not valid UTF-8 in NFC", src, line)
		}
		if strings.TrimSpace(line) != line || strings.Contains(line, "  ") {
			t.Fatalf("PlainText(%q) = %q: spaces not collapsed", src, line)
		}
		for _, c := range line {
			if unicode.IsControl(c) || invisible(c) || (unicode.IsSpace(c) && c != ' ') {
				t.Fatalf("PlainText(%q) = %q keeps %U", src, line, c)
			}
		}
		if again := PlainText(line); again != line {
			t.Fatalf("PlainText(%q) = %q, but cleaning that gives %q", src, line, again)
		}
	})
}
