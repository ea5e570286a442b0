package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/e-people/e-people/forum"
	"golang.org/x/net/html"
)

// byID returns the element of page with the given id, or nil.
func byID(t *testing.T, page, id string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var found *html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if found != nil {
			return
		}
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if a.Key == "id" && a.Val == id {
					found = n
					return
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

// innerHTML is the markup inside the element of page with the given id; the
// test fails when there is none.
func innerHTML(t *testing.T, page, id string) string {
	t.Helper()
	n := byID(t, page, id)
	if n == nil {
		t.Fatalf("no #%s in the page: %.400s", id, page)
	}
	var b bytes.Buffer
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if err := html.Render(&b, c); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// draft is Markdown with emphasis, a heading, a link and markup that must
// not survive publishing (a script, an event handler, a javascript: link).
const draft = "## 기대 효과\n\n**밤 10시**까지 엽니다. [도서관법](https://law.go.kr/도서관법)\n\n" +
	"<script>alert('preview')</script><img src=x onerror=alert(2)> [누르기](javascript:alert(3))"

// wantPreview checks that the region #id shows draft as it will be
// published: rendered Markdown, and nothing of the script.
func wantPreview(t *testing.T, what, page, id string) {
	t.Helper()
	region := innerHTML(t, page, id)
	for _, want := range []string{"<strong>밤 10시</strong>", "<h3>기대 효과</h3>", `href="https://law.go.kr/`, `rel="nofollow ugc noopener"`, "아직 저장되지 않았습니다"} {
		if !strings.Contains(region, want) {
			t.Errorf("%s: the preview lacks %q: %s", what, want, region)
		}
	}
	for _, bad := range []string{"<script", "onerror", "javascript:", "alert("} {
		if strings.Contains(region, bad) {
			t.Errorf("%s: %q survived into the preview: %s", what, bad, region)
		}
	}
	if strings.Contains(page, "<script>alert") || strings.Contains(page, "<img src=x") {
		t.Errorf("%s: the draft's markup reached the page unescaped", what)
	}
	if n := byID(t, page, id); n != nil && hasAttr(n, "hidden") {
		t.Errorf("%s: the preview region is hidden", what)
	}
}

// TestPreview_WithoutScript presses each form's Preview button as a browser
// without script does (action=preview): the form comes back with what was
// typed and the draft as it will be published beside the field, and
// nothing is saved: no proposal, comment or answer, and no edit.
func TestPreview_WithoutScript(t *testing.T) {
	e := newEnv(t)
	count := func(table string) string { return e.reader().Value(`SELECT COUNT(*) FROM ` + table) }
	author := e.register("미리 보는 시민")
	cat, min := itoa(int(e.cats[0].ID)), itoa(int(e.mins[0].ID))

	// A new proposal.
	r := author.post("/proposals", url.Values{"action": {"preview"}, "title": {"야간 개방 제안"}, "body": {draft},
		"category": {cat}, "ministry": {min}})
	if r.Status != http.StatusOK {
		t.Fatalf("preview a new proposal: %d %.300s", r.Status, r.Body)
	}
	wantPreview(t, "new proposal", r.Body, "f-body-preview")
	if got := innerHTML(t, r.Body, "f-body"); !strings.Contains(got, "&lt;script&gt;alert(&#39;preview&#39;)") {
		t.Errorf("the text box does not keep the draft as typed: %s", got)
	}
	contains(t, "new proposal form", r.Body, `value="야간 개방 제안"`, `<option value="`+cat+`" selected>`)
	if n := count("proposals"); n != "0" {
		t.Errorf("a preview saved %s proposals", n)
	}
	// An empty body says there is nothing to show yet; no error.
	r = author.post("/proposals", url.Values{"action": {"preview"}, "title": {""}, "body": {""}})
	if r.Status != http.StatusOK || !strings.Contains(innerHTML(t, r.Body, "f-body-preview"), "미리 볼 내용이 없습니다") {
		t.Errorf("preview of nothing: %d %.300s", r.Status, innerHTML(t, r.Body, "f-body-preview"))
	}
	if strings.Contains(r.Body, `class="error-summary"`) {
		t.Error("an empty preview shows errors")
	}

	// Editing a proposal.
	pid := e.openProposal(author, "공공도서관 평일 야간 개방", "원래 본문입니다.")
	path := "/proposals/" + itoa(int(pid))
	r = author.post(path+"/edit", url.Values{"action": {"preview"}, "title": {"공공도서관 평일 야간 개방"}, "body": {draft},
		"category": {cat}, "ministry": {min}})
	if r.Status != http.StatusOK {
		t.Fatalf("preview an edit: %d %.300s", r.Status, r.Body)
	}
	wantPreview(t, "proposal edit", r.Body, "f-body-preview")
	if got := e.reader().Value(`SELECT body_src FROM proposals WHERE id = ?`, pid); got != "원래 본문입니다." {
		t.Errorf("a preview changed the proposal to %q", got)
	}

	// A comment, and a reply to it.
	citizen := e.register("토론하는 시민")
	r = citizen.post(path+"/comments", url.Values{"action": {"preview"}, "stance": {"against"}, "body": {draft}})
	if r.Status != http.StatusOK {
		t.Fatalf("preview a comment: %d %.300s", r.Status, r.Body)
	}
	wantPreview(t, "comment", r.Body, "f-body-preview")
	contains(t, "comment form", r.Body, `value="against" required checked`)
	if n := count("comments"); n != "0" {
		t.Errorf("a preview saved %s comments", n)
	}
	if r := citizen.post(path+"/comments", url.Values{"stance": {"for"}, "body": {"찬성합니다."}}); r.Status != http.StatusSeeOther {
		t.Fatalf("comment: %d", r.Status)
	}
	cid := e.reader().Value(`SELECT id FROM comments WHERE proposal_id = ?`, pid)
	r = author.post(path+"/comments?reply="+cid, url.Values{"action": {"preview"}, "parent": {cid}, "stance": {"for"}, "body": {draft}})
	if r.Status != http.StatusOK {
		t.Fatalf("preview a reply: %d %.300s", r.Status, r.Body)
	}
	wantPreview(t, "reply", r.Body, "f-body-"+cid+"-preview")
	if byID(t, r.Body, "reply-"+cid) == nil {
		t.Error("the reply form is not on the page")
	}
	if n := count("comments"); n != "1" {
		t.Errorf("after a reply's preview there are %s comments, want 1", n)
	}

	// Editing one's comment.
	r = citizen.post("/comments/"+cid+"/edit", url.Values{"action": {"preview"}, "body": {draft}})
	if r.Status != http.StatusOK {
		t.Fatalf("preview a comment edit: %d %.300s", r.Status, r.Body)
	}
	wantPreview(t, "comment edit", r.Body, "f-body-preview")
	if got := e.reader().Value(`SELECT body_src FROM comments WHERE id = ?`, cid); got != "찬성합니다." {
		t.Errorf("a preview changed the comment to %q", got)
	}
	if r := author.post("/comments/"+cid+"/edit", url.Values{"action": {"preview"}, "body": {draft}}); r.Status != http.StatusForbidden {
		t.Errorf("previewing an edit of another's comment: %d, want 403", r.Status)
	}

	// An official answer, by the ministry's official only.
	official := e.staff(forum.RoleOfficial, e.mins[0].ID, "김답변")
	if err := e.st.SetSettings(t.Context(), map[string]string{forum.SettingSupportThreshold: "2"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // the support that brings it to the ministry
		if r := e.register("지지자 "+itoa(i)).post(path+"/support", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("support: %d", r.Status)
		}
	}
	if p, err := e.st.Proposal(t.Context(), pid); err != nil || !p.Status.Answerable() {
		t.Fatalf("proposal %+v, %v: want it awaiting an answer", p, err)
	}
	r = official.post(path+"/response", url.Values{"action": {"preview"}, "decision": {"partially_accepted"}, "summary": {"시범 운영"},
		"legal_basis": {"도서관법 제28조"}, "body": {draft}})
	if r.Status != http.StatusOK {
		t.Fatalf("preview an answer: %d %.300s", r.Status, r.Body)
	}
	wantPreview(t, "answer", r.Body, "f-answer-preview")
	contains(t, "answer form", r.Body, `value="도서관법 제28조"`, `<option value="partially_accepted" selected>`)
	if n := count("responses"); n != "0" {
		t.Errorf("a preview saved %s answers", n)
	}
	if r := citizen.post(path+"/response", url.Values{"action": {"preview"}, "body": {draft}}); r.Status == http.StatusOK {
		t.Error("a citizen previewed an official answer")
	}
}

// TestPreview_Endpoint is what the Preview button's script asks: the
// region's HTML as JSON, sanitized; signed in, with the CSRF token; a draft
// longer than any field is refused with a message.
func TestPreview_Endpoint(t *testing.T) {
	e := newEnv(t)
	c := e.register("미리 보는 시민")
	ask := func(cl *client, body string, token bool) (resp, map[string]any) {
		form := url.Values{"body": {body}}
		if token {
			form.Set("_csrf", cl.csrf())
		}
		r := cl.do("POST", "/preview", form, "Accept", "application/json")
		var j map[string]any
		_ = json.Unmarshal([]byte(r.Body), &j)
		return r, j
	}
	r, j := ask(c, draft, true)
	if r.Status != http.StatusOK {
		t.Fatalf("preview: %d %s", r.Status, r.Body)
	}
	got, _ := j["html"].(string)
	wantPreview(t, "POST /preview", `<div id="region">`+got+`</div>`, "region")

	r, j = ask(c, strings.Repeat("가", forum.AnswerBodyMax+1), true)
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "20000") {
		t.Errorf("an over-long draft: %d %s", r.Status, r.Body)
	}
	if _, ok := j["html"]; ok {
		t.Error("an over-long draft was rendered")
	}
	if r, _ := ask(c, draft, false); r.Status != http.StatusForbidden {
		t.Errorf("without the CSRF token: %d, want 403", r.Status)
	}
	if r, _ := ask(e.client(), draft, true); r.Status != http.StatusUnauthorized {
		t.Errorf("a visitor: %d, want 401", r.Status)
	}
}
