package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/e-people/e-people/forum/store"
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

// browser is a headless Chromium driving one test's forum, which it serves
// on a loopback socket.
type browser struct {
	t    *testing.T
	ctx  context.Context // the browser's first tab: it bounds every other
	base string          // the forum's origin, http://127.0.0.1:port
}

// newBrowser serves e on a loopback socket and starts a headless Chromium
// for it that lives at most timeout; cleanup stops both. Pages ask for
// Korean, the forum's first language, in a 1280×900 window. It skips the
// test under -short and when Chromium is missing.
func newBrowser(t *testing.T, e *env, timeout time.Duration) *browser {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("chromium not found at %s: `make test` installs it (apt-get install chromium fonts-wqy-microhei)", chromiumPath)
	}
	base := serveLoopback(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
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
	return &browser{t: t, ctx: bctx, base: base}
}

// tab drives one browser tab against the forum at base.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	who  string
}

// tab opens a tab in a fresh browser context (its own cookies), for who.
func (br *browser) tab(who string) *tab {
	br.t.Helper()
	ctx, cancel := chromedp.NewContext(br.ctx, chromedp.WithNewBrowserContext())
	br.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		br.t.Fatalf("%s: open tab: %v", who, err)
	}
	b := &tab{t: br.t, ctx: ctx, base: br.base, who: who}
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
	b.tap("#f-consent")
	b.click(`form[action="/register"] button[type=submit]`, 200)
	b.wantText("header .user-name", name)
	b.wantText(".flash", "가입을 환영합니다")
}

// verifyInBrowser opens the verification link last mailed to email, as its
// reader would: from the outbox, where the mail waits for the mailer.
func (b *tab) verifyInBrowser(st *store.Store, email string) {
	b.t.Helper()
	b.open(verifyLink(b.t, st, email))
}

// verifyLink is the path of the verification link last mailed to email.
func verifyLink(t testing.TB, st *store.Store, email string) string {
	t.Helper()
	ms, err := st.Outbox(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		var d struct{ Token string }
		if m.Kind == store.MailVerifyEmail && m.Address == email && json.Unmarshal(m.Data, &d) == nil && d.Token != "" {
			return "/verify/" + d.Token
		}
	}
	t.Fatalf("no verification mail to %s", email)
	return ""
}
