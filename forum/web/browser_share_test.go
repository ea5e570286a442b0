package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

// TestBrowser_Share: at 390 px the share block of a proposal fits the
// phone (no sideways scrolling, each link a tap target), its copy button
// (shown by script) puts the page's address on the clipboard and says so,
// the browser's share sheet button shows exactly where navigator.share
// exists, the card image loads on the share page, and axe-core finds no
// WCAG 2.1 A/AA violation on the proposal, share and debate pages.
func TestBrowser_Share(t *testing.T) {
	e := newEnv(t)
	author := e.register("최작성")
	id := e.openProposal(author, "어린이 보호구역 과속 단속 카메라를 늘려 주세요", "통학로마다 **한 대씩** 설치해 주십시오.")
	host := e.staff(forum.RoleOfficial, e.mins[0].ID, "김하늘")
	now := e.clock.Now()
	d, err := e.st.CreateDebate(context.Background(), store.NewDebate{HostID: host.user().ID, Input: forum.DebateInput{Question: "주 4일제를 공공부문에서 시범 도입할까요?",
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(48 * time.Hour), MinistryID: e.mins[0].ID}, Background: moderation.RenderMarkdown("배경 설명")})
	if err != nil {
		t.Fatal(err)
	}
	br := newBrowser(t, e, 90*time.Second)
	a := br.tab("guest")
	path := "/proposals/" + itoa(int(id))
	a.open(path)
	a.phone()
	sel := "#share-proposal-" + itoa(int(id)) + "-url"
	a.wantCount(".share .share-link", 4)
	if native, hidden := evalIn[bool](a, `typeof navigator.share === "function"`), evalIn[bool](a, `document.querySelector("[data-share-native]").hidden`); native == hidden {
		t.Errorf("navigator.share exists: %v, yet the share sheet button is hidden: %v", native, hidden)
	}
	if evalIn[bool](a, `document.documentElement.scrollWidth > window.innerWidth + 1`) {
		t.Error("the page scrolls sideways at 390 px")
	}
	if small := evalIn[int](a, `[...document.querySelectorAll(".share a, .share button")].filter(n => n.offsetParent && (n.getBoundingClientRect().height < 24 || n.getBoundingClientRect().width < 24)).length`); small != 0 {
		t.Errorf("%d share controls smaller than 24×24 px", small)
	}
	a.grantClipboard()
	a.wantCount(`button[data-copy="`+sel[1:]+`"][hidden]`, 0)
	a.tap(`button[data-copy="` + sel[1:] + `"]`)
	a.waitText(`[data-copy-status="`+sel[1:]+`"]`, "링크를 복사했습니다")
	var copied string
	a.run("read the clipboard", func(ctx context.Context) (err error) {
		copied, err = chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
		return err
	})
	if want := "http://127.0.0.1" + path; copied != want {
		t.Errorf("the clipboard holds %q, want %q", copied, want)
	}
	a.do("scroll to the share block", chromedp.ScrollIntoView(chromedp.CSS(".share")))
	a.screenshot("share-proposal-390", 390, 844, true)
	a.screenshot("share-proposal-1280", 1280, 900, false)
	src := axeSource(t)
	a.axeCheck("proposal page with its share block", src)

	a.open(path + "/share")
	var w int
	a.run("decode the card", func(ctx context.Context) (err error) {
		w, err = chromedp.Run(ctx, chromedp.Evaluate[int](`(async () => { const i = document.querySelector(".share-card-preview img"); await i.decode(); return i.naturalWidth; })()`, chromedp.EvalAwaitPromise))
		return err
	})
	if w != 1200 {
		t.Errorf("the card on the share page is %d px wide, want 1200", w)
	}
	a.screenshot("share-page-390", 390, 844, true)
	a.screenshot("share-page-1280", 1280, 900, false)
	a.axeCheck("share page", src)

	a.open("/debates/" + itoa(int(d.ID)))
	a.wantCount(".share .share-link", 4)
	if got := a.attr(`.share-follow a`, "href"); !strings.HasSuffix(got, "/feeds/debates/"+itoa(int(d.ID))+".atom") {
		t.Errorf("the debate's feed link is %q", got)
	}
	a.screenshot("share-debate-390", 390, 844, true)
	a.axeCheck("debate page with its share block", src)
}
