package web

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/e-people/e-people/forum"
)

// TestBrowser_CitizenJourney walks a citizen through the forum in a real
// Chromium: sign up, propose, gather co-sponsors, debate, support, sign out.
func TestBrowser_CitizenJourney(t *testing.T) {
	e := newEnv(t)
	br := newBrowser(t, e, 90*time.Second)
	bg := context.Background()

	// 1. Sign up, after one refused attempt.
	a := br.tab("author")
	a.open("/register")
	a.wantText("header .user-menu", "로그인", "회원가입")
	a.typeInto("#f-name", "김민주")
	a.typeInto("#f-email", "not-an-address")
	a.typeInto("#f-password", "short")
	a.click(`form[action="/register"] button[type=submit]`, 400)
	a.wantText(".error-summary h2", "입력 내용을 확인해 주십시오")
	if n := a.count(".error-summary li"); n < 2 {
		a.t.Errorf("error summary lists %d problems, want the e-mail and the password", n)
	}
	a.wantCount("#f-email[aria-invalid=true]", 1)
	a.wantCount("#f-password[aria-invalid=true]", 1)
	a.wantCount("header .user-name", 0)
	if v := a.value("#f-name"); v != "김민주" {
		t.Errorf("name not kept after the refused form: %q", v)
	}
	a.screenshot("register-errors", 1280, 900, false)
	a.do("clear e-mail", chromedp.Clear(chromedp.CSS("#f-email")))
	a.typeInto("#f-email", "minju@example.org")
	a.typeInto("#f-password", "correct horse battery staple")
	a.tap("#f-consent")
	a.click(`form[action="/register"] button[type=submit]`, 200)
	a.wantText("header .user-name", "김민주")
	a.wantText(".flash", "가입을 환영합니다")
	a.verifyInBrowser(e.st, "minju@example.org")
	a.wantCount(`header form[action="/logout"] button`, 1)

	// 2. Write a proposal; it waits for co-sponsors.
	a.click(`.site-nav a[href="/proposals/new"]`, 200)
	const title = "동네 공공 도서관 야간 개방"
	a.typeInto("#f-title", title)
	a.do("choose category", chromedp.SetValue(chromedp.CSS("#f-category"), strconv.FormatInt(e.cats[0].ID, 10)))
	a.do("choose ministry", chromedp.SetValue(chromedp.CSS("#f-ministry"), strconv.FormatInt(e.mins[0].ID, 10)))
	a.typeInto("#f-body", "퇴근 후에도 이용할 수 있도록 평일 밤 10시까지 열어 주십시오.\n인력은 자원봉사자와 함께 꾸립니다.")
	a.wantText(`button[name=action][value=submit]`, "등록하고 공동 발의자 모집")
	// The similar-proposals list above the button redraws after typing;
	// clicking while it does would hit whatever the button moved away from.
	a.waitCount(`[data-live="similar"][aria-busy]`, 0)
	a.click(`button[name=action][value=submit]`, 200)
	a.wantText("#proposal-title", title)
	a.wantText(".proposal-header .badge", "공동 발의자 모집 중")
	a.wantText(".proposal-body", "밤 10시까지")
	link := a.text("#sponsor-link") // the whole link, as selectable text
	u, err := url.Parse(link)
	if err != nil || !strings.Contains(u.Path, "/sponsor/") {
		t.Fatalf("sponsor link %q", link)
	}
	proposalPath := strings.Split(u.Path, "/sponsor/")[0] // /proposals/ID
	pid := atoi64(strings.TrimPrefix(proposalPath, "/proposals/"))
	if pid == 0 {
		t.Fatalf("no proposal id in sponsor link %q", link)
	}

	// 3. Co-sponsors: a second citizen through the sponsor page in its own
	// browser context, the other through the HTTP client.
	b := br.tab("citizen")
	b.registerInBrowser("이서연", "seoyeon@example.org")
	b.verifyInBrowser(e.st, "seoyeon@example.org")
	b.open(u.Path)
	b.wantText("main .lead", "김민주 님이 이 제안의 공동 발의를 요청했습니다")
	b.wantText("main .badge", "공동 발의자 모집 중")
	b.click(`form[action="`+u.Path+`"] button[type=submit]`, 200)
	b.wantText(".flash", "공동 발의에 참여했습니다")
	b.wantText("main section.card", "이미 공동 발의했습니다")
	s := e.register("공동발의자")
	if r := s.post(u.Path, nil); r.Status != 303 {
		t.Fatalf("second co-sponsor: status %d", r.Status)
	}
	a.load("reload", 200, chromedp.Reload())
	a.wantText(".proposal-header .badge", "지지 모으는 중")
	a.wantCount("#sponsor-link", 0)
	a.wantCount("#support", 1)

	// 4. The author opens the debate with a comment for the proposal.
	a.do("choose stance", chromedp.Click(chromedp.CSS(`#comment-form fieldset.stance-choice input[value=for]`), chromedp.NodeVisible))
	a.typeInto("textarea#f-body", "찬성합니다. 야간에 공부할 곳이 부족합니다.")
	a.waitText("#live-status", "실시간") // the live channel is up, so the form posts by script
	a.tap(`#comment-form button[type=submit]`)
	a.waitCount("ol.comments > li.comment", 1)
	first := a.attr("ol.comments > li.comment", "data-id")
	if first == "" {
		t.Fatal("no comment on the page")
	}
	fc := "#c" + first
	a.wantText(fc+" .comment-body", "야간에 공부할 곳이 부족합니다")
	a.wantText(fc+" .stance", "찬성")
	a.wantText(".tally .stance-for", "1")

	// The citizen replies, upvotes the comment and supports the proposal.
	b.open(proposalPath)
	replyHref := fmt.Sprintf("%s?reply=%s#reply-%s", proposalPath, first, first)
	b.click(fmt.Sprintf(`%s a[href=%q]`, fc, replyHref), 200)
	form := "form#reply-" + first
	b.wantText(form+" h3", "답글 쓰기")
	b.do("choose reply stance", chromedp.Click(chromedp.CSS(form+` fieldset.stance-choice input[value=against]`), chromedp.NodeVisible))
	b.typeInto("textarea#f-body-"+first, "반대합니다. 야간 안전 대책이 먼저입니다.")
	b.waitText("#live-status", "실시간")
	b.tap(form + ` button[type=submit]`)
	b.waitCount(fc+" ol.replies > li.comment", 1)
	b.wantText(fc+" ol.replies .comment-body", "야간 안전 대책이 먼저입니다")
	// The reply arrives live and the form goes when the post's own answer
	// does: two events in either order.
	b.waitCount(form, 0)
	b.wantText(".tally .stance-against", "1")

	upvote := fmt.Sprintf(`%s > article form[action="/comments/%s/vote"] input[name=value][value="1"] ~ button`, fc, first)
	b.wantText(upvote, "공감", "0")
	b.tap(upvote)
	b.waitCount(fc+` > article form[action="/comments/`+first+`/vote"] button[aria-pressed=true]`, 1)
	if got := b.attr(fc+` > article form[action="/comments/`+first+`/vote"] button`, "aria-pressed"); got != "true" {
		t.Errorf("upvote button aria-pressed=%q after the vote", got)
	}
	b.wantText(fc+` > article form[action="/comments/`+first+`/vote"] button .count`, "1")

	supportBtn := fmt.Sprintf(`#support form[action="%s/support"] button`, proposalPath)
	b.wantText(supportBtn, "이 제안 지지하기")
	b.wantText(`#support [data-live=supports]`, "0")
	b.click(supportBtn, 200)
	// The reply against came after the page was drawn, so the support step is
	// its own page: the strongest objection first (objection.go).
	b.wantText("h1", "지지하기 전에 반대 의견을 읽어 주세요")
	b.click(`.objection-confirm button.btn-primary`, 200)
	b.wantText(".flash", "이 제안을 지지했습니다")
	b.wantText(`#support [data-live=supports]`, "1")
	b.wantText("#support", "이 제안을 지지하고 있습니다")
	b.wantCount(supportBtn, 0)
	b.wantCount(fmt.Sprintf(`#support form[action="%s/unsupport"] button`, proposalPath), 1)

	// For the lead's eyes: the debated proposal on a desktop and a phone.
	b.screenshot("proposal-desktop", 1280, 900, false)
	b.screenshot("proposal-mobile", 375, 812, true)

	// 5. Sign out.
	b.click(`header form[action="/logout"] button[type=submit]`, 200)
	b.wantText(".flash", "로그아웃했습니다")
	b.wantText("header .user-menu", "로그인")
	b.wantCount("header .user-name", 0)
	b.wantCount(`header form[action="/logout"]`, 0)

	// The rows behind the pages.
	p, err := e.st.Proposal(bg, pid)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != forum.StatusOpen || p.Supports != 1 || p.Comments != 2 {
		t.Errorf("proposal: status %s, %d supports, %d comments; want open, 1, 2", p.Status, p.Supports, p.Comments)
	}
	cs, err := e.st.Comments(bg, forum.ProposalSubject(pid))
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 {
		t.Fatalf("%d comments in the store, want 2", len(cs))
	}
	byID := map[int64]*forum.Comment{}
	for _, c := range cs {
		byID[c.ID] = c
	}
	top := byID[atoi64(first)]
	if top == nil || top.Up != 1 || top.Down != 0 || top.Stance != forum.StanceFor || top.ParentID != 0 {
		t.Errorf("first comment in the store: %+v", top)
	}
	citizen, _, err := e.st.UserByEmail(bg, "seoyeon@example.org")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.ID != atoi64(first) && (c.ParentID != atoi64(first) || c.AuthorID != citizen.ID || c.Stance != forum.StanceAgainst) {
			t.Errorf("reply in the store: %+v", c)
		}
	}
	v, err := e.st.ViewerState(bg, pid, citizen.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Supported || !v.Sponsored || len(v.Votes) != 1 || v.Votes[atoi64(first)] != 1 {
		t.Errorf("citizen's rows: %+v; want supported, sponsored, one up vote on comment %s", v, first)
	}
	if err := e.st.CheckCounters(bg); err != nil {
		t.Errorf("counters: %v", err)
	}
}
