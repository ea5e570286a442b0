package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
)

// axePath is axe-core as `make test-deps` installs it (npm, pinned), from forum/web.
const axePath = "../../.cache/npm/node_modules/axe-core/axe.min.js"

// axeTags are the rule sets of WCAG 2.1 level AA.
const axeTags = `['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']`

func axeSource(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(axePath)
	if err != nil {
		t.Skipf("axe-core not found at %s: `make test` installs it (npm install axe-core into .cache/npm)", axePath)
	}
	return string(src)
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// axeCheck injects axe-core into the tab's page and fails the test with
// every WCAG 2.1 A/AA violation it finds there. The script goes in through
// CDP's Runtime.evaluate, which the page's Content-Security-Policy (no
// inline script) does not govern; TestA11y_EveryPageType checks that.
func (b *tab) axeCheck(page, src string) {
	b.t.Helper()
	b.settle()
	if !evalIn[bool](b, `typeof window.axe === "object"`) {
		b.do("inject axe-core", chromedp.Evaluate[chromedp.Void](src+"\n;void 0"))
	}
	var raw string
	b.run("axe.run on "+page, func(ctx context.Context) (err error) {
		raw, err = chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: 'tag', values: `+axeTags+`}})
			.then(r => JSON.stringify({violations: r.violations, passes: r.passes.length,
				review: r.incomplete.map(v => v.id + "×" + v.nodes.length + " (" + v.nodes.slice(0, 3).map(n =>
					n.target.join(" ") + ": " + (((n.any[0] || {}).data || {}).messageKey || "?")).join("; ") + ")")}))`, chromedp.EvalAwaitPromise))
		return err
	})
	var res struct {
		Violations []axeViolation `json:"violations"`
		Passes     int            `json:"passes"`
		Review     []string       `json:"review"` // what axe could not decide, for a person to look at
	}
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		b.t.Fatalf("%s: axe result: %v: %.300s", page, err, raw)
	}
	if res.Passes == 0 {
		b.t.Fatalf("%s: axe-core checked nothing: %.300s", page, raw)
	}
	vs := res.Violations
	if len(res.Review) > 0 {
		b.t.Logf("%s (%s): axe leaves for review: %s", page, b.who, strings.Join(res.Review, ", "))
	}
	for _, v := range vs {
		var targets []string
		for i, n := range v.Nodes {
			if i == 4 {
				targets = append(targets, fmt.Sprintf("… %d more", len(v.Nodes)-i))
				break
			}
			targets = append(targets, fmt.Sprint(n.Target...))
		}
		b.t.Errorf("%s (%s, %s): %s [%s] %s: %s", page, b.who, b.location(), v.ID, v.Impact, v.Help, strings.Join(targets, " | "))
	}
	if len(vs) == 0 {
		b.t.Logf("%s (%s): no WCAG 2.1 AA violations (%d rules pass)", page, b.who, res.Passes)
	}
}

// TestA11y_EveryPageType runs axe-core over each kind of page, as a visitor,
// a citizen, an official and a moderator would see it.
func TestA11y_EveryPageType(t *testing.T) {
	src := axeSource(t)
	e := newEnv(t)
	bg := context.Background()
	if err := e.st.SetSettings(bg, map[string]string{forum.SettingSupportThreshold: "2"}); err != nil {
		t.Fatal(err)
	}
	br := newBrowser(t, e, 6*time.Minute)

	// A proposal with comments that its supporters bring to the ministry.
	author := e.register("제안한 시민")
	pid := e.openProposal(author, "공공도서관 평일 야간 개방", "퇴근 후에도 이용할 수 있도록 **밤 10시**까지 열어 주십시오.")
	path := "/proposals/" + itoa(int(pid))
	for i, c := range []struct{ stance, body string }{
		{"for", "찬성합니다. 야간에 공부할 곳이 부족합니다."},
		{"against", "인건비가 걱정됩니다. 시범 운영부터 해 보면 좋겠습니다."},
	} {
		if r := e.register("토론자 "+itoa(i)).post(path+"/comments", url.Values{"stance": {c.stance}, "body": {c.body}}); r.Status != 303 {
			t.Fatalf("comment: %d %.300s", r.Status, r.Body)
		}
	}
	for i := 0; i < 2; i++ {
		if r := e.register("지지자 " + itoa(i)).supportThroughStep(path); r.Status != 303 { // past the strongest objection (objection.go)
			t.Fatalf("support: %d", r.Status)
		}
	}
	if p, err := e.st.Proposal(bg, pid); err != nil || p.Status != forum.StatusAwaiting {
		t.Fatalf("proposal %+v, %v: want it awaiting an answer", p, err)
	}
	cid := regexp.MustCompile(`data-id="(\d+)"`).FindStringSubmatch(e.client().get(path).Body)
	if cid == nil {
		t.Fatal("no comment on the proposal page")
	}
	reporter := e.register("신고한 시민")
	if r := reporter.post("/reports", url.Values{"kind": {"comment"}, "id": {cid[1]}, "reason": {"spam"}}); r.Status != 303 {
		t.Fatalf("report: %d %.300s", r.Status, r.Body)
	}

	official := e.staff(forum.RoleOfficial, e.mins[0].ID, "김복지")
	moderator := e.staff(forum.RoleModerator, 0, "류운영")
	local := func(d time.Duration) string { return e.clock.Now().Add(d).In(seoul).Format(datetimeLocal) }
	r := official.post("/debates", url.Values{"ministry": {itoa(int(e.mins[0].ID))}, "question": {"야간 돌봄을 어떻게 늘릴까요?"},
		"background": {"## 배경\n\n현재 제도"}, "opens_at": {local(-time.Hour)}, "closes_at": {local(72 * time.Hour)}})
	if r.Status != 303 {
		t.Fatalf("open a debate: %d %.300s", r.Status, r.Body)
	}
	debate := r.Header.Get("Location")
	if r := author.post(debate+"/comments", url.Values{"stance": {"neutral"}, "body": {"지역마다 사정이 다릅니다."}}); r.Status != 303 {
		t.Fatalf("debate comment: %d", r.Status)
	}

	// Visitors.
	v := br.tab("visitor")
	v.open("/")
	// The page's CSP refuses inline script, yet axe-core runs: CDP evaluation is not subject to it.
	if evalIn[bool](v, `(() => { const s = document.createElement("script"); s.textContent = "window.__inline = 1"; document.head.append(s); return window.__inline === 1; })()`) {
		t.Error("an inline script ran: the Content-Security-Policy does not forbid it, so this test proves nothing about injecting axe-core under it")
	}
	v.axeCheck("home", src)
	if !evalIn[bool](v, `typeof axe.run === "function"`) {
		t.Fatal("axe-core did not load under the page's CSP")
	}
	// A canary: an unlabelled field and grey-on-white text, which axe must catch.
	v.run("axe canary", func(ctx context.Context) error {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
			const box = document.createElement("div");
			box.innerHTML = '<input type="text" name="canary"><p>흐린 글자</p>';
			box.lastChild.style.color = "#ccc";
			document.querySelector("main").append(box);
			return axe.run(box, {runOnly: {type: 'tag', values: `+axeTags+`}})
				.then(r => { box.remove(); return r.violations.map(v => v.id).sort().join(","); });
		})()`, chromedp.EvalAwaitPromise))
		if err == nil && got != "color-contrast,label" {
			err = fmt.Errorf("axe found %q in the canary, want color-contrast,label", got)
		}
		return err
	})
	for _, p := range []struct{ name, path string }{
		{"proposal list", "/proposals"},
		{"proposal awaiting an answer", path},
		{"debate list", "/debates"},
		{"debate", debate},
		{"ministries scorecard", "/ministries"},
		{"ministry", "/ministries/mohw"},
		{"sign-in", "/login"},
		{"register", "/register"},
		{"forgot password", "/password/forgot"},
		{"reset password", "/password/reset/" + acctResetToken(e, author.user().Email)},
	} {
		v.open(p.path)
		v.axeCheck(p.name, src)
	}
	for _, p := range []struct{ name, path string }{
		{"search", "/search?q=" + url.QueryEscape("정책")},
		{"stats", "/stats"},
		{"open data", "/open-data"},
		{"privacy policy", "/privacy"},
		{"terms of use", "/terms"},
		{"accessibility statement", "/accessibility"},
	} {
		if st := e.client().get(p.path).Status; st != 200 {
			t.Logf("%s: %s answers %d: not checked", p.name, p.path, st)
			continue
		}
		v.open(p.path)
		v.axeCheck(p.name, src)
	}
	v.open("/register")
	v.typeInto("#f-email", "not-an-address")
	v.typeInto("#f-password", "short")
	v.click(`form[action="/register"] button[type=submit]`, 400)
	v.wantCount(".error-summary", 1)
	v.axeCheck("register with errors", src)

	// A citizen: notifications, the comment form, the proposal form and its errors.
	c := br.tab("citizen")
	c.signIn(author.user().Email, "correct horse battery staple", "제안한 시민")
	c.axeCheck("home, signed in", src)
	c.open("/notifications")
	c.axeCheck("notifications", src)
	c.open("/account/privacy")
	c.axeCheck("my data", src)
	c.open("/account/delete")
	c.axeCheck("delete my account", src)
	c.open(path)
	c.axeCheck("proposal, signed in", src)
	c.open("/proposals/new")
	c.axeCheck("new proposal", src)
	c.click(`button[name=action][value=submit]`, 400)
	c.wantCount(".error-summary", 1)
	c.axeCheck("new proposal with errors", src)
	c.open("/account")
	c.axeCheck("account settings", src)
	c.click(`form[action="/account/email"] button[type=submit]`, 400)
	c.wantCount(".error-summary", 1)
	c.axeCheck("account settings with errors", src)
	c.open("/account/verify")
	c.axeCheck("e-mail verification", src)
	c.open("/account/identity")
	c.axeCheck("identity verification", src)

	// A moderator: the queue.
	m := br.tab("moderator")
	m.signInStaff(e, moderator.user().Email, "staff passphrase 1", "류운영")
	m.open("/moderation")
	m.axeCheck("moderation queue", src)
	m.open("/account/2fa")
	m.axeCheck("two-factor settings, staff", src)
	c.open("/account/2fa")
	c.axeCheck("two-factor enrolment", src)

	// An official: the inbox, the answer form, then the answered proposal.
	o := br.tab("official")
	o.signInStaff(e, official.user().Email, "staff passphrase 1", "김복지")
	o.open("/inbox")
	o.axeCheck("ministry inbox", src)
	o.open(path)
	o.wantCount("#respond", 1)
	o.axeCheck("proposal with the answer form", src)
	if err := e.st.PublishResponse(bg, official.user(), pid, forum.ResponseInput{Decision: forum.DecisionPartial,
		Summary: "세 곳에서 시범 운영합니다", Body: "검토 결과 세 곳에서 먼저 시범 운영합니다.", LegalBasis: "도서관법 제28조",
		ResponsibleUnit: "도서관정책기획단", Contact: "044-203-2612", NextStep: "시범 운영 결과 공개",
		NextStepDate: e.clock.Now().AddDate(0, 3, 0)}, e.srv.md.Markdown("검토 결과 세 곳에서 먼저 시범 운영합니다.")); err != nil {
		t.Fatal(err)
	}
	v.open(path)
	v.wantCount("[data-live=response] .official-response", 1)
	v.axeCheck("proposal with the official answer", src)

	// The other languages: their own lang attribute and longer strings.
	for _, lang := range []string{"en", "zh"} {
		v.open("/lang?lang=" + lang + "&next=" + url.QueryEscape(path))
		v.axeCheck("proposal with the official answer, "+lang, src)
		v.open("/register")
		v.axeCheck("register, "+lang, src)
		v.open("/password/forgot")
		v.axeCheck("forgot password, "+lang, src)
	}
}

