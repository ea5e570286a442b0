package web

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
)

// dialogHook replaces alert, confirm, prompt and print in every document,
// before the document's own scripts run: a call opens no dialog and is
// reported to the test through the exposed function epeopleDialog.
const dialogHook = `(() => {
	for (const name of ["alert", "confirm", "prompt", "print"]) {
		const report = function (...args) {
			try { window.epeopleDialog(name + "(" + args.map(String).join(", ") + ")"); } catch (e) {}
			return name === "confirm" ? false : name === "prompt" ? null : undefined;
		};
		try { Object.defineProperty(window, name, {value: report, writable: false, configurable: false}); } catch (e) {}
	}
})();`

// dialogs records the dialogs a browser's pages tried to open.
type dialogs struct {
	mu    sync.Mutex
	calls []string
}

func (d *dialogs) add(call string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, call)
}

// take returns the calls recorded so far and forgets them.
func (d *dialogs) take() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := d.calls
	d.calls = nil
	return out
}

// newHookedTab opens a tab whose dialogs are recorded in d. The page's
// Content-Security-Policy is bypassed, so inline script, which the policy
// would block, runs if any markup lets it in: the test is of the markup
// itself. A real dialog, from a frame the hook missed, is recorded too, and
// dismissed.
func newHookedTab(br *browser, who string, d *dialogs) *tab {
	br.t.Helper()
	b := br.tab(who)
	b.run("hook dialogs", func(ctx context.Context) error {
		if _, err := chromedp.Call(ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true}); err != nil {
			return err
		}
		err := chromedp.Do(ctx, chromedp.ExposeFunc("epeopleDialog", func(_ context.Context, call string) (chromedp.Void, error) {
			d.add(who + ": " + call)
			return chromedp.Void{}, nil
		}))
		if err != nil {
			return err
		}
		_, err = chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: dialogHook})
		return err
	})
	opening := chromedp.Events(b.ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range opening {
			if err != nil {
				return
			}
			d.add(fmt.Sprintf("%s: %s dialog %q", who, ev.Type, ev.Message))
			_, _ = chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	return b
}

// calm waits two frames and a timer turn, so that handlers that fire after
// the load (image errors, focus, animations) have had their turn.
func (b *tab) calm() {
	b.t.Helper()
	b.run("let the page calm", func(ctx context.Context) error {
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => r(true), 50))))`,
			chromedp.EvalAwaitPromise))
		return err
	})
}

// waitDialog waits until d has recorded a call containing want, and returns all calls.
func (b *tab) waitDialog(d *dialogs, want string) []string {
	b.t.Helper()
	var got []string
	b.run("wait for the dialog "+want, func(ctx context.Context) error {
		for {
			got = append(got, d.take()...)
			if slices.ContainsFunc(got, func(c string) bool { return strings.Contains(c, want) }) {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("no dialog %q among %q", want, got)
			case <-time.After(10 * time.Millisecond):
			}
		}
	})
	return got
}

// noDialogs fails the test if d recorded any call, naming what was on screen.
func (b *tab) noDialogs(d *dialogs, what string) {
	b.t.Helper()
	if got := d.take(); len(got) > 0 {
		b.t.Errorf("%s: %d dialogs opened: %q", what, len(got), got)
	}
}

// identifiablePayloads returns the lines of xss_alert_identifiable.txt: each
// calls alert (or confirm, prompt) with its own number.
func identifiablePayloads(t *testing.T) []string {
	f, err := os.Open(filepath.Join(corpusDir(t), "payloadsallthethings", "xss", "xss_alert_identifiable.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if l := sc.Text(); strings.TrimSpace(l) != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	if err := sc.Err(); err != nil || len(out) < 500 {
		t.Fatalf("read %d payloads: %v", len(out), err)
	}
	return out
}

// TestBrowser_XSSPayloadsNeverRun submits every payload of
// xss_alert_identifiable.txt through the real app's routes as proposal titles
// and bodies, comments, display names, debate questions and backgrounds and
// official answers, then reads every page that shows them in Chromium, with
// the Content-Security-Policy bypassed and alert, confirm, prompt and print
// hooked in every document: no payload ever calls one. One page receives the
// payload comments, and another the payload answers, live over the websocket.
// Control calls first show that the hook, the bypass and the dialog listener
// would catch a payload that ran; and a return path with a tab in it keeps
// the browser on the site.
func TestBrowser_XSSPayloadsNeverRun(t *testing.T) {
	payloads := identifiablePayloads(t)
	f := newAnsFixture(t)
	e := f.e
	bg := context.Background()
	if err := e.st.SetSetting(bg, forum.SettingSponsorThreshold, "0"); err != nil {
		t.Fatal(err)
	}
	e.srv.hashPassword = cheapHash
	br := newBrowser(t, e, 240*time.Second)
	var d dialogs

	// Controls: a call, an inline handler (which only the bypassed policy
	// lets run) and a frame's own alert are all caught.
	guest := newHookedTab(br, "guest", &d)
	guest.open("/")
	evalIn[bool](guest, `alert("control-call"), true`)
	guest.waitDialog(&d, `alert(control-call)`)
	evalIn[bool](guest, `document.body.insertAdjacentHTML("beforeend", "<img src=/no-such-image.png onerror=alert('control-inline')>"), true`)
	guest.waitDialog(&d, `alert(control-inline)`)
	evalIn[bool](guest, `document.body.appendChild(document.createElement("iframe")).contentWindow.alert("control-frame"), true`)
	guest.waitDialog(&d, `control-frame`)
	d.take()

	// A return path with a tab in it: browsers drop the tab, and "//evil.example" would leave the site.
	guest.run("follow a return path", func(ctx context.Context) error {
		res, err := chromedp.RunResponse(ctx, chromedp.Navigate(br.base+"/lang?lang=ko&next=/%09/evil.example"))
		if err != nil {
			return fmt.Errorf("the language switch sent the browser off the site: %w", err)
		}
		if !strings.HasPrefix(res.URL, br.base+"/") {
			return fmt.Errorf("the language switch sent the browser to %s", res.URL)
		}
		return nil
	})

	post := func(c *client, path string, form url.Values) resp {
		t.Helper()
		r := c.post(path, form)
		if r.Status >= 500 {
			t.Fatalf("POST %s: %d", path, r.Status)
		}
		return r
	}
	var pages []string // what to read once everything is in place

	// Proposals: every payload a title; the bodies take them packed.
	author := e.register("XSS 제안자")
	bodies := chunks(payloads, forum.ProposalBodyMax, "\n\n")
	titled := 0
	for i, p := range payloads {
		title := p
		if r := []rune(title); len(r) > forum.TitleMax {
			title = string(r[:forum.TitleMax])
		}
		if len([]rune(moderation.PlainText(title))) < forum.TitleMin {
			title = "제목 " + title
		}
		body := "본문 " + itoa(i)
		if i < len(bodies) {
			body = bodies[i]
		}
		r := post(author, "/proposals", url.Values{"title": {title}, "body": {body}, "category": {itoa(int(e.cats[0].ID))}, "ministry": {itoa(int(e.mins[0].ID))}})
		if r.Status == http.StatusSeeOther {
			titled++
			if i < len(bodies) {
				pages = append(pages, r.Header.Get("Location"))
			}
		}
	}
	wantMost(t, "payload proposals", titled, len(payloads))
	pages = append(pages, "/users/"+itoa(int(author.user().ID)), "/", "/proposals", "/proposals?sort=supported", "/search?q=alert",
		"/search?q=javascript", "/search?q=script&kind=proposal&page=2")

	// Comments: every payload one comment.
	host := e.register("XSS 토론장 주인")
	commented := e.openProposal(host, "XSS 댓글 시험장", "모든 댓글을 받습니다.")
	commenter := e.register("XSS 댓글러")
	for _, p := range payloads {
		post(commenter, "/proposals/"+itoa(int(commented))+"/comments", url.Values{"stance": {"for"}, "body": {p}})
	}
	pages = append(pages, "/proposals/"+itoa(int(commented)), "/proposals/"+itoa(int(commented))+"?order=newest",
		"/users/"+itoa(int(commenter.user().ID)))

	// Display names: every payload (cut to the longest name) registers and comments.
	named := e.openProposal(host, "XSS 이름 시험장", "이름이 보이는 곳입니다.")
	names := 0
	for i, p := range payloads {
		name := p
		if r := []rune(name); len(r) > forum.NameMax {
			name = string(r[:forum.NameMax])
		}
		c := e.client()
		r := c.post("/register", url.Values{"name": {name}, "email": {fmt.Sprintf("xss%d@example.org", i)}, "password": {"xss password 1"}, "consent": {"1"}})
		if r.Status >= 500 {
			t.Fatalf("register %q: %d", name, r.Status)
		}
		if r.Status == http.StatusSeeOther {
			names++
			post(c, "/proposals/"+itoa(int(named))+"/comments", url.Values{"stance": {"neutral"}, "body": {"이름 시험 " + itoa(i)}})
		}
	}
	if names < len(payloads)/3 {
		t.Fatalf("only %d of %d payload names registered", names, len(payloads))
	}
	pages = append(pages, "/proposals/"+itoa(int(named)))

	// Debate questions, packed as many as fit, and backgrounds.
	questions, backgrounds := chunks(payloads, forum.QuestionMax, " "), chunks(payloads, forum.BackgroundMax, "\n\n")
	local := func(dt time.Duration) string { return e.clock.Now().Add(dt).In(seoul).Format(datetimeLocal) }
	for i, q := range questions {
		bgText := "배경"
		if i < len(backgrounds) {
			bgText = backgrounds[i]
		}
		r := post(f.lead, "/debates", url.Values{"ministry": {itoa(int(f.mohw))}, "question": {q}, "background": {bgText},
			"opens_at": {local(-time.Hour)}, "closes_at": {local(72 * time.Hour)}})
		if r.Status == http.StatusSeeOther && i < len(backgrounds) {
			pages = append(pages, r.Header.Get("Location"))
		}
	}
	pages = append(pages, "/debates", "/ministries/mohw")

	// Official answers, live: a guest watches the proposal while the
	// ministry publishes revision after revision, the payloads packed into
	// the summary, the four detail lines and the body.
	answered := f.awaiting("XSS 답변 시험장")
	ansPage := "/proposals/" + itoa(int(answered))
	lines, answerBodies := chunks(payloads, forum.AnswerLineMax-20, " "), chunks(payloads, forum.AnswerBodyMax, "\n\n")
	watcher := newHookedTab(br, "answer watcher", &d)
	watcher.open(ansPage)
	watcher.waitText("#live-status", "실시간")
	watcher.noReload()
	rounds := max((len(lines)+4)/5, len(answerBodies))
	for r := range rounds {
		marker := fmt.Sprintf("회차%d호", r)
		form := ansAnswerForm(string(forum.DecisionReviewing), marker+" "+cycle(lines, 5*r))
		form.Set("body", cycle(answerBodies, r))
		for i, field := range []string{"legal_basis", "responsible_unit", "contact", "next_step"} {
			form.Set(field, cycle(lines, 5*r+1+i))
		}
		if res := post(f.lead, ansPage+"/response", form); res.Status != http.StatusSeeOther {
			t.Fatalf("answer %d: %d", r, res.Status)
		}
		watcher.waitText(`[data-live="response"]`, marker)
	}
	watcher.calm()
	watcher.stillSame()
	watcher.noDialogs(&d, "answers received live")
	pages = append(pages, ansPage, ansPage+"/response/history")

	// Comments, live: a guest watches a proposal while every payload is posted to it.
	livePath := "/proposals/" + itoa(int(e.openProposal(host, "XSS 실시간 시험장", "실시간으로 받습니다.")))
	live := newHookedTab(br, "live watcher", &d)
	live.open(livePath)
	live.waitText("#live-status", "실시간")
	live.noReload()
	liveCommenter := e.register("XSS 실시간 댓글러")
	for _, p := range payloads {
		post(liveCommenter, livePath+"/comments", url.Values{"stance": {"against"}, "body": {p}})
	}
	p, err := e.st.Proposal(bg, atoi64(strings.TrimPrefix(livePath, "/proposals/")))
	if err != nil {
		t.Fatal(err)
	}
	wantMost(t, "live payload comments", p.Comments, len(payloads)) // held ones are not pushed
	live.waitCount("ol.comments > li.comment", p.Comments)
	live.calm()
	live.stillSame()
	live.noDialogs(&d, "comments received live")
	t.Logf("%d payloads: %d titles, %d names, %d debates, %d answer revisions, %d live comments", len(payloads), titled, names,
		len(questions), rounds, p.Comments)

	// Every page, as a guest and as the moderator, who also sees what waits for review.
	moderator := newHookedTab(br, "moderator", &d)
	moderator.signInStaff(e, f.moderator.user().Email, "staff passphrase 1", "류지혜")
	for _, path := range append(pages, "/moderation/") {
		for _, b := range []*tab{guest, moderator} {
			if path == "/moderation/" && b == guest {
				continue
			}
			b.open(path)
			b.calm()
			b.noDialogs(&d, b.who+" reading "+path)
		}
	}
}
