package web

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/e-people/e-people/forum"
)

// viewport makes the tab a phone (390×844, touch, the page's viewport meta
// honoured) or a desktop window of the given size, until the next call or
// screenshot.
func (b *tab) viewport(width, height int64, mobile bool) {
	b.t.Helper()
	var opts []chromedp.EmulateViewportOption
	if mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait, chromedp.EmulateScale(2))
	}
	b.do(fmt.Sprintf("viewport %d×%d", width, height), chromedp.EmulateViewport(width, height, opts...))
}

// fontsReady waits until the page's web fonts have loaded (or failed).
func (b *tab) fontsReady() {
	b.t.Helper()
	b.run("wait for fonts", func(ctx context.Context) error {
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.fonts.ready.then(() => true)`, chromedp.EvalAwaitPromise))
		return err
	})
}

// overflowJS is how far the page scrolls sideways: > 0 is a defect. On a
// phone a page wider than the screen zooms out until it fits, which widens
// innerWidth with it; the root's clientWidth stays the screen's width.
const overflowJS = `document.documentElement.scrollWidth - Math.min(innerWidth, document.documentElement.clientWidth)`

// pillCoversJS lists what the live status covers: every interactive element
// and every piece of text whose boxes meet the pill's, and whatever else is
// hit at the pill's corners. "" when it covers nothing or is not shown.
const pillCoversJS = `(() => {
	const pill = document.getElementById("live-status");
	if (!pill || getComputedStyle(pill).visibility === "hidden") return "";
	const r = pill.getBoundingClientRect();
	if (!r.width || !r.height) return "";
	const meets = q => q.width > 0 && q.height > 0 && q.right > r.left && q.left < r.right && q.bottom > r.top && q.top < r.bottom;
	const out = [];
	for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, label, [tabindex]')) {
		if (pill.contains(el) || el.contains(pill)) continue;
		if ([...el.getClientRects()].some(meets)) out.push(el.outerHTML.slice(0, 80));
	}
	const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n; (n = walk.nextNode());) {
		if (!n.textContent.trim() || pill.contains(n)) continue;
		const range = document.createRange();
		range.selectNodeContents(n);
		if ([...range.getClientRects()].some(meets)) out.push("text " + JSON.stringify(n.textContent.trim().slice(0, 40)));
	}
	for (const [x, y] of [[r.left + 2, r.top + 2], [r.right - 2, r.top + 2], [r.left + 2, r.bottom - 2], [r.right - 2, r.bottom - 2]]) {
		const at = document.elementFromPoint(x, y);
		if (at && !pill.contains(at) && !at.contains(pill)) out.push("at a corner: " + at.outerHTML.slice(0, 80));
	}
	return out.join("; ");
})()`

// headerBottomJS is where the header ends, from the top of the page.
const headerBottomJS = `Math.round(document.querySelector(".site-header").getBoundingClientRect().bottom + scrollY)`

// headerRowsJS describes the desktop header's rows: "" when the account
// links and languages share one line at the top, the brand and the search
// the next, the navigation one line below them, and the search button is as
// tall as its input.
const headerRowsJS = `(() => {
	const out = [];
	const boxes = sels => sels.flatMap(s => [...document.querySelectorAll(s)])
		.filter(el => el.getClientRects().length > 0).map(el => el.getBoundingClientRect());
	const rows = [["account and languages", [".user-menu > *", ".lang-switch li"]], ["brand and search", [".site-header .brand", "#h-q", ".header-search button"]], ["navigation", [".site-nav li"]]];
	let above = 0;
	for (const [name, sels] of rows) {
		const b = boxes(sels);
		if (!b.length) { out.push("no " + name); continue; }
		const mid = b.map(q => (q.top + q.bottom) / 2);
		if (Math.max(...mid) - Math.min(...mid) > 16) out.push("the row of " + name + " wraps: middles " + mid.map(Math.round).join(","));
		if (Math.min(...b.map(q => q.top)) < above - 1) out.push("the row of " + name + " overlaps the one above");
		above = Math.max(...b.map(q => q.bottom));
	}
	const input = document.getElementById("h-q"), button = document.querySelector(".header-search button");
	if (Math.abs(input.offsetHeight - button.offsetHeight) > 1) out.push("search input " + input.offsetHeight + "px, its button " + button.offsetHeight + "px");
	return out.join("; ");
})()`

// checkLayout asserts what every page must hold at the tab's current size.
func (b *tab) checkLayout(name string, phone bool) {
	b.t.Helper()
	if over := evalIn[int](b, overflowJS); over > 0 {
		b.t.Errorf("%s: the page scrolls %dpx sideways", name, over)
	}
	if covered := evalIn[string](b, pillCoversJS); covered != "" {
		b.t.Errorf("%s: the live status covers %s", name, covered)
	}
	if phone {
		if h := evalIn[int](b, headerBottomJS); h > 130 {
			b.t.Errorf("%s: the header ends %dpx down a phone's page, want ≤ 130", name, h)
		}
	} else if rows := evalIn[string](b, headerRowsJS); rows != "" {
		b.t.Errorf("%s: %s", name, rows)
	}
}

// layoutFixture is a forum with something on each page the layout matrix
// opens: a proposal under debate with comments, an open policy debate, a
// ministry, search results and a citizen's notifications.
type layoutFixture struct {
	e                        *env
	br                       *browser
	author                   *client
	proposal, debate, search string
}

func newLayoutFixture(t *testing.T) *layoutFixture {
	e := newEnv(t)
	br := newBrowser(t, e, 9*time.Minute)
	author := e.register("제안한 시민")
	pid := e.openProposal(author, "공공도서관 평일 야간 개방을 요청합니다", "퇴근 후에도 이용할 수 있도록 **밤 10시**까지 열어 주십시오.\n\n## 기대 효과\n\n- 학생과 직장인의 학습 공간 확보\n- 지역 문화 활성화")
	f := &layoutFixture{e: e, br: br, author: author, proposal: "/proposals/" + itoa(int(pid))}
	for i, c := range []struct{ stance, body string }{
		{"for", "찬성합니다. 야간에 공부할 곳이 부족합니다. 도서관은 지역의 가장 좋은 공부방입니다."},
		{"against", "인건비가 걱정됩니다. 시범 운영부터 해 보면 좋겠습니다."},
		{"neutral", "Opening late would help shift workers too; a pilot in two districts first?"},
	} {
		if r := e.register("토론자 "+itoa(i)).post(f.proposal+"/comments", url.Values{"stance": {c.stance}, "body": {c.body}}); r.Status != 303 {
			t.Fatalf("comment: %d %.300s", r.Status, r.Body)
		}
	}
	official := e.staff(forum.RoleOfficial, e.mins[0].ID, "김복지")
	local := func(d time.Duration) string { return e.clock.Now().Add(d).In(seoul).Format(datetimeLocal) }
	r := official.post("/debates", url.Values{"ministry": {itoa(int(e.mins[0].ID))}, "question": {"야간 돌봄을 어떻게 늘릴까요?"},
		"background": {"## 배경\n\n현재 제도는 저녁 7시까지입니다."}, "opens_at": {local(-time.Hour)}, "closes_at": {local(72 * time.Hour)}})
	if r.Status != 303 {
		t.Fatalf("open a debate: %d %.300s", r.Status, r.Body)
	}
	f.debate = r.Header.Get("Location")
	if r := author.post(f.debate+"/comments", url.Values{"stance": {"neutral"}, "body": {"지역마다 사정이 다릅니다."}}); r.Status != 303 {
		t.Fatalf("debate comment: %d", r.Status)
	}
	// Replies to the author's comment fill the author's notifications.
	mine := regexp.MustCompile(`data-id="(\d+)"`).FindStringSubmatch(e.client().get(f.debate).Body)
	if mine == nil {
		t.Fatal("no comment on the debate page")
	}
	for i, body := range []string{"동의합니다. 지역별 수요 조사가 먼저입니다.", "Agreed: a survey per district first."} {
		if r := e.register("답글 시민 "+itoa(i)).post(f.debate+"/comments", url.Values{"stance": {"for"}, "parent": {mine[1]}, "body": {body}}); r.Status != 303 {
			t.Fatalf("reply: %d %.300s", r.Status, r.Body)
		}
	}
	f.search = "/search?q=" + url.QueryEscape("도서관")
	return f
}

// TestBrowser_LayoutMatrix opens home, a proposal, a debate, the ministries,
// search results and notifications at 390px (a phone) and 1280px in Korean,
// English and Chinese, signed in as a citizen, and asserts on each: no
// sideways scrolling; on the phone a header no taller than 130px; on the
// desktop a header whose three rows do not wrap; and a live status that
// covers nothing. With EPEOPLE_SCREENSHOTS set it saves each page.
func TestBrowser_LayoutMatrix(t *testing.T) {
	f := newLayoutFixture(t)
	c := f.br.tab("citizen")
	c.signIn(f.author.user().Email, "correct horse battery staple", "제안한 시민")
	pages := []struct{ name, path string }{
		{"home", "/"}, {"proposal", f.proposal}, {"debate", f.debate},
		{"ministries", "/ministries"}, {"search", f.search}, {"notifications", "/notifications"},
	}
	for _, lang := range []string{"ko", "en", "zh"} {
		c.open("/lang?lang=" + lang + "&next=/")
		for _, size := range []struct {
			w, h  int64
			phone bool
		}{{390, 844, true}, {1280, 900, false}} {
			for _, p := range pages {
				name := fmt.Sprintf("%s-%s-%d", p.name, lang, size.w)
				c.viewport(size.w, size.h, size.phone)
				c.open(p.path)
				c.fontsReady()
				if p.name == "proposal" || p.name == "debate" {
					c.waitJS("the live status", `document.querySelector("#live-status.live-on") !== null`)
				}
				c.checkLayout(name, size.phone)
				c.screenshot(name, size.w, size.h, size.phone)
			}
		}
	}
	c.do("reset the viewport", chromedp.EmulateReset())
}

// TestBrowser_StaffHeader: the header of an administrator, a moderator and
// an official (more links than a citizen's) keeps to its three rows at
// 1280px in every language, and folds on a phone like anyone's.
func TestBrowser_StaffHeader(t *testing.T) {
	e := newEnv(t)
	br := newBrowser(t, e, 5*time.Minute)
	for _, s := range []struct {
		role forum.Role
		name string
	}{{forum.RoleAdmin, "이관리자"}, {forum.RoleModerator, "류운영자"}, {forum.RoleOfficial, "김공무원"}} {
		ministry := int64(0)
		if s.role == forum.RoleOfficial {
			ministry = e.mins[0].ID
		}
		staff := e.staff(s.role, ministry, s.name)
		b := br.tab(string(s.role))
		b.signInStaff(e, staff.user().Email, "staff passphrase 1", s.name)
		for _, lang := range []string{"ko", "en", "zh"} {
			b.open("/lang?lang=" + lang + "&next=/")
			b.viewport(1280, 900, false)
			b.open("/proposals")
			b.fontsReady()
			b.checkLayout(fmt.Sprintf("%s's header in %s", s.role, lang), false)
			b.screenshot(fmt.Sprintf("staff-%s-%s-1280", s.role, lang), 1280, 900, false)
			b.viewport(390, 844, true)
			b.open("/proposals")
			b.checkLayout(fmt.Sprintf("%s's header in %s on a phone", s.role, lang), true)
		}
	}
}

// TestBrowser_PhoneMenu: on a phone the navigation, the account links and
// the languages wait behind a menu button, and the search behind an icon
// button; with script both are buttons that say whether they are open and
// Escape closes them; without script both are links that still open their
// panels.
func TestBrowser_PhoneMenu(t *testing.T) {
	e := newEnv(t)
	br := newBrowser(t, e, 3*time.Minute)
	citizen := e.register("메뉴 시민")
	visible := func(b *tab, sel string) bool {
		return evalIn[bool](b, `(() => { const n = document.querySelector(`+jsString(sel)+`); return !!n && n.getClientRects().length > 0; })()`)
	}

	b := br.tab("citizen")
	b.signIn(citizen.user().Email, "correct horse battery staple", "메뉴 시민")
	b.viewport(390, 844, true)
	b.open("/proposals")
	if visible(b, ".site-nav") || visible(b, "#h-q") || visible(b, "header .user-name") {
		t.Error("the navigation, search or account links show before the menu is opened")
	}
	menu, search := `.header-buttons button[aria-controls="site-menu"]`, `.header-buttons button[aria-controls="site-search"]`
	if got := b.attr(menu, "aria-expanded"); got != "false" {
		t.Errorf("menu button aria-expanded %q, want false", got)
	}
	b.wantText(menu, "메뉴")
	b.tap(menu)
	if b.attr(menu, "aria-expanded") != "true" || !visible(b, `.site-nav a[href="/debates"]`) || !visible(b, "header .user-name") || !visible(b, `.lang-switch a[hreflang=en]`) {
		t.Error("the menu button does not open the menu")
	}
	if over := evalIn[int](b, overflowJS); over > 0 {
		t.Errorf("the open menu scrolls the page %dpx sideways", over)
	}
	b.screenshot("menu-open-ko-390", 390, 844, true)
	b.viewport(390, 844, true)
	b.do("press Escape", chromedp.KeyEvent(kb.Escape))
	if b.attr(menu, "aria-expanded") != "false" || visible(b, ".site-nav") {
		t.Error("Escape does not close the menu")
	}
	if !evalIn[bool](b, `document.activeElement === document.querySelector(`+jsString(menu)+`)`) {
		t.Error("focus does not return to the menu button")
	}
	b.tap(search)
	if b.attr(search, "aria-expanded") != "true" || !visible(b, "#h-q") || b.attr("#h-q", "id") == "" ||
		!evalIn[bool](b, `document.activeElement === document.getElementById("h-q")`) {
		t.Error("the search button does not open the search box and put the cursor in it")
	}
	if over := evalIn[int](b, overflowJS); over > 0 {
		t.Errorf("the open search box scrolls the page %dpx sideways (%s)", over, evalIn[string](b, `[...document.querySelectorAll("#site-search, #h-q, #site-search button")].map(e => e.tagName + " " + Math.round(e.getBoundingClientRect().width) + " " + getComputedStyle(e).flex + " " + getComputedStyle(e).minWidth + " " + getComputedStyle(e).width).join("; ")`))
	}
	b.screenshot("search-open-ko-390", 390, 844, true)
	b.viewport(390, 844, true)
	b.typeInto("#h-q", "도서관")
	b.load("search from the phone header", 200, chromedp.KeyEvent(kb.Enter))
	if !strings.HasPrefix(evalIn[string](b, `location.pathname`), "/search") {
		t.Error("the header search does not lead to the search page")
	}

	// Without script: the buttons are links to their panels, which open.
	n := br.tab("no script")
	n.run("turn script off", func(ctx context.Context) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})
	n.viewport(390, 844, true)
	n.open("/proposals")
	if visible(n, ".site-nav") {
		t.Error("without script the menu shows before it is opened")
	}
	n.tap(`.header-buttons a[href="#site-menu"]`)
	n.waitJS("the menu", `document.querySelector(".site-nav").getClientRects().length > 0`)
	if !visible(n, `.site-nav a[href="/debates"]`) || !visible(n, `.user-menu a[href="/login"]`) {
		t.Error("without script the menu link does not open the menu")
	}
	n.tap(`.fold-close a`)
	n.waitJS("the menu to close", `document.querySelector(".site-nav").getClientRects().length === 0`)
	n.tap(`.header-buttons a[href="#site-search"]`)
	n.waitJS("the search box", `document.getElementById("h-q").getClientRects().length > 0`)
}

// TestBrowser_LiveStatusPlace: the live status shows only where the page
// has live content, and covers nothing there: absent from the moderation
// queue (a signed-in moderator's socket carries only their own
// notifications), and on a proposal at 390px and 1280px on a line of its
// own, under no button, link or text.
func TestBrowser_LiveStatusPlace(t *testing.T) {
	f := newLayoutFixture(t)
	e := f.e
	mod := e.staff(forum.RoleModerator, 0, "류운영")
	cid := regexp.MustCompile(`data-id="(\d+)"`).FindStringSubmatch(e.client().get(f.proposal).Body)
	if cid == nil {
		t.Fatal("no comment on the proposal page")
	}
	if r := e.register("신고한 시민").post("/reports", url.Values{"kind": {"comment"}, "id": {cid[1]}, "reason": {"spam"}}); r.Status != 303 {
		t.Fatalf("report: %d %.300s", r.Status, r.Body)
	}
	m := f.br.tab("moderator")
	m.signInStaff(e, mod.user().Email, "staff passphrase 1", "류운영")
	m.viewport(1280, 900, false)
	m.open("/moderation")
	m.wantCount(".review-item", 1)
	m.wantCount("#live-status", 0)
	m.wantCount("#live-announcer", 1) // the unread count still arrives live
	m.checkLayout("moderation", false)

	c := f.br.tab("citizen")
	c.signIn(f.author.user().Email, "correct horse battery staple", "제안한 시민")
	for _, size := range []struct {
		w, h  int64
		phone bool
	}{{390, 844, true}, {1280, 900, false}} {
		c.viewport(size.w, size.h, size.phone)
		c.open(f.proposal)
		c.waitText("#live-status", "실시간")
		if pos := evalIn[string](c, `getComputedStyle(document.getElementById("live-status")).position`); pos == "fixed" || pos == "absolute" || pos == "sticky" {
			t.Errorf("%dpx: the live status is %s, out of the page's flow", size.w, pos)
		}
		c.checkLayout(fmt.Sprintf("proposal at %dpx", size.w), size.phone)
		// The page, scrolled: nothing passes under it either.
		evalIn[bool](c, `(scrollTo(0, 400), true)`)
		if covered := evalIn[string](c, pillCoversJS); covered != "" {
			t.Errorf("%dpx, scrolled: the live status covers %s", size.w, covered)
		}
	}
}

// TestBrowser_TablesOnPhones: at 390px the ministries' scorecard, the
// moderation queue and log, the open-data page and the administrators'
// tables do not scroll the page sideways, and every cell of the scorecard
// shows within the screen under its column's name.
func TestBrowser_TablesOnPhones(t *testing.T) {
	f := newMinistryFixture(t, nil)
	e := f.e
	br := newBrowser(t, e, 4*time.Minute)
	// Something in the moderation queue: a reported comment.
	gap := "/proposals/" + itoa(int(f.gap))
	if r := f.citizen.post(gap+"/comments", url.Values{"stance": {"for"}, "body": {"신고될 의견입니다. 아주긴단어가띄어쓰기없이이어지는문장도화면을넘지않아야합니다"}}); r.Status != 303 {
		t.Fatalf("comment: %d %.300s", r.Status, r.Body)
	}
	cid := regexp.MustCompile(`data-id="(\d+)"`).FindStringSubmatch(e.client().get(gap).Body)
	if cid == nil {
		t.Fatal("no comment on the proposal page")
	}
	if r := e.register("신고한 시민").post("/reports", url.Values{"kind": {"comment"}, "id": {cid[1]}, "reason": {"spam"}}); r.Status != 303 {
		t.Fatalf("report: %d %.300s", r.Status, r.Body)
	}
	admin := e.staff(forum.RoleAdmin, 0, "표관리")
	b := br.tab("admin")
	b.signInStaff(e, admin.user().Email, "staff passphrase 1", "표관리")
	for _, p := range []string{"/ministries", "/moderation", "/moderation/log", "/open-data", "/stats",
		"/admin/overdue", "/admin/outbox", "/admin/ministries", "/admin/settings"} {
		b.viewport(390, 844, true)
		b.open(p)
		b.fontsReady()
		b.checkLayout(p, true)
		if p == "/moderation" {
			b.wantCount(".review-item", 1)
		}
		b.screenshot("table"+strings.ReplaceAll(p, "/", "-")+"-ko-390", 390, 844, true)
	}
	b.viewport(390, 844, true)
	b.open("/ministries")
	got := evalIn[string](b, `(() => {
		const out = [];
		const cells = document.querySelectorAll(".scorecard tbody td, .scorecard tbody th");
		if (cells.length < 7) out.push(cells.length + " cells");
		for (const td of cells) {
			const r = td.getBoundingClientRect();
			if (r.width === 0 || r.left < 0 || r.right > innerWidth) out.push("a cell off the screen: " + td.textContent.trim());
			if (td.tagName === "TD" && !getComputedStyle(td, "::before").content.includes(td.dataset.label || "\u0000")) out.push("a cell without its column's name: " + td.textContent.trim());
		}
		return out.join("; ");
	})()`)
	if got != "" {
		t.Errorf("scorecard on a phone: %s", got)
	}
}

// TestBrowser_WebFont: a Korean page draws its text in Pretendard GOV,
// fetched as a few of its subsets from this site; the test logs how many
// files and bytes a Korean page downloads.
func TestBrowser_WebFont(t *testing.T) {
	f := newLayoutFixture(t)
	b := f.br.tab("reader")
	for _, p := range []string{"/", f.proposal} {
		b.open(p)
		b.fontsReady()
		if !evalIn[bool](b, `document.fonts.check('16px "Pretendard GOV"', "정책토론") && document.fonts.check('700 16px "Pretendard GOV"', "정책토론")`) {
			t.Errorf("%s: Pretendard GOV is not loaded for Hangul in both weights", p)
		}
		got := evalIn[string](b, `(() => {
			const fonts = performance.getEntriesByType("resource").filter(e => e.initiatorType === "css" && /\.woff2$/.test(e.name));
			const bad = fonts.filter(e => !e.name.startsWith(location.origin + "/assets/fonts/pretendard-gov-1.3.9/") || (e.responseStatus && e.responseStatus !== 200));
			const bytes = fonts.reduce((n, e) => n + e.encodedBodySize, 0);
			return fonts.length + " " + bytes + " " + bad.length;
		})()`)
		var n, bytes, bad int
		if _, err := fmt.Sscan(got, &n, &bytes, &bad); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s (Korean): %d font files, %d bytes", p, n, bytes)
		if n == 0 || bad != 0 {
			t.Errorf("%s: %d font files, %d of them not the site's own or not 200", p, n, bad)
		}
		if family := evalIn[string](b, `getComputedStyle(document.body).fontFamily`); !strings.HasPrefix(family, `"Pretendard GOV"`) {
			t.Errorf("%s: body font-family %s", p, family)
		}
	}
}