// acctResetToken asks for a password reset link for email and returns its token from the outbox.
func acctResetToken(e *env, email string) string {
	e.t.Helper()
	if r := e.client().post("/password/forgot", url.Values{"email": {email}}); r.Status != 200 {
		e.t.Fatalf("forgot: %d", r.Status)
	}
	return e.acctToken(email, store.MailResetPassword)
}

// focusInfo describes document.activeElement and whether it shows a focus indicator.
type focusInfo struct {
	Desc    string `json:"desc"`
	Visible bool   `json:"visible"`
}

const focusExpr = `(() => {
	const el = document.activeElement;
	if (!el || el === document.body) return {desc: "body", visible: false};
	const shows = n => { const s = getComputedStyle(n);
		return (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || (s.boxShadow && s.boxShadow !== "none"); };
	const lab = el.closest("label");
	let desc = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.name ? "[name=" + el.name + "]" : "") +
		(el.value && el.type === "radio" ? "[value=" + el.value + "]" : "") + (el.className ? "." + String(el.className).split(" ").join(".") : "");
	if (el.tagName === "A" || el.tagName === "BUTTON") desc += " " + JSON.stringify(el.textContent.replace(/\s+/g, " ").trim().slice(0, 30));
	return {desc, visible: shows(el) || (!!lab && shows(lab))};
})()`

