package web

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/e-people/e-people/forum"
)

// adopt gives the tab c's cookies (its session), so it browses as c, and
// the interface language lang ("" keeps the browser's Korean).
func (b *tab) adopt(c *client, lang string) {
	b.t.Helper()
	cookies := map[string]string{}
	c.mu.Lock()
	for k, v := range c.cookies {
		cookies[k] = v
	}
	c.mu.Unlock()
	if lang != "" {
		cookies[langCookie] = lang
	}
	b.run("set cookies", func(ctx context.Context) error {
		for k, v := range cookies {
			if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: k, Value: v, URL: b.base}); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestBrowser_RefusalsSayWhy shows, in Chromium, the pages whose refusals
// now say why: a used setup link (410, in three languages), a refused
// co-sponsoring, a transfer without a reason (the form again, the error by
// the field), and a bulk decision that skipped another moderator's claimed
// entry; each is saved at 1280 and 390 px when EPEOPLE_SCREENSHOTS is set.
func TestBrowser_RefusalsSayWhy(t *testing.T) {
	f := newAnsFixture(t)
	e := f.e
	ctx := context.Background()
	br := newBrowser(t, e, 4*time.Minute)
	shots := func(b *tab, name string) {
		b.screenshot(name+"-1280", 1280, 900, false)
		b.screenshot(name+"-390", 390, 844, true)
	}

	// A used setup link.
	if err := e.st.SetSetupToken(ctx, forum.TokenHash("browser-used-token")); err != nil {
		t.Fatal(err)
	}
	if err := e.st.SetSetupToken(ctx, forum.TokenHash("browser-new-token")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ lang, want string }{
		{"ko", "이미 사용된 설정 주소입니다"}, {"en", "This setup link has already been used"}, {"zh", "此設定網址已被使用"},
	} {
		g := br.tab("guest " + tc.lang)
		g.adopt(e.client(), tc.lang)
		g.load("open a used setup link", 410, chromedp.Navigate(g.base+"/setup/browser-used-token"))
		g.wantText("main h1", tc.want)
		g.wantCount(`main a[href="/login"]`, 1)
		g.wantCount(`main input[name="password"]`, 0)
		shots(g, "setup-used-"+tc.lang)
	}

	// Co-sponsoring one's own proposal: the sponsor page says why.
	author := e.register("공동 발의 작성자")
	gid := author.propose("내 제안에 공동 발의해 보기", "본문입니다.")
	g, err := e.st.Proposal(ctx, gid)
	if err != nil {
		t.Fatal(err)
	}
	a := br.tab("author")
	a.adopt(author, "")
	sponsor := "/proposals/" + itoa(int(gid)) + "/sponsor/" + g.SponsorToken
	a.open(sponsor)
	// The page offers the author no button; a form sent anyway (an old tab, a script) is refused on the page.
	evalIn[bool](a, `(() => { const f = document.createElement("form"); f.method = "post"; f.action = location.pathname;
		const c = document.createElement("input"); c.type = "hidden"; c.name = "_csrf"; c.value = document.querySelector('meta[name="csrf-token"]').content;
		const s = document.createElement("button"); s.type = "submit"; s.id = "forged-sponsor"; s.textContent = "sponsor";
		f.append(c, s); document.querySelector("main").append(f); return true; })()`)
	a.click("#forged-sponsor", 403)
	a.wantText(".error-summary", "내가 쓴 제안에는 공동 발의할 수 없습니다.")
	a.wantText("#sponsor-title", "공동 발의")
	shots(a, "sponsor-refused-ko")

	// A transfer without a reason: the form again, the error beside the field, the choice kept.
	id := f.awaiting("이관 사유 없이 보내 보기")
	o := br.tab("official")
	o.adopt(f.lead, "")
	o.open("/proposals/" + itoa(int(id)))
	o.do("choose a ministry", chromedp.SetValue(chromedp.CSS("#f-transfer-to"), itoa(int(f.moe))))
	o.typeInto("#f-transfer-reason", "   ")
	o.click(`form[action$="/transfer"] button[type=submit]`, 400)
	o.wantText("#f-transfer-reason-error", "이관 사유를 적어 주십시오.")
	if got := o.value("#f-transfer-to"); got != itoa(int(f.moe)) {
		t.Errorf("the chosen ministry was not kept: %q", got)
	}
	if got := o.attr("#f-transfer-reason", "aria-invalid"); got != "true" {
		t.Errorf("the reason field is not marked invalid: %q", got)
	}
	if got := evalIn[string](o, `document.activeElement ? document.activeElement.id : ""`); got != "f-transfer-reason" {
		t.Errorf("focus is on %q, want the reason field, where the error is", got)
	}
	shots(o, "transfer-refused-ko")

	// A bulk decision that skips another moderator's claimed entry.
	mod1 := e.staff(forum.RoleModerator, 0, "류지혜")
	mod2 := e.staff(forum.RoleModerator, 0, "박정우")
	writer := e.register("의견 쓴 시민")
	reporter := e.register("신고한 시민")
	pid := e.openProposal(author, "일괄 처리 시험 제안", "본문입니다.")
	var reviews []string
	for _, body := range []string{"맡아 둔 의견입니다", "함께 처리할 의견입니다"} {
		r := writer.post("/proposals/"+itoa(int(pid))+"/comments", url.Values{"stance": {"for"}, "body": {body}})
		_, cid, _ := strings.Cut(r.Header.Get("Location"), "#c")
		if r := reporter.post("/reports", url.Values{"kind": {"comment"}, "id": {cid}, "reason": {"offtopic"}}); r.Status != 303 {
			t.Fatalf("report: %d", r.Status)
		}
		reviews = append(reviews, itoa(int(modReview(t, e, forum.ItemComment, atoi64(cid)).ID)))
	}
	if r := mod1.post("/moderation/items/"+reviews[0]+"/claim", nil); r.Status != 303 {
		t.Fatalf("claim: %d", r.Status)
	}
	m := br.tab("moderator")
	m.adopt(mod2, "")
	m.open("/moderation")
	m.wantText("#r"+reviews[0]+" .meta", "류지혜 님이", "까지 처리 중")
	for _, r := range reviews {
		m.do("select "+r, chromedp.Click(chromedp.CSS("#sel-"+r), chromedp.NodeVisible))
	}
	m.do("choose to ignore", chromedp.SetValue(chromedp.CSS("#bulk-decision"), "ignore"))
	m.click(`#bulk button[type=submit]`, 200)
	m.wantText("#bulk-skipped", "1건을 처리했습니다.", "#"+reviews[0]+": 류지혜 님이")
	m.wantCount(`#bulk-skipped a[href="#r`+reviews[0]+`"]`, 1)
	shots(m, "moderation-bulk-skipped-ko")
}
