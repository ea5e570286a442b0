package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/e-people/e-people/forum"
)

// chromiumPath is Debian's Chromium, which `make test` installs.
const chromiumPath = "/usr/bin/chromium"

// browserStep bounds one browser step, so a missing element fails the test
// with a message instead of running into the test's overall deadline.
const browserStep = 20 * time.Second

// serveLoopback serves the real app on a loopback socket and returns its origin.
func serveLoopback(t *testing.T, e *env) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- e.srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := e.shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// newBrowser starts a headless Chromium bound to ctx and returns a chromedp
// context for its first tab. Pages ask for Korean, the forum's first language.
func newBrowser(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("chromium not found at %s: `make test` installs it (apt-get install chromium fonts-wqy-microhei)", chromiumPath)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("accept-lang", "ko-KR,ko"),
		chromedp.Flag("lang", "ko-KR"),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "chromium")),
		chromedp.WindowSize(1280, 900),
	)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	if err := chromedp.Do(bctx); err != nil { // starts the browser, bound to ctx
		t.Fatalf("start chromium: %v", err)
	}
	return bctx
}

// tab drives one browser tab against the forum at base.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	who  string
}

// newTab opens a tab in a fresh browser context (own cookies) of the browser of parent.
func newTab(t *testing.T, parent context.Context, base, who string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("%s: open tab: %v", who, err)
	}
	b := &tab{t: t, ctx: ctx, base: base, who: who}
	b.reduceMotion()
	return b
}

// reduceMotion asks for prefers-reduced-motion, which the style sheet honours
// with instant scrolling. Smooth scrolling to a #fragment after a redirect
// moves the page under a click, and the click lands beside its button.
func (b *tab) reduceMotion() {
	b.t.Helper()
	b.run("reduce motion", func(ctx context.Context) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}},
		})
		if err != nil {
			return err
		}
		on, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`matchMedia("(prefers-reduced-motion: reduce)").matches`))
		if err == nil && !on {
			err = errors.New("the media feature is not emulated")
		}
		return err
	})
}

func (b *tab) run(what string, f func(ctx context.Context) error) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserStep)
	defer cancel()
	if err := f(ctx); err != nil {
		b.t.Fatalf("%s: %s: %v (at %s)", b.who, what, err, b.location())
	}
}

// do runs actions that do not leave the page.
func (b *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.run(what, func(ctx context.Context) error { return chromedp.Do(ctx, actions...) })
}

// load runs actions that navigate (a click on a link or a submit button),
// waits for the next page and checks the HTTP status of its document.
func (b *tab) load(what string, status int, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.run(what, func(ctx context.Context) error {
		res, err := chromedp.RunResponse(ctx, actions...)
		if err != nil {
			return err
		}
		if int(res.Status) != status {
			msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector(".error-summary, main") || document.body).textContent.replace(/\s+/g, " ").trim().slice(0, 300)`))
			return fmt.Errorf("status %d, want %d: %q", res.Status, status, msg)
		}
		return nil
	})
	b.settle()
}

// settle waits until a freshly loaded page accepts scripts: right after a
// navigation Chromium may answer "Cannot find context with specified id"
// while it swaps execution contexts.
func (b *tab) settle() {
	b.t.Helper()
	for i := 0; ; i++ {
		ctx, cancel := context.WithTimeout(b.ctx, browserStep)
		// "complete": deferred scripts (live.js) have run, so the page's enhancements are in place.
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.readyState === "complete"`, chromedp.WithPollingInterval(10*time.Millisecond)))
		cancel()
		if err == nil {
			return
		}
		if i == 50 || !strings.Contains(err.Error(), "Cannot find context") {
			b.t.Fatalf("%s: page never settled: %v (at %s)", b.who, err, b.location())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// open navigates to a path of the forum.
func (b *tab) open(path string) {
	b.t.Helper()
	b.load("open "+path, 200, chromedp.Navigate(b.base+path))
}

// click clicks the first element matching the CSS selector and waits for the page it leads to.
func (b *tab) click(sel string, status int) {
	b.t.Helper()
	b.load("click "+sel, status, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// tap clicks an element that acts in place (by script), without a page load.
func (b *tab) tap(sel string) {
	b.t.Helper()
	b.do("tap "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// waitText waits until the first match of sel contains want, as a live
// update or a script changes the page, and returns how long it took. The
// bound is generous; tests log the time rather than assert on it.
func (b *tab) waitText(sel, want string) time.Duration {
	b.t.Helper()
	start := time.Now()
	expr := `(() => { const n = document.querySelector(` + jsString(sel) + `); return !!n && n.textContent.includes(` + jsString(want) + `); })()`
	b.run("wait for "+sel+" to show "+want, func(ctx context.Context) error {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingMutation()))
		return err
	})
	return time.Since(start)
}

// waitCount waits until exactly want elements match sel.
func (b *tab) waitCount(sel string, want int) {
	b.t.Helper()
	expr := `document.querySelectorAll(` + jsString(sel) + `).length === ` + strconv.Itoa(want)
	b.run(fmt.Sprintf("wait for %d × %s", want, sel), func(ctx context.Context) error {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingMutation()))
		return err
	})
}

// typeInto types text into a field, key by key.
func (b *tab) typeInto(sel, text string) {
	b.t.Helper()
	b.do("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text, chromedp.NodeVisible))
}

func evalIn[T any](b *tab, expr string) T {
	b.t.Helper()
	var v T
	b.run("evaluate "+expr, func(ctx context.Context) (err error) {
		v, err = chromedp.Run(ctx, chromedp.Evaluate[T](expr))
		return err
	})
	return v
}

func jsString(s string) string { b, _ := json.Marshal(s); return string(b) }

// text is the whitespace-collapsed text content of the first match, "" when none matches.
// It does not wait: the page is loaded when load returns.
func (b *tab) text(sel string) string {
	b.t.Helper()
	return evalIn[string](b, `(() => { const n = document.querySelector(`+jsString(sel)+`);
		return n ? n.textContent.replace(/\s+/g, " ").trim() : ""; })()`)
}

func (b *tab) count(sel string) int {
	b.t.Helper()
	return evalIn[int](b, `document.querySelectorAll(`+jsString(sel)+`).length`)
}

func (b *tab) attr(sel, name string) string {
	b.t.Helper()
	return evalIn[string](b, `(() => { const n = document.querySelector(`+jsString(sel)+`);
		return n ? (n.getAttribute(`+jsString(name)+`) || "") : ""; })()`)
}

func (b *tab) value(sel string) string {
	b.t.Helper()
	return evalIn[string](b, `(() => { const n = document.querySelector(`+jsString(sel)+`); return n ? n.value : ""; })()`)
}

// location is the tab's URL, for messages; it never fails the test.
func (b *tab) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "?"
	}
	return loc
}

// wantText fails unless the first match of sel contains every want.
func (b *tab) wantText(sel string, want ...string) {
	b.t.Helper()
	got := b.text(sel)
	for _, w := range want {
		if !strings.Contains(got, w) {
			b.t.Errorf("%s: %s: text %q does not contain %q (at %s)", b.who, sel, got, w, b.location())
		}
	}
}

func (b *tab) wantCount(sel string, want int) {
	b.t.Helper()
	if got := b.count(sel); got != want {
		b.t.Errorf("%s: %d elements match %s, want %d (at %s)", b.who, got, sel, want, b.location())
	}
}

// screenshot saves a full-page PNG into $EPEOPLE_SCREENSHOTS when it is set.
// It is for people to look at; nothing asserts on it.
func (b *tab) screenshot(name string, width, height int64, mobile bool) {
	b.t.Helper()
	dir := os.Getenv("EPEOPLE_SCREENSHOTS")
	if dir == "" {
		return
	}
	var opts []chromedp.EmulateViewportOption
	if mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait, chromedp.EmulateScale(2))
	}
	var png []byte
	b.run("screenshot "+name, func(ctx context.Context) error {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height, opts...)); err != nil {
			return err
		}
		defer chromedp.Do(ctx, chromedp.EmulateReset())
		var err error
		png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
		return err
	})
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s", filepath.Join(dir, name+".png"))
}