// press sends keys (see package kb) to whatever has focus.
func (b *tab) press(keys string, opts ...chromedp.KeyOption) {
	b.t.Helper()
	b.do("press "+strconv.Quote(keys), chromedp.KeyEvent(keys, opts...))
}

// focused describes the focused element and fails the test unless it shows a focus indicator.
func (b *tab) focused() focusInfo {
	b.t.Helper()
	var f focusInfo
	b.run("read focus", func(ctx context.Context) error {
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify(`+focusExpr+`)`))
		if err == nil {
			err = json.Unmarshal([]byte(raw), &f)
		}
		return err
	})
	if f.Desc != "body" && !f.Visible {
		b.t.Errorf("%s: focused %s shows no focus indicator (at %s)", b.who, f.Desc, b.location())
	}
	return f
}

// tabTo presses Tab until the element matching sel has focus, checking the
// focus indicator of each element on the way.
func (b *tab) tabTo(sel string) {
	b.t.Helper()
	is := `(() => { const n = document.querySelector(` + jsString(sel) + `); return !!n && document.activeElement === n; })()`
	var path []string
	for i := 0; i < 80; i++ {
		b.press(kb.Tab)
		f := b.focused()
		path = append(path, f.Desc)
		if evalIn[bool](b, is) {
			return
		}
	}
	b.t.Fatalf("%s: Tab never reached %s; focus went %s (at %s)", b.who, sel, strings.Join(path, " → "), b.location())
}

// sweep tabs through the whole page from the top, checking every focused
// element's focus indicator, and returns how many it visited.
func (b *tab) sweep() int {
	b.t.Helper()
	for i := 1; i <= 200; i++ {
		b.press(kb.Tab)
		f := b.focused()
		if i > 1 && (f.Desc == "body" || strings.Contains(f.Desc, "skip-link")) {
			return i - 1
		}
	}
	b.t.Fatalf("%s: 200 Tabs never left the page (at %s)", b.who, b.location())
	return 0
}

// wantFocus fails unless focus lands on sel. Following an in-page link moves
// focus after the key event returns, so it waits for focus to settle first.
func (b *tab) wantFocus(sel string) {
	b.t.Helper()
	expr := `document.activeElement === document.querySelector(` + jsString(sel) + `)`
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(20*time.Millisecond)))
	cancel()
	if err != nil {
		title := evalIn[string](b, `document.title + " | navigations: " + performance.getEntriesByType("navigation").map(e => e.type).join(",") + " | summary links: " + document.querySelectorAll(".error-summary a").length`)
		b.t.Errorf("%s: focus is on %s, want %s (at %s: %s)", b.who, b.focused().Desc, sel, b.location(), title)
	}
}

// TestA11y_KeyboardJourney proposes, comments and supports with the keyboard
// alone, checking the skip link, focus indicators and error summaries.
func TestA11y_KeyboardJourney(t *testing.T) {
	e := newEnv(t)
	br := newBrowser(t, e, 3*time.Minute)
	bg := context.Background()
	author := e.register("시민 작성자")
	pid := e.openProposal(author, "공원 야간 조명 확충", "어두운 산책로에 조명을 더 달아 주십시오.")
	path := "/proposals/" + itoa(int(pid))

	k := br.tab("keyboard")
	k.signIn(author.user().Email, "correct horse battery staple", "시민 작성자")

	// The skip link comes first and takes focus to main.
	k.open("/")
	k.press(kb.Tab)
	if f := k.focused(); !strings.Contains(f.Desc, "skip-link") {
		t.Errorf("the first Tab focuses %s, want the skip link", f.Desc)
	}
	k.press(kb.Enter)
	k.wantFocus("main#main")
	k.press(kb.Tab)
	if f := k.focused(); f.Desc == "body" {
		t.Error("Tab after the skip link focuses nothing")
	}
	k.press(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift))
	k.focused()

	// Every focusable element of a busy page shows where focus is.
	for _, p := range []string{"/", path, "/proposals/new"} {
		k.open(p)
		t.Logf("%s: %d focusable elements, each with a focus indicator", p, k.sweep())
	}

	// Propose: an empty form first, whose error summary leads to the fields.
	k.open("/proposals/new")
	k.tabTo(`button[name=action][value=submit]`)
	k.load("submit the empty form with Enter", 400, chromedp.KeyEvent(kb.Enter))
	if n := k.count(".error-summary a"); n < 3 {
		t.Errorf("the error summary links %d fields, want the title, the ministry and the body at least", n)
	}
	k.tabTo(`.error-summary a[href="#f-title"]`)
	k.press(kb.Enter)
	k.wantFocus("#f-title")
	k.tabTo(`.error-summary a[href="#f-body"]`)
	k.press(kb.Enter)
	k.wantFocus("#f-body")

	k.open("/proposals/new")
	k.tabTo("#f-title")
	k.press("밤길 안전 비상벨 설치")
	k.tabTo("#f-category")
	k.press(kb.ArrowDown) // the first category
	k.tabTo("#f-ministry")
	k.press(kb.ArrowDown)
	k.tabTo("#f-body")
	k.press("골목길 곳곳에 비상벨을 달아 주십시오.")
	if k.value("#f-category") == "" || k.value("#f-ministry") == "" {
		t.Fatalf("arrow keys chose category %q, ministry %q", k.value("#f-category"), k.value("#f-ministry"))
	}
	k.tabTo(`button[name=action][value=submit]`)
	k.load("submit the proposal with Enter", 200, chromedp.KeyEvent(kb.Enter))
	k.wantText("#proposal-title", "밤길 안전 비상벨 설치")

	// Comment on the open proposal: the stance with arrow keys, send with Space.
	k.open(path)
	k.waitText("#live-status", "실시간")
	k.tabTo(`#comment-form input[name=stance][value=for]`)
	k.press(" ")
	k.press(kb.ArrowRight)
	k.wantFocus(`#comment-form input[name=stance][value=against]`)
	if !evalIn[bool](k, `document.querySelector('#comment-form input[value=against]').checked`) {
		t.Error("ArrowRight did not choose the stance against")
	}
	k.focused()
	k.tabTo("#comment-form textarea#f-body")
	k.press("조명보다 순찰이 먼저입니다.")
	k.tabTo(`#comment-form button[type=submit]`)
	k.press(" ")
	k.waitCount("ol.comments > li.comment", 1)
	k.wantText("ol.comments > li.comment", "조명보다 순찰이 먼저입니다")
	if src, err := os.ReadFile(axePath); err == nil { // the comment the live channel drew
		k.axeCheck("proposal after a live comment", string(src))
	}

	// Support with Enter. The comment above is an argument against, so the
	// support step's dialog opens first (issue 18), focus inside it: the
	// keyboard reaches its confirmation and sends it.
	k.open(path)
	k.tabTo(`#support form[action="` + path + `/support"] button`)
	k.press(kb.Enter)
	k.wantCount(`#objection-dialog[open]`, 1)
	k.tabTo(`#objection-dialog form.objection-confirm button.btn-primary`)
	k.load("support with Enter", 200, chromedp.KeyEvent(kb.Enter))
	k.wantCount(`#support form[action="`+path+`/unsupport"]`, 1)
	if n, err := e.st.Proposal(bg, pid); err != nil || n.Supports != 1 {
		t.Errorf("supports after the keyboard support: %+v, %v", n, err)
	}
}

// TestA11y_AdminSettings runs axe-core over the administrators' settings
// page at desktop width and at 390 px (where nothing may overflow sideways),
// with and without errors, and saves a change through it in Chromium.
func TestA11y_AdminSettings(t *testing.T) {
	src := axeSource(t)
	e := newEnv(t)
	admin := e.staff(forum.RoleAdmin, 0, "이관리")
	br := newBrowser(t, e, 2*time.Minute)
	a := br.tab("admin")
	a.signInStaff(e, admin.user().Email, "staff passphrase 1", "이관리")
	a.open("/admin/settings")
	a.axeCheck("settings", src)
	set := func(sel, value string) {
		t.Helper()
		a.do("clear "+sel, chromedp.SetValue(chromedp.CSS(sel), ""))
		a.typeInto(sel, value)
	}
	set("#f-session_days", "400")
	set("#f-inactive_notice_days", "20")
	a.click(`form[action="/admin/settings"] button[type=submit]`, 400)
	a.wantCount(".error-summary li", 1)
	a.wantText("#f-session_days-error", "1부터 365까지의 정수를 입력해 주십시오.")
	if got := a.value("#f-inactive_notice_days"); got != "20" {
		t.Errorf("notice days show %q after the refused save, want 20 as typed", got)
	}
	a.axeCheck("settings with errors", src)
	a.run("narrow the viewport to 390 px", func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	})
	for _, name := range []string{"settings with errors at 390 px", "settings at 390 px"} {
		a.axeCheck(name, src)
		if w := evalIn[int](a, `document.documentElement.scrollWidth - window.innerWidth`); w > 0 {
			t.Errorf("%s: the page is %d px wider than the screen", name, w)
		}
		if name == "settings with errors at 390 px" {
			a.open("/admin/settings")
		}
	}
	set("#f-session_days", "7")
	a.do("choose a tier", chromedp.SetValue(chromedp.CSS("#f-tier_propose"), "identity_verified"))
	a.click(`form[action="/admin/settings"] button[type=submit]`, 200)
	a.wantText(".flash", "설정을 저장했습니다.")
	if st := e.st.Settings(); st.SessionLifetime != 7*24*time.Hour || st.Tiers.Propose != forum.TierIdentityVerified {
		t.Errorf("after the save in Chromium: %v, %s", st.SessionLifetime, st.Tiers.Propose)
	}
	a.screenshot("admin-settings-390", 390, 844, true)
}
