package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/e-people/e-people/assets"
	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
	"golang.org/x/net/html"
)

// payloads returns every line of the untrusted-input corpora, deduplicated, by corpus.
func payloads(t *testing.T) (xss, sqli []string) {
	dir := corpusDir(t)
	seen := map[string]bool{}
	add := func(list *[]string, s string) {
		if strings.TrimSpace(s) != "" && !seen[s] {
			seen[s] = true
			*list = append(*list, s)
		}
	}
	lines := func(glob string, list *[]string) {
		files, _ := filepath.Glob(filepath.Join(dir, glob))
		if len(files) == 0 {
			t.Fatalf("no corpus files match %s", glob)
		}
		for _, f := range files {
			fh, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(fh)
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for sc.Scan() {
				if l := sc.Text(); !strings.HasPrefix(l, "#") || strings.Contains(glob, "xss") {
					add(list, l)
				}
			}
			fh.Close()
		}
	}
	lines("payloadsallthethings/xss/*.txt", &xss)
	lines("blns/blns.txt", &xss)
	f, err := os.ReadFile(filepath.Join(dir, "owasp-xss-filter-evasion/xss_filter_evasion.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(f), "\n") {
		var rec struct{ Payload string }
		if json.Unmarshal([]byte(l), &rec) == nil {
			add(&xss, rec.Payload)
		}
	}
	lines("payloadsallthethings/sqli/*.txt", &sqli)
	return xss, sqli
}

// ownScript reports whether src is one of the site's own scripts, as the
// pages load them: /assets/NAME.js?v=…, with NAME.js a file of assets.FS.
func ownScript(src string) bool {
	name, version, ok := strings.Cut(strings.TrimPrefix(src, "/assets/"), ".js?v=")
	if !ok || version == "" || strings.ContainsAny(name, "/.") || !strings.HasPrefix(src, "/assets/") {
		return false
	}
	_, err := fs.Stat(assets.FS, name+".js")
	return err == nil
}

// liveMarkup returns what in an HTML page could run script: script elements
// other than our own, on* attributes, and javascript:, vbscript: or data: URLs.
func liveMarkup(page string) []string {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return []string{"unparseable page: " + err.Error()}
	}
	var found []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script":
				src := ""
				for _, a := range n.Attr {
					if a.Key == "src" {
						src = a.Val
					}
				}
				if !ownScript(src) || n.FirstChild != nil {
					found = append(found, "script element")
				}
			case "iframe", "object", "embed", "frame", "base", "meta":
				if n.Data != "meta" || hasAttr(n, "http-equiv") {
					found = append(found, n.Data+" element")
				}
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				val := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
				if strings.HasPrefix(key, "on") {
					found = append(found, "attribute "+a.Key)
				}
				if key == "style" {
					found = append(found, "style attribute")
				}
				if key == "href" || key == "src" || key == "action" || key == "formaction" || key == "xlink:href" || key == "data" {
					for _, bad := range []string{"javascript:", "vbscript:", "data:"} {
						if strings.HasPrefix(val, bad) {
							found = append(found, key+"="+a.Val)
						}
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return found
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func cheapHash(pw string) (string, error) { return "plain$" + pw, nil }

// TestCorpora_EveryTextField sends every corpus payload through the proposal
// title and body, the comment body and the display name, then reads every
// page that shows them: no 5xx, no live markup, SQL strings stored verbatim.
func TestCorpora_EveryTextField(t *testing.T) {
	if testing.Short() {
		t.Skip("corpora run takes a minute")
	}
	xss, sqli := payloads(t)
	all := append(append([]string{}, xss...), sqli...)
	t.Logf("%d payloads (%d SQL)", len(all), len(sqli))
	e := newEnv(t)
	ctx := context.Background()
	if err := e.st.SetSetting(ctx, forum.SettingSponsorThreshold, "0"); err != nil {
		t.Fatal(err)
	}
	author := e.register("코퍼스 작성자")
	debate := author.propose("코퍼스 토론장", "모든 입력을 받아 봅니다.")
	commenter := e.register("코퍼스 토론자")
	tok, authorTok := commenter.csrf(), author.csrf()
	cat, min := itoa(int(e.cats[0].ID)), itoa(int(e.mins[0].ID))
	check5xx := func(what string, r resp, p string) {
		if r.Status >= 500 {
			t.Fatalf("%s with %q: status %d", what, p, r.Status)
		}
	}
	checkPage := func(what, path string) {
		r := e.client().get(path)
		if r.Status != http.StatusOK {
			t.Fatalf("%s: GET %s: %d", what, path, r.Status)
		}
		if bad := liveMarkup(r.Body); len(bad) > 0 {
			t.Fatalf("%s: GET %s has live markup: %v", what, path, bad)
		}
	}
	var proposals []int64
	for _, p := range all {
		title := p
		if n := len([]rune(moderation.PlainText(title))); n < forum.TitleMin {
			title = "제목 " + title
		}
		if len([]rune(title)) > forum.TitleMax {
			title = string([]rune(title)[:forum.TitleMax])
		}
		r := author.do("POST", "/proposals", url.Values{"_csrf": {authorTok}, "title": {title}, "body": {p}, "category": {cat}, "ministry": {min}})
		check5xx("proposal", r, p)
		if r.Status == http.StatusSeeOther {
			proposals = append(proposals, atoi64(strings.TrimPrefix(r.Header.Get("Location"), "/proposals/")))
		}
		r = commenter.do("POST", "/proposals/"+itoa(int(debate))+"/comments", url.Values{"_csrf": {tok}, "stance": {"for"}, "body": {p}})
		check5xx("comment", r, p)
	}
	if len(proposals) < len(all)*9/10 {
		t.Fatalf("only %d of %d payload proposals accepted", len(proposals), len(all))
	}
	for _, id := range proposals {
		checkPage("proposal", "/proposals/"+itoa(int(id)))
	}
	checkPage("debate", "/proposals/"+itoa(int(debate)))
	for _, path := range []string{"/", "/proposals", "/proposals?sort=supported", "/users/" + itoa(int(author.user().ID)), "/users/" + itoa(int(commenter.user().ID))} {
		checkPage("list", path)
	}

	// SQL strings are data: stored and shown exactly as written.
	stored := map[string]bool{}
	for _, id := range proposals {
		p, err := e.st.Proposal(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		stored[p.BodySrc] = true
	}
	for _, s := range sqli {
		if !stored[strings.ReplaceAll(s, "\r\n", "\n")] {
			t.Errorf("SQL payload did not round-trip: %q", s)
		}
	}

	// Display names: each payload either is refused with a 4xx or shows as text.
	e.srv.hashPassword = cheapHash
	for i, p := range all {
		c := e.client()
		r := c.post("/register", url.Values{"name": {p}, "email": {fmt.Sprintf("corpus%d@example.org", i)}, "password": {"corpus password 1"}, "consent": {"1"}})
		check5xx("display name", r, p)
		if r.Status == http.StatusSeeOther {
			u := c.user()
			checkPage("name", "/users/"+itoa(int(u.ID)))
			if u.Role != forum.RoleCitizen {
				t.Fatalf("registration made a %s", u.Role)
			}
			if i%50 == 0 {
				if r := c.post("/proposals/"+itoa(int(debate))+"/comments", url.Values{"stance": {"neutral"}, "body": {"이름 시험"}}); r.Status != http.StatusSeeOther {
					t.Fatalf("comment by %q: %d", p, r.Status)
				}
			}
		}
	}
	checkPage("debate with named commenters", "/proposals/"+itoa(int(debate)))
	if err := e.st.CheckCounters(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestLiveMarkup_DetectsPayloads(t *testing.T) {
	for _, page := range []string{
		`<p><script>alert(1)</script></p>`,
		`<img src=x onerror=alert(1)>`,
		`<a href=" javascript:alert(1)">x</a>`,
		`<a href="data:text/html,x">x</a>`,
		`<iframe src="/"></iframe>`,
		`<script src="/assets/evil.js?v=1"></script>`,
		`<script src="https://example.org/assets/live.js?v=1"></script>`,
		`<script src="/assets/../live.js?v=1"></script>`,
		`<script src="/assets/live.js?v=1">alert(1)</script>`,
	} {
		if len(liveMarkup(page)) == 0 {
			t.Errorf("liveMarkup missed %q", page)
		}
	}
	if bad := liveMarkup(`<p><a href="https://example.org" rel="nofollow">ok</a> &lt;script&gt;</p>` +
		`<script src="/assets/live.js?v=1" defer></script><script src="/assets/share.js?v=2" defer></script>`); len(bad) != 0 {
		t.Errorf("false positive: %v", bad)
	}
}
