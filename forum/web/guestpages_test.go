package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var csrfFieldRe = regexp.MustCompile(`(?:name="_csrf" value|name="csrf-token" content)="([^"]+)"`)

// TestGuestPages: a guest's proposal page is drawn once and then served as
// drawn, with each guest's own CSRF token in its forms and ETag, until
// anything is written; signed-in viewers are always drawn afresh.
func TestGuestPages(t *testing.T) {
	e := newEnv(t)
	author := e.register("글쓴이")
	id := e.openProposal(author, "손님 페이지 제안", "본문")
	page := "/proposals/" + itoa(int(id))
	if r := author.post(page+"/comments", map[string][]string{"stance": {"for"}, "body": {"첫 의견"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("comment: %d", r.Status)
	}
	g := &e.srv.guest
	one, two := e.client(), e.client()
	first := one.get(page)
	kept, served := g.kept.Load(), g.served.Load()
	second := two.get(page)
	if first.Status != http.StatusOK || second.Status != http.StatusOK || kept != 1 || g.served.Load() != served+1 {
		t.Fatalf("two guests: %d, %d; pages kept %d, served as kept %d → %d; want the second served as kept",
			first.Status, second.Status, kept, served, g.served.Load())
	}
	tokens := func(r resp) string {
		t.Helper()
		m := csrfFieldRe.FindAllStringSubmatch(r.Body, -1)
		if len(m) == 0 {
			t.Fatalf("no CSRF field on the page")
		}
		for _, x := range m[1:] {
			if x[1] != m[0][1] {
				t.Fatalf("a page with two tokens: %q and %q", m[0][1], x[1])
			}
		}
		return m[0][1]
	}
	t1, t2 := tokens(first), tokens(second)
	if t1 == t2 || t2 != two.cookies[anonCSRFCookie] {
		t.Errorf("the kept page carries token %q; its guest's cookie is %q (the first guest's %q)", t2, two.cookies[anonCSRFCookie], t1)
	}
	if strings.ReplaceAll(first.Body, t1, "T") != strings.ReplaceAll(second.Body, t2, "T") {
		t.Errorf("the kept page differs from the drawn one beyond the token")
	}
	if first.Header.Get("ETag") == second.Header.Get("ETag") || second.Header.Get("ETag") == "" {
		t.Errorf("ETags %q and %q: each guest's page is its own", first.Header.Get("ETag"), second.Header.Get("ETag"))
	}
	again := two.do("GET", page, nil, "If-None-Match", second.Header.Get("ETag"))
	if again.Status != http.StatusNotModified {
		t.Errorf("the same guest revalidating: %d, want 304", again.Status)
	}

	// Any write makes the kept page stale: the new comment shows at once.
	if r := author.post(page+"/comments", map[string][]string{"stance": {"against"}, "body": {"두 번째 의견"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("comment: %d", r.Status)
	}
	if r := one.get(page); !strings.Contains(r.Body, "두 번째 의견") || g.kept.Load() != kept+1 {
		t.Errorf("after a write the guest's page (kept %d → %d) shows the new comment: %v", kept, g.kept.Load(), strings.Contains(r.Body, "두 번째 의견"))
	}

	// A signed-in viewer is drawn for: their own name is on their page.
	served = g.served.Load()
	if r := author.get(page); !strings.Contains(r.Body, "글쓴이") || g.served.Load() != served {
		t.Errorf("a signed-in viewer got a kept page")
	}
}
