package moderation

import (
	"strings"

	"golang.org/x/net/html"
)

// Text returns the plain text the fragment shows, for search and
// snippets: the text of its elements with entities decoded, no Markdown
// marks and no markup. Block elements (paragraphs, headings, list items,
// table cells, line breaks) end with a line break, so words of adjacent
// blocks never run together; runs of white space stay as they are.
func (s Sanitized) Text() string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s.html))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "p", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
				"blockquote", "pre", "hr", "ul", "ol", "table":
				b.WriteByte('\n')
			}
		}
	}
}
