package web

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/e-people/e-people/forum"
)

// TestBrowser_ModeratorHidesCommentLive has a moderator hide a comment from
// the moderation form while a citizen's page of the proposal stays open: the
// comment turns into the placeholder there without a reload.
func TestBrowser_ModeratorHidesCommentLive(t *testing.T) {
	e := newEnv(t)
	bg := context.Background()
	br := newBrowser(t, e, 120*time.Second)

	writer := e.register("의견 쓴 시민")
	pid := e.openProposal(writer, "공공 와이파이 확대", "버스 정류장마다 공공 와이파이를 설치해 주십시오.")
	path := "/proposals/" + strconv.FormatInt(pid, 10)
	const text = "싼 이자로 돈 빌려 드립니다"
	cid := modComment(t, writer, pid, text+". 연락 주십시오.")
	sel := "#c" + strconv.FormatInt(cid, 10)
	const placeholder = "운영 원칙에 따라 숨겨진 의견입니다"

	const modPass = "moderator passphrase 1"
	hash, err := forum.HashPassword(modPass)
	if err != nil {
		t.Fatal(err)
	}
	mod, err := e.st.CreateUser(bg, forum.User{Tier: forum.TierEmailVerified, Role: forum.RoleModerator, Name: "류지혜", Email: "jihye@example.org"}, hash)
	if err != nil {
		t.Fatal(err)
	}
	e.enrol(mod.ID)

	// The citizen reads the proposal with the live channel up.
	c := br.tab("citizen")
	c.registerInBrowser("정유나", "yuna@example.org")
	c.verifyInBrowser(e.st, "yuna@example.org")
	c.open(path)
	c.waitText("#live-status", "실시간")
	c.wantText(sel+" .comment-body", text)
	c.wantText(".tally [data-tally=for]", "1")
	c.noReload()
	c.watch("placeholder", `document.querySelector(`+jsString(sel)+`)?.textContent.includes(`+jsString(placeholder)+`)
		&& !document.querySelector(`+jsString(sel)+`).textContent.includes(`+jsString(text)+`)`)

	// The moderator signs in in a second context and hides the comment.
	m := br.tab("moderator")
	m.signInStaff(e, "jihye@example.org", modPass, "류지혜")
	m.open("/moderation/act?kind=comment&id=" + strconv.FormatInt(cid, 10))
	m.wantText("main", "운영 조치", text)
	m.do("pick a reason", chromedp.SetValue(chromedp.CSS(`form[action="/moderation/hide"] select[name=reason]`), "spam"))
	if got := m.value(`form[action="/moderation/hide"] select[name=reason]`); got != "spam" {
		t.Fatalf("reason %q, want spam", got)
	}
	hidden := time.Now()
	m.click(`form[action="/moderation/hide"] button[type=submit]`, 200)
	m.wantText(".flash", "숨겼습니다")
	m.wantText(sel, placeholder, "운영자에게만 보이는 원문입니다", text)

	// The citizen's page changes in place.
	c.waitText(sel, placeholder)
	t.Logf("the citizen saw the placeholder %v after the moderator pressed hide (the moderator's own page load included)", c.seen("placeholder", hidden))
	c.wantText(sel+" .comment-body", "광고·스팸")
	if got := c.text(sel); strings.Contains(got, text) {
		t.Errorf("the citizen still sees the hidden text: %q", got)
	}
	c.wantCount(sel+" .moderated-original", 0)
	c.wantText(".tally [data-tally=for]", "0")
	c.stillSame()

	if got, err := e.st.Comment(bg, cid); err != nil || got.ModState != forum.ModHidden || got.ModReason != "spam" {
		t.Errorf("comment in the store: %+v, %v; want hidden for spam", got, err)
	}
}
