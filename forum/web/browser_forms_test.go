package web

import (
	"context"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// tapTargetsExpr lists every visible control of the page that matches, or is
// inside, an element matching the selector root and
// whose hit area is smaller than min × min CSS pixels, as "what w×h" strings.
//
// Controls are links, buttons, form fields, summaries and labels tied to a
// field. A radio button or check box counts by the label around it (or
// pointing at it), which is what a finger hits. A link inside running text
// is excused, as WCAG 2.5.8 excuses it (its size is set by the line of text
// around it): that is a link inside user or ministry Markdown (.prose), a
// field's hint (.field-hint) or the lead paragraph (.lead), the only places
// where this site writes links into sentences. Every other link, a name in
// a byline included, must be a target of its own.
const tapTargetsExpr = `((root, min) => {
	const scopes = document.querySelectorAll(root);
	if (!scopes.length) return ["no " + root];
	const controls = "a[href], button, input:not([type=hidden]), select, textarea, summary, label[for]";
	const inText = el => el.tagName === "A" && !!el.closest(".prose, .field-hint, .lead");
	const offScreen = el => el.matches(".visually-hidden") && !el.matches(":focus");
	const shown = el => {
		const s = getComputedStyle(el);
		return s.visibility !== "hidden" && s.display !== "none" && el.getClientRects().length > 0;
	};
	const describe = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
		(el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "") +
		(el.name ? "[name=" + el.name + "]" : "") + (el.value && (el.type === "radio" || el.type === "checkbox") ? "[value=" + el.value + "]" : "") +
		' "' + (el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 30) + '"';
	const out = [];
	const all = new Set();
	scopes.forEach(sc => {
		if (sc.matches(controls)) all.add(sc);
		sc.querySelectorAll(controls).forEach(el => all.add(el));
	});
	all.forEach(el => {
		if (!shown(el) || inText(el) || offScreen(el)) return;
		let target = el;
		if (el.matches("input[type=radio], input[type=checkbox]")) {
			target = el.closest("label") || (el.id && document.querySelector('label[for="' + el.id + '"]')) || el;
		}
		// The hit area: the union of the boxes of the element's line fragments.
		const r = target.getBoundingClientRect();
		if (r.width + 0.01 < min || r.height + 0.01 < min) {
			out.push(describe(el) + " " + Math.round(r.width * 10) / 10 + "×" + Math.round(r.height * 10) / 10);
		}
	});
	return out;
})`

// smallTargets returns the controls under root smaller than min px square.
func (b *tab) smallTargets(root string, min int) []string {
	b.t.Helper()
	return evalIn[[]string](b, tapTargetsExpr+`(`+jsString(root)+`, `+itoa(min)+`)`)
}

// phone makes the tab a 390 × 844 touch screen until the test ends.
func (b *tab) phone() {
	b.t.Helper()
	b.run("emulate a 390 px phone", func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	})
}