// registerInBrowser signs up through /register and checks that the header shows the name.
func (b *tab) registerInBrowser(name, email string) {
	b.t.Helper()
	b.open("/register")
	b.typeInto("#f-name", name)
	b.typeInto("#f-email", email)
	b.typeInto("#f-password", "correct horse battery staple")
	b.click(`form[action="/register"] button[type=submit]`, 200)
	b.wantText("header .user-name", name)
	b.wantText(".flash", "가입을 환영합니다")
}

// TestBrowser_CitizenJourney walks a citizen through the forum in a real
// Chromium: sign up, propose, gather co-sponsors, debate, support, sign out.
func TestBrowser_CitizenJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	e := newEnv(t)
	base := serveLoopback(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	browser := newBrowser(t, ctx)
	bg := context.Background()

	// 1. Sign up, after one refused attempt.
	a := &tab{t: t, ctx: browser, base: base, who: "author"}
	a.reduceMotion()
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
	a.click(`form[action="/register"] button[type=submit]`, 200)
	a.wantText("header .user-name", "김민주")
	a.wantText(".flash", "가입을 환영합니다")
	a.wantCount(`header form[action="/logout"] button`, 1)

	// 2. Write a proposal; it waits for co-sponsors.
	a.click(`.site-nav a[href="/proposals/new"]`, 200)
	const title = "동네 공공 도서관 야간 개방"
	a.typeInto("#f-title", title)
	a.do("choose category", chromedp.SetValue(chromedp.CSS("#f-category"), strconv.FormatInt(e.cats[0].ID, 10)))
	a.do("choose ministry", chromedp.SetValue(chromedp.CSS("#f-ministry"), strconv.FormatInt(e.mins[0].ID, 10)))
	a.typeInto("#f-body", "퇴근 후에도 이용할 수 있도록 평일 밤 10시까지 열어 주십시오.\n인력은 자원봉사자와 함께 꾸립니다.")
	a.wantText(`button[name=action][value=submit]`, "등록하고 공동 발의자 모집")
	a.click(`button[name=action][value=submit]`, 200)
	a.wantText("#proposal-title", title)
	a.wantText(".proposal-header .badge", "공동 발의자 모집 중")
	a.wantText(".proposal-body", "밤 10시까지")
	link := a.value("input#sponsor-link")
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
	b := newTab(t, browser, base, "citizen")
	b.registerInBrowser("이서연", "seoyeon@example.org")
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
	a.wantText(".proposal-header .badge", "토론 진행 중")
	a.wantCount("input#sponsor-link", 0)
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
