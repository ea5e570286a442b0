package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"golang.org/x/net/html"
)

// requiredWord is the visible marker of a required field, per language.
var requiredWord = map[string]string{"ko": "필수", "en": "required", "zh": "必填"}

// textOf is the text of n and everything inside it.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

// marked reports whether n holds the required marker in word.
func marked(n *html.Node, word string) bool {
	found := false
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && hasClass(n, "required-mark") && strings.TrimSpace(textOf(n)) == word {
			found = true
		}
		for c := n.FirstChild; c != nil && !found; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return found
}

// requiredProblems checks a page's forms: the label of every control with
// the required attribute carries the visible marker (a radio button's group
// by its legend, a check box by its own label; a control whose label is
// visually hidden in a compact row by its empty first option), and no
// marker stands beside a field that is not required. It returns the
// problems and how many required controls the page has.
func requiredProblems(t *testing.T, page, word string) (problems []string, required int) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]*html.Node{} // by their for attribute
	var controls, marks []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "label":
				if f := attr(n, "for"); f != "" {
					labels[f] = n
				}
			case "input", "select", "textarea":
				controls = append(controls, n)
			}
			if hasClass(n, "required-mark") {
				marks = append(marks, n)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	ancestor := func(n *html.Node, tag string) *html.Node {
		for p := n.Parent; p != nil; p = p.Parent {
			if p.Type == html.ElementNode && p.Data == tag {
				return p
			}
		}
		return nil
	}
	legendOf := func(fs *html.Node) *html.Node {
		for c := fs.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && c.Data == "legend" {
				return c
			}
		}
		return nil
	}
	name := func(n *html.Node) string {
		return n.Data + "#" + attr(n, "id") + "[name=" + attr(n, "name") + "]"
	}
	labelOf := func(n *html.Node) *html.Node {
		if l := labels[attr(n, "id")]; l != nil && attr(n, "id") != "" {
			return l
		}
		return ancestor(n, "label")
	}
	wanted := map[*html.Node]bool{} // the labels and legends that must carry the marker
	for _, n := range controls {
		if !hasAttr(n, "required") {
			continue
		}
		required++
		var holder *html.Node
		switch attr(n, "type") {
		case "radio":
			if fs := ancestor(n, "fieldset"); fs != nil {
				holder = legendOf(fs)
			}
		default:
			holder = labelOf(n)
		}
		if holder == nil {
			problems = append(problems, name(n)+": required, without a label or legend")
			continue
		}
		wanted[holder] = true
		if hasClass(holder, "visually-hidden") && n.Data == "select" {
			first := n.FirstChild
			for first != nil && (first.Type != html.ElementNode || first.Data != "option") {
				first = first.NextSibling
			}
			if first == nil || attr(first, "value") != "" || !strings.Contains(textOf(first), word) {
				problems = append(problems, name(n)+": required, its label hidden, and its empty first option does not say "+word)
			}
			continue
		}
		if !marked(holder, word) {
			problems = append(problems, name(n)+": required, but its "+holder.Data+" "+strings.Join(strings.Fields(textOf(holder)), " ")+" does not say "+word)
		}
	}
	for _, m := range marks {
		var holder *html.Node
		for p := m.Parent; p != nil && holder == nil; p = p.Parent {
			if p.Type == html.ElementNode && (p.Data == "label" || p.Data == "legend") {
				holder = p
			}
		}
		if holder == nil || !wanted[holder] {
			problems = append(problems, "a marker beside a field that is not required: "+strings.Join(strings.Fields(textOf(m.Parent)), " "))
		}
	}
	return problems, required
}