// TestBrowser_TapTargets measures, at 390 px, every control of a proposal
// page with comments (as a citizen who may vote, reply and report), the
// notifications page and the account settings page: each is at least
// 24 × 24 CSS px (WCAG 2.2, 2.5.8), and the comments' actions, the report
// link and the radio buttons' labels at least 44 px tall on a phone.
func TestBrowser_TapTargets(t *testing.T) {
	e := newEnv(t)
	author := e.register("제안한 시민")
	pid := e.openProposal(author, "공공도서관 평일 야간 개방", "퇴근 후에도 이용할 수 있도록 **밤 10시**까지 열어 주십시오. [도서관법](https://law.go.kr)")
	path := "/proposals/" + itoa(int(pid))
	for i, body := range []string{"찬성합니다. 야간에 공부할 곳이 부족합니다.", "인건비가 걱정됩니다. 시범 운영부터 해 보면 좋겠습니다."} {
		if r := e.register("토론자 "+itoa(i)).post(path+"/comments", url.Values{"stance": {"for"}, "body": {body}}); r.Status != 303 {
			t.Fatalf("comment: %d %.300s", r.Status, r.Body)
		}
	}
	reader := e.register("읽는 시민")
	if r := author.post(path+"/comments", url.Values{"stance": {"neutral"}, "body": {"제안자의 보충 설명입니다."}}); r.Status != 303 {
		t.Fatalf("author's comment: %d", r.Status)
	}
	br := newBrowser(t, e, 3*time.Minute)
	c := br.tab("citizen")
	c.signIn(reader.user().Email, "correct horse battery staple", "읽는 시민")
	c.phone()
	for _, lang := range []string{"ko", "en", "zh"} {
		c.open("/lang?lang=" + lang + "&next=" + url.QueryEscape(path))
		c.wantCount("form.vote button", 6)
		for _, p := range []string{path, "/notifications", "/account", "/proposals/new"} {
			c.open(p)
			if small := c.smallTargets("body", 24); len(small) > 0 {
				t.Errorf("%s (%s) at 390 px: %d controls under 24×24 px:\n  %s", p, lang, len(small), strings.Join(small, "\n  "))
			}
		}
		// The primary actions of a phone: 44 px.
		for _, p := range []struct{ path, sel string }{
			{path, ".comment-actions, .report-link"},
			{"/notifications", "#mail"},
			{"/account", "#mail, #language"},
			{"/proposals/new", "form .actions"},
		} {
			c.open(p.path)
			if small := c.smallTargets(p.sel, 44); len(small) > 0 {
				t.Errorf("%s (%s) at 390 px: %s under 44 px:\n  %s", p.path, lang, p.sel, strings.Join(small, "\n  "))
			}
		}
	}
	c.open(path)
	c.screenshot("tap-targets-proposal-390", 390, 844, true)

	// Vote buttons look like buttons: a border, no underline; pressing one
	// fills it and makes it bolder, and aria-pressed says so.
	const style = `(sel => { const s = getComputedStyle(document.querySelector(sel));
		return [s.textDecorationLine, s.borderTopStyle, s.borderTopWidth, s.backgroundColor, s.fontWeight].join("|"); })`
	up := `ol.comments > li.comment:first-child form.vote button[data-vote=up]`
	before := strings.Split(evalIn[string](c, style+`(`+jsString(up)+`)`), "|")
	if before[0] != "none" || before[1] != "solid" || before[2] == "0px" {
		t.Errorf("a vote button is drawn as decoration %q, border %q %q: want no underline and a solid border", before[0], before[1], before[2])
	}
	c.wantCount(up+`[aria-pressed=false]`, 1)
	c.tap(up)
	c.waitCount(up+`[aria-pressed=true]`, 1)
	// The fill eases in (the buttons' colour transition): wait for it to
	// differ rather than read it in the middle of the change.
	c.run("wait for the pressed fill", func(ctx context.Context) error {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](`getComputedStyle(document.querySelector(`+jsString(up)+`)).backgroundColor !== `+jsString(before[3]),
			chromedp.WithPollingInterval(20*time.Millisecond)))
		return err
	})
	after := strings.Split(evalIn[string](c, style+`(`+jsString(up)+`)`), "|")
	if after[3] == before[3] {
		t.Errorf("the pressed vote button keeps its background %s", after[3])
	}
	if b, a := atoi64(before[4]), atoi64(after[4]); a <= b {
		t.Errorf("the pressed vote button's weight is %d, not bolder than %d", a, b)
	}
	c.wantText(up+" .count", "1")
	c.screenshot("vote-pressed-390", 390, 844, true)
}

// grantClipboard lets the tab's page write and read the clipboard, as a
// person would allow it, and has the page keep focus as a window in front.
func (b *tab) grantClipboard() {
	b.t.Helper()
	b.run("grant the clipboard", func(ctx context.Context) error {
		id := chromedp.FromContext(ctx).BrowserContextID
		for _, name := range []string{"clipboard-write", "clipboard-read"} {
			_, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
				Permission: &cdpbrowser.PermissionDescriptor{Name: name}, Setting: cdpbrowser.PermissionSettingGranted,
				Origin: b.base, BrowserContextID: id})
			if err != nil {
				return err
			}
		}
		_, err := chromedp.Call(ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	})
}

