package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/e-people/e-people/forum"
)

// editProposal posts the author's edit of proposal id and returns the response.
func (c *client) editProposal(id int64, title, body string) resp {
	c.e.t.Helper()
	return c.post("/proposals/"+itoa(int(id))+"/edit", url.Values{"title": {title}, "body": {body},
		"category": {itoa(int(c.e.cats[0].ID))}, "ministry": {itoa(int(c.e.mins[0].ID))}})
}

func (e *env) supports(id int64) int {
	e.t.Helper()
	p, err := e.st.Proposal(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return p.Supports
}

func support(t *testing.T, c *client, id int64) {
	t.Helper()
	if r := c.post("/proposals/"+itoa(int(id))+"/support", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("support: %d %.300s", r.Status, r.Body)
	}
}

func TestEdits_DiffAndOneClickWithdrawal(t *testing.T) {
	e := newEnv(t)
	author := e.register("작성자")
	id := e.openProposal(author, "버스 요금을 내려 주세요", "서울시 버스 요금을 내려 주세요.\n\n<b>굵게</b> 쓰지 않았습니다.")
	a, b, z := e.register("지지자 가"), e.register("Supporter B"), e.register("支持者")
	b.lang, z.lang = "en", "zh-TW"
	for _, c := range []*client{a, b, z} {
		support(t, c, id)
	}
	path := "/proposals/" + itoa(int(id))
	if r := author.editProposal(id, "버스 요금을 내려 주세요", "서울시 버스 요금은 내려 주세요.\n\n<script>alert(1)</script> 쓰지 않았습니다."); r.Status != http.StatusSeeOther || r.Header.Get("Location") != path {
		t.Fatalf("edit: %d %s %.300s", r.Status, r.Header.Get("Location"), r.Body)
	}

	// The notification names the proposal, links to the diff and carries
	// the withdrawal button, in each supporter's language.
	for _, tc := range []struct {
		c         *client
		text, btn string
	}{
		{a, "지지하신 제안이 수정되었습니다", "이 수정 때문에 지지를 철회합니다"},
		{b, "A proposal you support was edited", "Withdraw my support because of this edit"},
		{z, "您支持的提案已被修改", "因這次修改撤回我的支持"},
	} {
		r := tc.c.get("/notifications")
		contains(t, "notifications", r.Body, tc.text, `href="`+path+`/history?from=1"`,
			`action="`+path+`/edits/unsupport"`, `name="from" value="1"`, tc.btn)
	}

	// Each supporter's mail links to the diff (the three mail immediately).
	mails, err := e.st.PendingMail(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	sent := 0
	for _, m := range mails {
		if m.Kind != forum.NoteProposalEdited {
			continue
		}
		sent++
		subject, body, err := e.srv.ComposeMail(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		contains(t, "mail", subject+body, "버스 요금을 내려 주세요", "http://127.0.0.1"+path+"/history?from=1\n")
	}
	if sent != 3 {
		t.Errorf("mails about the edit = %d, want 3", sent)
	}

	// The diff page: character-level inside Hangul, marked with <ins>/<del>
	// and said in words; no raw user HTML.
	r := a.get(path + "/history?from=1")
	if r.Status != http.StatusOK {
		t.Fatalf("diff page: %d", r.Status)
	}
	contains(t, "diff page", r.Body,
		`<del class="diff-del"><span class="visually-hidden">[삭제된 내용: </span>을<span class="visually-hidden"> (끝)]</span></del>`,
		`<ins class="diff-ins"><span class="visually-hidden">[추가된 내용: </span>은<span class="visually-hidden"> (끝)]</span></ins>`,
		"alert(1)", "이 수정 때문에 지지를 철회합니다", `id="withdraw"`)
	if strings.Contains(r.Body, "<script>alert") || strings.Contains(r.Body, "<b>굵게") {
		t.Error("raw user HTML in the diff page")
	}
	contains(t, "diff page (en)", b.get(path+"/history?from=1").Body, "[added: ", "[removed: ", "Withdraw my support because of this edit")
	contains(t, "diff page (zh)", z.get(path+"/history?from=1").Body, "[新增內容：", "因這次修改撤回我的支持")
	// The history lists the same diff, for everyone.
	anon := e.client()
	contains(t, "history", anon.get(path+"/history").Body, "1번째 판 → 2번째 판", ">은<")
	contains(t, "revision page", anon.get(path+"/revisions/2").Body, "1번째 판 → 2번째 판", ">은<")
	if strings.Contains(anon.get(path+"/history").Body, `id="withdraw"`) {
		t.Error("a visitor sees the withdrawal button")
	}

	// The withdrawal needs the CSRF token.
	if r := a.do("POST", path+"/edits/unsupport", url.Values{"from": {"1"}}); r.Status != http.StatusForbidden {
		t.Errorf("withdrawal without CSRF: %d", r.Status)
	}
	if n := e.supports(id); n != 3 {
		t.Fatalf("supports after a forged withdrawal = %d, want 3", n)
	}
	// GET never changes anything.
	if r := a.get(path + "/edits/unsupport"); r.Status == http.StatusSeeOther || e.supports(id) != 3 {
		t.Errorf("GET withdrawal: %d, supports %d", r.Status, e.supports(id))
	}
	r = a.post(path+"/edits/unsupport", url.Values{"from": {"1"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != path+"/history?from=1#withdraw" {
		t.Fatalf("withdrawal: %d %q", r.Status, r.Header.Get("Location"))
	}
	if n := e.supports(id); n != 2 {
		t.Errorf("supports after withdrawal = %d, want 2", n)
	}
	r = a.get(path + "/history?from=1")
	contains(t, "after withdrawal", r.Body, "이 수정 때문에 지지를 철회했습니다.")
	if strings.Contains(r.Body, `id="withdraw"`) {
		t.Error("the withdrawal button stays after withdrawing")
	}
	// Twice: nothing more to withdraw, said plainly.
	a.post(path+"/edits/unsupport", url.Values{"from": {"1"}})
	contains(t, "second withdrawal", a.get(path+"/history?from=1").Body, "철회할 지지가 없습니다")
	if n := e.supports(id); n != 2 {
		t.Errorf("supports after a second withdrawal = %d, want 2", n)
	}
	// From the notification page, in English.
	r = b.post(path+"/edits/unsupport", url.Values{"from": {"1"}})
	if r.Status != http.StatusSeeOther || e.supports(id) != 1 {
		t.Errorf("withdrawal from the notification: %d, supports %d", r.Status, e.supports(id))
	}
	contains(t, "flash (en)", b.get(r.Header.Get("Location")).Body, "You withdrew your support because of this edit.")

	// A revision that does not exist, and a choice outside the history.
	if r := anon.get(path + "/history?from=1&to=9"); r.Status != http.StatusNotFound {
		t.Errorf("history to 9: %d", r.Status)
	}
}

func TestEdits_ModeratorApproval(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.st.SetSettings(ctx, map[string]string{forum.SettingSupportThreshold: "2"}); err != nil {
		t.Fatal(err)
	}
	author := e.register("작성자")
	title := "초등학교 앞 횡단보도에 신호등을 설치해 주세요"
	id := e.openProposal(author, title, "아이들이 길을 건너기 위험합니다.")
	s1, s2 := e.register("지지자 일"), e.register("지지자 이")
	support(t, s1, id)
	support(t, s2, id)
	if p, _ := e.st.Proposal(ctx, id); p.Status != forum.StatusAwaiting {
		t.Fatalf("status = %s, want awaiting", p.Status)
	}
	for _, c := range []*client{s1, s2} {
		c.post("/notifications/read", nil)
	}
	mod := e.staff(forum.RoleModerator, 0, "류지혜")
	citizen := e.register("시민")
	path := "/proposals/" + itoa(int(id))

	// A substantial edit waits; the proposal keeps its text.
	big := "전국 모든 학교 앞에 육교를 놓아 주세요"
	r := author.editProposal(id, big, "전국의 모든 초등학교와 중학교 앞에 육교를 놓고 과속 단속 카메라도 달아 주세요.")
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != path+"/revisions/2" {
		t.Fatalf("substantial edit: %d %q %.300s", r.Status, r.Header.Get("Location"), r.Body)
	}
	r = author.get(path + "/revisions/2")
	contains(t, "author's pending revision", r.Body, "운영자가 승인하면 공개됩니다", "아직 공개되지 않았습니다", "육교")
	contains(t, "author's proposal page", author.get(path).Body, title, "운영자 승인을 기다리고 있습니다", path+"/revisions/2")
	if body := e.client().get(path).Body; strings.Contains(body, big) || strings.Contains(body, "승인을 기다") {
		t.Error("the public sees the pending edit")
	}
	if r := e.client().get(path + "/revisions/2"); r.Status != http.StatusNotFound {
		t.Errorf("public revision 3: %d", r.Status)
	}
	if r := s1.get(path + "/revisions/2"); r.Status != http.StatusNotFound {
		t.Errorf("supporter's revision 3: %d", r.Status)
	}
	if strings.Contains(s1.get("/notifications").Body, "수정되었습니다") {
		t.Error("a supporter was told of a pending edit")
	}
	// A change of ministry past the threshold is refused on the form.
	other, err := e.st.CreateMinistry(ctx, forum.Ministry{Slug: "moe", NameKO: "교육부", NameEN: "Ministry of Education", NameZH: "教育部"})
	if err != nil {
		t.Fatal(err)
	}
	r = author.post(path+"/edit", url.Values{"title": {title}, "body": {"아이들이 길을 건너기 위험합니다."},
		"category": {itoa(int(e.cats[0].ID))}, "ministry": {itoa(int(other.ID))}})
	if r.Status != http.StatusBadRequest {
		t.Errorf("ministry change: %d", r.Status)
	}
	contains(t, "ministry change", r.Body, "담당 부처를 바꿀 수 없습니다")

	// The review queue shows it, with its diff and the two decisions.
	r = mod.get("/moderation/")
	contains(t, "queue", r.Body, "수정 승인 대기 (1)", `action="/moderation/edits/`+itoa(int(id))+`/2"`, "육교", `<ins class="diff-ins">`, "승인하고 공개", "반려")
	contains(t, "queue (en)", func() string { mod.lang = "en"; defer func() { mod.lang = "" }(); return mod.get("/moderation/").Body }(), "Edits waiting for approval (1)")
	contains(t, "moderator's proposal page", mod.get(path).Body, "승인을 기다립니다")

	// Only moderators decide; a rejection needs a reason.
	if r := citizen.post("/moderation/edits/"+itoa(int(id))+"/2", url.Values{"decision": {"approve"}}); r.Status != http.StatusForbidden {
		t.Errorf("citizen's approval: %d", r.Status)
	}
	if r := author.post("/moderation/edits/"+itoa(int(id))+"/2", url.Values{"decision": {"approve"}}); r.Status != http.StatusForbidden {
		t.Errorf("author's approval: %d", r.Status)
	}
	r = mod.post("/moderation/edits/"+itoa(int(id))+"/2", url.Values{"decision": {"reject"}, "reason": {" "}})
	if r.Status != http.StatusBadRequest {
		t.Errorf("rejection without a reason: %d", r.Status)
	}
	contains(t, "rejection without a reason", r.Body, "반려하려면 사유를 적어 주세요")
	if r := mod.do("POST", "/moderation/edits/"+itoa(int(id))+"/2", url.Values{"decision": {"approve"}}); r.Status != http.StatusForbidden {
		t.Errorf("approval without CSRF: %d", r.Status)
	}
	if p, _ := e.st.Proposal(ctx, id); p.Title != title {
		t.Fatalf("title after refused decisions = %q", p.Title)
	}

	// Rejected: the author hears why; the public log says it.
	r = mod.post("/moderation/edits/"+itoa(int(id))+"/2", url.Values{"decision": {"reject"}, "reason": {"취지가 달라져 새 제안으로 내 주세요"}, "next": {"/moderation#edits"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("rejection: %d %.300s", r.Status, r.Body)
	}
	contains(t, "author's notifications", author.get("/notifications").Body, "제안의 수정이 반려되었습니다", "취지가 달라져 새 제안으로 내 주세요", path+"/revisions/2")
	contains(t, "rejected revision", author.get(path+"/revisions/2").Body, "운영자가 반려해 공개되지 않았습니다", "취지가 달라져")
	contains(t, "moderation log", e.client().get("/moderation/log").Body, "수정 반려", "취지가 달라져 새 제안으로 내 주세요")
	if p, _ := e.st.Proposal(ctx, id); p.Title != title {
		t.Errorf("title after rejection = %q", p.Title)
	}

	// Approved: shown, supporters told, logged.
	if r := author.editProposal(id, big, "전국의 모든 초등학교 앞에 육교를 놓아 주세요."); r.Header.Get("Location") != path+"/revisions/3" {
		t.Fatalf("second substantial edit: %d %q", r.Status, r.Header.Get("Location"))
	}
	r = mod.post("/moderation/edits/"+itoa(int(id))+"/3", url.Values{"decision": {"approve"}, "next": {path + "/revisions/3"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("approval: %d %.300s", r.Status, r.Body)
	}
	contains(t, "after approval", mod.get(r.Header.Get("Location")).Body, "수정을 승인해 공개했습니다")
	if p, _ := e.st.Proposal(ctx, id); p.Title != big {
		t.Errorf("title after approval = %q", p.Title)
	}
	contains(t, "public page", e.client().get(path).Body, big)
	contains(t, "supporter's notifications", s1.get("/notifications").Body, "지지하신 제안이 수정되었습니다", path+"/history?from=1")
	contains(t, "supporter's diff", s1.get(path+"/history?from=1").Body, "육교", "이 수정 때문에 지지를 철회합니다")
	contains(t, "author told", author.get("/notifications").Body, "제안의 수정이 승인되어 공개되었습니다")
	contains(t, "moderation log", e.client().get("/moderation/log").Body, "수정 승인")
	contains(t, "queue empty", mod.get("/moderation/").Body, "수정 승인 대기 (0)", "승인을 기다리는 수정이 없습니다.")
	// Deciding it again is refused.
	if r := mod.post("/moderation/edits/"+itoa(int(id))+"/3", url.Values{"decision": {"approve"}}); r.Status != http.StatusConflict {
		t.Errorf("second approval: %d", r.Status)
	}
}

// TestEdits_HTMLChecker runs the Nu Html Checker and the heading-level
// check over the pages of edits: the diff page (to a supporter, with the
// withdrawal), the history, an edit waiting (to its author and to a
// moderator, with the decision form), the review queue and the
// notifications with the withdrawal button.
func TestEdits_HTMLChecker(t *testing.T) {
	if _, err := os.Stat(vnuPath); err != nil {
		t.Skipf("vnu.jar not found at %s", vnuPath)
	}
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("java not found")
	}
	e := newEnv(t)
	if err := e.st.SetSettings(context.Background(), map[string]string{forum.SettingSupportThreshold: "2"}); err != nil {
		t.Fatal(err)
	}
	author := e.register("작성자")
	id := e.openProposal(author, "버스 요금을 내려 주세요", "서울시 버스 요금을 내려 주세요.")
	path := "/proposals/" + itoa(int(id))
	s1, s2 := e.register("지지자 일"), e.register("지지자 이")
	support(t, s1, id)
	author.editProposal(id, "버스 요금을 내려 주세요", "서울시 버스 요금은 꼭 내려 주세요.")
	support(t, s2, id)
	if r := author.editProposal(id, "모든 버스와 지하철 요금을 동결해 주세요", "전국의 버스, 지하철, 광역버스 요금을 3년 동안 동결해 주세요."); r.Header.Get("Location") != path+"/revisions/3" {
		t.Fatalf("substantial edit: %d %q", r.Status, r.Header.Get("Location"))
	}
	mod := e.staff(forum.RoleModerator, 0, "류운영")
	pages := map[string]string{}
	for name, get := range map[string]struct {
		c    *client
		path string
	}{
		"edit-diff":          {s1, path + "/history?from=1"},
		"edit-history":       {e.client(), path + "/history"},
		"edit-pending":       {author, path + "/revisions/3"},
		"edit-pending-mod":   {mod, path + "/revisions/3"},
		"edit-proposal":      {author, path},
		"edit-queue":         {mod, "/moderation/"},
		"edit-notifications": {s1, "/notifications"},
	} {
		r := get.c.get(get.path)
		if r.Status != http.StatusOK {
			t.Fatalf("%s: %d", name, r.Status)
		}
		if skips := headingSkips(r.Body); len(skips) > 0 {
			t.Errorf("%s skips heading levels: %v", name, skips)
		}
		pages[name] = r.Body
	}
	checkHTML(t, java, pages)
}
