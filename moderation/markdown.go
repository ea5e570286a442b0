package moderation

import (
	"bytes"
	"html"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// linkRel is the rel attribute every published link carries: search engines
// get no endorsement, the link is marked user-generated, and the target page
// gets no handle on ours.
const linkRel = "nofollow ugc noopener"

// Renderer turns untrusted Markdown into Sanitized HTML. It holds the
// Markdown parser and the HTML allowlist, which are built once; a Renderer is
// safe for concurrent use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// DefaultTopHeading is the level a user's first-level heading ("# ...")
// gets: every user text sits under its page's h2 (the page's h1 is the
// title), so "#" becomes h3.
const DefaultTopHeading = 3

// NewRenderer returns a Renderer for the forum's Markdown dialect: CommonMark
// with tables, strikethrough and bare-URL links; no raw HTML, no images, and
// headings shifted below the page's own (NewRendererAt DefaultTopHeading).
func NewRenderer() *Renderer { return NewRendererAt(DefaultTopHeading) }

// NewRendererAt is NewRenderer for text whose first-level heading becomes
// h<top> (3 to 6): every heading is shifted down by top-1 levels, so the
// outline below the page's heading keeps its steps ("#" h3, "##" h4, "###"
// h5), capped at h6. A heading never goes more than one level below the
// one before it (the first, below the page's h<top-1>), so a text that
// starts at "##" or jumps from "#" to "###" gives an outline without
// skipped levels, as the HTML checker and screen readers want.
func NewRendererAt(top int) *Renderer {
	top = min(max(top, 3), 6)
	md := goldmark.New(
		goldmark.WithExtensions(
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Strikethrough,
			extension.Linkify,
		),
		goldmark.WithParserOptions(
			parser.WithASTTransformers(util.Prioritized(publishTransformer{shift: top - 1}, 1000)),
		),
		// No html.WithUnsafe: raw HTML in the source is omitted, and goldmark
		// drops dangerous link destinations before the policy even sees them.
	)
	return &Renderer{md: md, policy: newPolicy()}
}

// newPolicy is the HTML allowlist applied to everything goldmark renders.
func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "em", "strong", "del",
		"ul", "ol", "li", "blockquote", "code", "pre",
		"h3", "h4", "h5", "h6", "hr",
		"table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,9}$`)).OnElements("ol")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|center|right)$`)).OnElements("th", "td")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[A-Za-z0-9_+#.-]{1,40}$`)).OnElements("code")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^` + linkRel + `$`)).OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(false)
	p.RequireParseableURLs(true)
	// Belt and braces: our transformer already sets linkRel on every link.
	p.RequireNoFollowOnLinks(true)
	return p
}

// Markdown renders src, untrusted Markdown, to Sanitized HTML. Invalid UTF-8
// is replaced with U+FFFD first.
func (r *Renderer) Markdown(src string) Sanitized {
	src = strings.ToValidUTF8(src, "\uFFFD")
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		// Writing to a bytes.Buffer cannot fail; should goldmark ever
		// return an error, publish the text escaped rather than nothing.
		return Sanitized{html: "<p>" + html.EscapeString(src) + "</p>"}
	}
	return Sanitized{html: string(r.policy.SanitizeBytes(buf.Bytes()))}
}

// defaultRenderer is built on first use and never changes afterwards.
var defaultRenderer = sync.OnceValue(NewRenderer)

// RenderMarkdown renders src, untrusted Markdown, to Sanitized HTML with a
// shared Renderer. It is safe for concurrent use.
func RenderMarkdown(src string) Sanitized {
	return defaultRenderer().Markdown(src)
}

// publishTransformer rewrites the parsed document into what we publish:
// headings go shift levels down, to h6 at most (the page owns h1 and h2),
// images become their alt text, links to anything but http, https and
// mailto become their text, and every remaining link gets rel=linkRel.
type publishTransformer struct{ shift int }

// Transform implements parser.ASTTransformer.
func (pt publishTransformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	source := reader.Source()
	last := pt.shift // the page's heading the text sits under
	var unwrap []ast.Node
	var autoLinks []*ast.AutoLink
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			n.Level = min(n.Level+pt.shift, last+1, 6)
			last = n.Level
		case *ast.Image:
			unwrap = append(unwrap, n)
		case *ast.Link:
			if publishableURL(n.Destination) {
				n.SetAttributeString("rel", []byte(linkRel))
			} else {
				unwrap = append(unwrap, n)
			}
		case *ast.AutoLink:
			if publishableURL(autoLinkURL(n, source)) {
				n.SetAttributeString("rel", []byte(linkRel))
			} else {
				autoLinks = append(autoLinks, n)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, n := range unwrap {
		replaceWithChildren(n)
	}
	for _, n := range autoLinks {
		label := ast.NewString(n.Label(source))
		label.SetRaw(true)
		n.Parent().ReplaceChild(n.Parent(), n, label)
	}
}

// autoLinkURL returns the destination goldmark will write for n.
func autoLinkURL(n *ast.AutoLink, source []byte) []byte {
	u := n.URL(source)
	if n.AutoLinkType == ast.AutoLinkEmail && !bytes.HasPrefix(bytes.ToLower(u), []byte("mailto:")) {
		return append([]byte("mailto:"), u...)
	}
	return u
}

// publishableURL reports whether dest is an absolute http, https or mailto URL.
func publishableURL(dest []byte) bool {
	u, err := url.Parse(strings.TrimSpace(string(dest)))
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return u.Host != ""
	case "mailto":
		return true
	}
	return false
}

// replaceWithChildren puts n's children where n was and removes n.
func replaceWithChildren(n ast.Node) {
	parent := n.Parent()
	if parent == nil {
		return
	}
	for c := n.FirstChild(); c != nil; {
		next := c.NextSibling()
		parent.InsertBefore(parent, n, c)
		c = next
	}
	parent.RemoveChild(parent, n)
}