// TestForms_RequiredFieldsMarked opens every form of the site as whoever
// may fill it in, in each language, and checks that each field with the
// required attribute says so beside its label in words, and only those.
func TestForms_RequiredFieldsMarked(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	if err := e.st.SetSettings(ctx, map[string]string{forum.SettingSupportThreshold: "2"}); err != nil {
		t.Fatal(err)
	}
	author := e.register("제안한 시민")
	pid := e.openProposal(author, "공공도서관 평일 야간 개방", "밤 10시까지 열어 주십시오.")
	path := "/proposals/" + itoa(int(pid))
	citizen := e.register("토론하는 시민")
	if r := citizen.post(path+"/comments", url.Values{"stance": {"for"}, "body": {"찬성합니다."}}); r.Status != http.StatusSeeOther {
		t.Fatalf("comment: %d", r.Status)
	}
	cid := e.reader().Value(`SELECT id FROM comments WHERE proposal_id = ?`, pid)
	for i := 0; i < 2; i++ {
		if r := e.register("지지자 "+itoa(i)).post(path+"/support", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("support: %d", r.Status)
		}
	}
	official := e.staff(forum.RoleOfficial, e.mins[0].ID, "김답변")
	moderator := e.staff(forum.RoleModerator, 0, "류운영")
	admin := e.staff(forum.RoleAdmin, 0, "이관리")
	local := func(hours int) string {
		return e.clock.Now().Add(time.Duration(hours) * time.Hour).In(seoul).Format(datetimeLocal)
	}
	r := official.post("/debates", url.Values{"ministry": {itoa(int(e.mins[0].ID))}, "question": {"야간 돌봄을 어떻게 늘릴까요?"},
		"opens_at": {local(-1)}, "closes_at": {local(72)}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("debate: %d %.300s", r.Status, r.Body)
	}
	debate := r.Header.Get("Location")
	if r := e.register("신고한 시민").post("/reports", url.Values{"kind": {"comment"}, "id": {cid}, "reason": {"spam"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("report: %d", r.Status)
	}
	if r := moderator.post("/moderation/hide", url.Values{"kind": {"comment"}, "id": {cid}, "reason": {"spam"}, "next": {path}}); r.Status != http.StatusSeeOther {
		t.Fatalf("hide: %d %.300s", r.Status, r.Body)
	}
	if r := e.register("또 신고한 시민").post("/reports", url.Values{"kind": {"proposal"}, "id": {itoa(int(pid))}, "reason": {"spam"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("report: %d", r.Status)
	}
	draftID := author.propose("아직 고치는 제안", "공동 발의자를 모으는 중입니다.")
	reset := acctResetToken(e, author.user().Email)
	uid := itoa(int(citizen.user().ID))

	pages := []struct {
		who  *client
		path string
	}{
		{e.client(), "/register"},
		{e.client(), "/login"},
		{e.client(), "/password/forgot"},
		{e.client(), "/password/reset/" + reset},
		{author, "/proposals/new"},
		{author, "/proposals/" + itoa(int(draftID)) + "/edit"},
		{author, path + "?reply=" + cid},
		{author, "/reports/new?kind=comment&id=" + cid},
		{citizen, "/comments/" + cid + "/edit"},
		{citizen, "/appeals/new?kind=comment&id=" + cid},
		{author, "/account"},
		{author, "/account/delete"},
		{author, "/account/2fa"},
		{author, debate},
		{official, path},
		{official, "/debates/new"},
		{official, debate},
		{official, "/account/2fa"},
		{moderator, "/moderation/"},
		{moderator, "/moderation/act?kind=comment&id=" + cid},
		{moderator, "/moderation/act?kind=user&id=" + uid},
		{admin, "/admin/settings"},
		{admin, "/admin/ministries"},
		{admin, "/admin/ministries/mohw/edit"},
		{admin, "/users/" + uid},
	}
	for _, lang := range []string{"ko", "en", "zh"} {
		for _, p := range pages {
			p.who.lang = lang
			r := p.who.get(p.path)
			if r.Status != http.StatusOK {
				t.Errorf("%s (%s): status %d", p.path, lang, r.Status)
				continue
			}
			problems, n := requiredProblems(t, r.Body, requiredWord[lang])
			if n == 0 {
				t.Errorf("%s (%s): no required field: the page lost its form", p.path, lang)
			}
			for _, pr := range problems {
				t.Errorf("%s (%s): %s", p.path, lang, pr)
			}
		}
	}
	// The checker catches a required field without its marker.
	page := `<form><label for="x">제목</label><input id="x" required><fieldset><legend>입장</legend><input type="radio" name="s" required></fieldset>` +
		`<label for="y">메모 <span class="required-mark">필수</span></label><input id="y"></form>`
	if problems, n := requiredProblems(t, page, "필수"); n != 2 || len(problems) != 3 {
		t.Errorf("the canary: %d required, problems %q; want 2 required and 3 problems", n, problems)
	}
}
