package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestProposal_SponsorLinkWithoutScript: the co-sponsor link is the whole
// address as plain text, which anyone may select and copy; the copy button,
// which needs script, stays hidden until script shows it.
func TestProposal_SponsorLinkWithoutScript(t *testing.T) {
	e := newEnv(t)
	author := e.register("제안한 시민")
	id := author.propose("도서관 야간 개방", "밤 10시까지 열어 주십시오.")
	p, err := e.st.Proposal(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	r := author.get("/proposals/" + itoa(int(id)))
	if r.Status != http.StatusOK {
		t.Fatalf("proposal page: %d", r.Status)
	}
	want := "http://127.0.0.1/proposals/" + itoa(int(id)) + "/sponsor/" + p.SponsorToken
	if got := innerHTML(t, r.Body, "sponsor-link"); got != want {
		t.Errorf("the co-sponsor link reads %q, want %q", got, want)
	}
	button := byAttr(t, r.Body, "data-copy", "sponsor-link")
	if button == nil || button.Data != "button" || !hasAttr(button, "hidden") {
		t.Error("no copy button for the link, hidden until script shows it")
	}
	if strings.Contains(r.Body, `readonly`) {
		t.Error("the link is still a read-only field")
	}
	if other := e.register("다른 시민").get("/proposals/" + itoa(int(id))); strings.Contains(other.Body, p.SponsorToken) {
		t.Error("another citizen sees the co-sponsor link")
	}
}

// byAttr returns the first element of page whose attribute key is val, or nil.
func byAttr(t *testing.T, page, key, val string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(*html.Node) *html.Node
	walk = func(n *html.Node) *html.Node {
		if n.Type == html.ElementNode && attr(n, key) == val && hasAttr(n, key) {
			return n
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if f := walk(c); f != nil {
				return f
			}
		}
		return nil
	}
	return walk(doc)
}