// TestBrowser_PreviewAndCopy previews Markdown by script in a real Chromium
// (the proposal form, then a comment while the live channel is up, which
// must not post it), publishes it, and copies the co-sponsor link with the
// copy button.
func TestBrowser_PreviewAndCopy(t *testing.T) {
	e := newEnv(t)
	author := e.register("미리 보는 시민")
	br := newBrowser(t, e, 3*time.Minute)
	count := func(table string) string { return e.reader().Value(`SELECT COUNT(*) FROM ` + table) }
	a := br.tab("author")
	a.signIn(author.user().Email, "correct horse battery staple", "미리 보는 시민")

	// The proposal form: the preview shows the body as it will be published.
	a.open("/proposals/new")
	a.wantCount("#f-body-preview[hidden]", 1)
	a.typeInto("#f-title", "도서관 야간 개방")
	a.do("choose category", chromedp.SetValue(chromedp.CSS("#f-category"), strconv.FormatInt(e.cats[0].ID, 10)))
	a.do("choose ministry", chromedp.SetValue(chromedp.CSS("#f-ministry"), strconv.FormatInt(e.mins[0].ID, 10)))
	a.do("write the body", chromedp.SetValue(chromedp.CSS("#f-body"), "## 기대 효과\n\n**밤 10시**까지 엽니다.\n\n"+
		`<img src=x onerror="document.title='pwned'"><script>document.title='pwned'</script> [누르기](javascript:void(document.title='pwned'))`))
	a.waitCount(`[data-live="similar"][aria-busy]`, 0)
	a.tap(`button[data-preview="f-body"]`)
	a.waitText("#f-body-preview .preview-body strong", "밤 10시")
	a.wantText("#f-body-preview h3", "기대 효과")
	a.wantText("#f-body-preview", "아직 저장되지 않았습니다")
	a.wantCount("#f-body-preview[hidden]", 0)
	a.wantCount("#f-body-preview img, #f-body-preview script, #f-body-preview a[href^=javascript]", 0)
	a.tap(`#f-body-preview`) // nothing to run there
	if title := evalIn[string](a, "document.title"); title == "pwned" {
		t.Error("the preview ran the draft's script")
	}
	if got := a.location(); !strings.HasSuffix(got, "/proposals/new") {
		t.Errorf("the preview left the page for %s", got)
	}
	if n := count("proposals"); n != "0" {
		t.Errorf("the preview saved %s proposals", n)
	}
	a.screenshot("preview-proposal-1280", 1280, 900, false)
	a.screenshot("preview-proposal-390", 390, 844, true)
	if src, err := os.ReadFile(axePath); err == nil {
		a.axeCheck("proposal form with its preview", string(src))
	}
	a.waitCount(`[data-live="similar"][aria-busy]`, 0)
	a.click(`button[name=action][value=submit]`, 200)
	a.wantText(".proposal-body strong", "밤 10시")
	if n := count("proposals"); n != "1" {
		t.Fatalf("%s proposals after sending the form, want 1", n)
	}

	// The co-sponsor link: whole, wrapping, and copied by its button.
	link := a.text("#sponsor-link")
	if !strings.HasPrefix(link, "http://127.0.0.1/proposals/") || !strings.Contains(link, "/sponsor/") {
		t.Fatalf("the co-sponsor link reads %q", link)
	}
	a.phone()
	if evalIn[bool](a, `(() => { const n = document.getElementById("sponsor-link"); return n.scrollWidth > n.clientWidth + 1; })()`) {
		t.Error("the co-sponsor link overflows its box at 390 px instead of wrapping")
	}
	a.grantClipboard()
	a.wantCount(`button[data-copy="sponsor-link"][hidden]`, 0)
	a.tap(`button[data-copy="sponsor-link"]`)
	a.waitText(`[data-copy-status="sponsor-link"]`, "복사했습니다")
	a.screenshot("sponsor-link-copied-390", 390, 844, true)
	if role := a.attr(`[data-copy-status="sponsor-link"]`, "role"); role != "status" {
		t.Errorf("the confirmation's role is %q, want status (a polite live region)", role)
	}
	var copied string
	a.run("read the clipboard", func(ctx context.Context) (err error) {
		copied, err = chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
		return err
	})
	if copied != link {
		t.Errorf("the clipboard holds %q, want the link %q", copied, link)
	}

	// A comment, previewed while the live channel is up: the comment form's
	// script posts comments itself, and must not post this one.
	pid := e.openProposal(author, "공원 야간 조명 확충", "어두운 산책로에 조명을 더 달아 주십시오.")
	path := "/proposals/" + itoa(int(pid))
	c := br.tab("citizen")
	citizen := e.register("토론하는 시민")
	c.signIn(citizen.user().Email, "correct horse battery staple", "토론하는 시민")
	c.open(path)
	c.waitText("#live-status", "실시간")
	c.do("choose stance", chromedp.Click(chromedp.CSS(`#comment-form input[value=for]`), chromedp.NodeVisible))
	c.typeInto("#comment-form textarea#f-body", "찬성합니다. *특히* 산책로 입구가 어둡습니다.")
	c.tap(`#comment-form button[data-preview]`)
	c.waitText("#f-body-preview .preview-body em", "특히")
	if n := e.reader().Value(`SELECT COUNT(*) FROM comments WHERE proposal_id = ?`, pid); n != "0" {
		t.Errorf("the preview posted %s comments", n)
	}
	c.wantCount("ol.comments > li.comment", 0)
	c.screenshot("preview-comment-390", 390, 844, true)
	c.tap(`#comment-form button[type=submit]`)
	c.waitCount("ol.comments > li.comment", 1)
	c.wantText("ol.comments > li.comment .comment-body em", "특히")

	// The form in the other languages, with the preview of an empty draft.
	for _, lang := range []string{"en", "zh"} {
		c.open("/lang?lang=" + lang + "&next=" + url.QueryEscape("/proposals/new"))
		c.tap(`button[data-preview="f-body"]`)
		c.waitCount(`#f-body-preview:not([hidden]) .preview-title`, 1)
		c.wantText("#f-body-preview", map[string]string{"en": "Nothing to preview yet", "zh": "尚無可預覽的內容"}[lang])
		c.wantText(`label[for=f-title] .required-mark`, requiredWord[lang])
		c.screenshot("preview-proposal-"+lang+"-1280", 1280, 900, false)
		c.screenshot("preview-proposal-"+lang+"-390", 390, 844, true)
	}
}
