package moderation

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// moduleRoot returns the directory holding go.mod, found by walking up from
// the test's working directory.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("get working directory: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("find module root: no go.mod above the working directory")
		}
		dir = parent
	}
}

// corporaDir returns ../shared/corpora relative to the module root, skipping
// the test only when that directory does not exist.
func corporaDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(moduleRoot(t), "..", "shared", "corpora")
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		t.Skipf("skipping: shared test corpora not found at %s (they live beside the project, see DESIGN.md §6)", dir)
	} else if err != nil {
		t.Fatalf("stat corpora: %v", err)
	}
	return dir
}

// publishedAttrs is every attribute the renderer may emit, per element.
var publishedAttrs = map[string]map[string]bool{
	"p": {}, "br": {}, "em": {}, "strong": {}, "del": {}, "ul": {}, "li": {},
	"blockquote": {}, "pre": {}, "h3": {}, "h4": {}, "h5": {}, "h6": {}, "hr": {},
	"table": {}, "thead": {}, "tbody": {}, "tr": {},
	"ol":   {"start": true},
	"th":   {"align": true},
	"td":   {"align": true},
	"code": {"class": true},
	"a":    {"href": true, "rel": true},
}

// forbiddenElements must never appear in published HTML.
var forbiddenElements = []string{"script", "iframe", "object", "embed", "form", "style",
	"img", "svg", "math", "input", "button", "link", "meta", "base", "frame", "frameset", "template"}

// checkPublishable parses fragment as a browser would inside <body> and
// reports the first thing in it that must not be published.
func checkPublishable(fragment string) error {
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(fragment), body)
	if err != nil {
		return fmt.Errorf("parse output: %w", err)
	}
	var check func(n *html.Node) error
	check = func(n *html.Node) error {
		if n.Type == html.ElementNode {
			if err := checkElement(n); err != nil {
				return err
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if err := check(c); err != nil {
				return err
			}
		}
		return nil
	}
	for _, n := range nodes {
		if err := check(n); err != nil {
			return err
		}
	}
	return nil
}

func checkElement(n *html.Node) error {
	for _, bad := range forbiddenElements {
		if n.Data == bad {
			return fmt.Errorf("forbidden element <%s>", n.Data)
		}
	}
	allowed, ok := publishedAttrs[n.Data]
	if !ok || n.Namespace != "" {
		return fmt.Errorf("element <%s> (namespace %q) is not on the allowlist", n.Data, n.Namespace)
	}
	rel := ""
	for _, a := range n.Attr {
		key := strings.ToLower(a.Key)
		switch {
		case strings.HasPrefix(key, "on"):
			return fmt.Errorf("event handler attribute %s=%q on <%s>", a.Key, a.Val, n.Data)
		case key == "style":
			return fmt.Errorf("style attribute on <%s>", n.Data)
		case key == "href" || key == "src" || key == "action" || key == "formaction":
			u, err := url.Parse(a.Val)
			if err != nil {
				return fmt.Errorf("unparseable %s=%q: %w", a.Key, a.Val, err)
			}
			if s := strings.ToLower(u.Scheme); s != "http" && s != "https" && s != "mailto" {
				return fmt.Errorf("%s=%q has scheme %q", a.Key, a.Val, u.Scheme)
			}
		case key == "class" && !strings.HasPrefix(a.Val, "language-"):
			return fmt.Errorf("class=%q on <%s>", a.Val, n.Data)
		case key == "rel":
			rel = a.Val
		}
		if a.Namespace != "" || !allowed[key] {
			return fmt.Errorf("attribute %s=%q is not allowed on <%s>", a.Key, a.Val, n.Data)
		}
	}
	if n.Data == "a" && rel != linkRel {
		return fmt.Errorf("link with rel=%q, want %q", rel, linkRel)
	}
	return nil
}
