package attachment

import (
	"bytes"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// sniffWindow is how much of a file is searched for markup: browsers sniff the first KiB or so.
const sniffWindow = 1024

// strongTags are markup openings that no accepted file has any business carrying in its first KiB; they
// are refused wherever they appear there (a PDF/HTML polyglot puts its page after %PDF-1.x). Each but the
// declarations must be followed by a tag-ending byte to count, so that "<svgx" or "<html5" in prose
// does not.
var strongTags = []string{
	"<!doctype html", "<?xml", "<!entity", "<html", "<head", "<body", "<script", "<iframe", "<frame",
	"<frameset", "<svg", "<object", "<embed", "<applet", "<style", "<meta", "<link", "<img", "<form",
	"<math", "<base", "<title", "<xsl:", "<xml", "<template", "<video", "<audio",
}

// weakTags are the HTML openings of the WHATWG sniffing table that are common enough in prose to be
// refused only at the start of the file, after whitespace and a byte-order mark, where a browser would
// take the whole file for a page.
var weakTags = []string{"<!--", "<a", "<b", "<br", "<p", "<h1", "<div", "<font", "<table", "<span", "<input"}

// markup returns the markup opening found in the first KiB of data that a browser could render as a
// page or an image with script, or "" when there is none.
func markup(data []byte) string {
	head := bytes.ToLower(data[:min(len(data), sniffWindow)])
	for _, tag := range strongTags {
		for from := 0; ; {
			i := bytes.Index(head[from:], []byte(tag))
			if i < 0 {
				break
			}
			end := from + i + len(tag)
			if declaration(tag) || end >= len(head) || tagEnd(head[end]) {
				return tag
			}
			from = end
		}
	}
	start := bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n\f")
	for _, tag := range weakTags {
		if bytes.HasPrefix(start, []byte(tag)) {
			if tag == "<!--" || len(start) == len(tag) || tagEnd(start[len(tag)]) {
				return tag
			}
		}
	}
	return ""
}

// declaration reports whether tag counts without a tag-ending byte after it.
func declaration(tag string) bool {
	return tag == "<!doctype html" || tag == "<?xml" || tag == "<xsl:"
}

// tagEnd reports whether b may follow a tag name in HTML or XML.
func tagEnd(b byte) bool {
	switch b {
	case ' ', '\t', '\n', '\r', '\f', '>', '/':
		return true
	}
	return false
}

// maxNameRunes is the longest stored name, extension included.
const maxNameRunes = 100

// CleanName returns the name a file of kind k is stored and offered under: the base name of name (either
// slash), in Unicode NFC, without control or bidirectional-formatting characters, trimmed of spaces and
// dots, its extension replaced by k's and cut to at most 100 runes with the extension kept;
// "attachment" stands in for a name that is left empty.
func CleanName(name string, k Kind) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.ToValidUTF8(name, "")
	name = norm.NFC.String(name)
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || bidiControl(r) {
			return -1
		}
		if unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, name)
	name = trimName(name)
	if ext := path.Ext(name); ext != "" && plainExt(ext) {
		name = trimName(strings.TrimSuffix(name, ext))
	}
	ext := k.Ext()
	limit := maxNameRunes - utf8.RuneCountInString(ext)
	if utf8.RuneCountInString(name) > limit {
		name = trimName(string([]rune(name)[:limit]))
	}
	if name == "" {
		name = "attachment"
	}
	return name + ext
}

// trimName removes the spaces and dots a name may not begin or end with (".." and hidden files).
func trimName(s string) string {
	return strings.Trim(s, " .")
}

// plainExt reports whether ext (with its dot) looks like a file-name extension, so that "v1.2 final" keeps
// its ".2 final" while "보고서.exe" loses ".exe".
func plainExt(ext string) bool {
	if len(ext) < 2 || len(ext) > 9 {
		return false
	}
	for _, r := range ext[1:] {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// bidiControl reports whether r is one of the invisible characters that reorder text: embeddings and
// overrides (U+202A–U+202E), isolates (U+2066–U+2069) and the directional marks, which can make
// "gpj.exe" read as "exe.jpg".
func bidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F || r == 0x061C
}
