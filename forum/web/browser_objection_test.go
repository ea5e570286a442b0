package web

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowser_ObjectionBeforeSupport drives the support step in Chromium.
// With script, the support button opens the page's dialog with the
// strongest arguments (focus inside it, axe-core clean); Escape and "back"
// close it and record nothing; the confirmation records the support, marked.
// Without script, the same button leads to the confirmation page, whose
// button records it. The confirmation page passes axe-core and both are
// saved at 1280 and 390 px when EPEOPLE_SCREENSHOTS is set.
func TestBrowser_ObjectionBeforeSupport(t *testing.T) {
	f := newObjectionFixture(t)
	forID := f.comment(t, f.critic, "for", "야간 개방은 직장인과 수험생에게 꼭 필요합니다.")
	against := f.comment(t, f.critic, "against", "야간 인건비가 늘면 도서 구입 예산이 줄어듭니다. 이용자가 적은 밤보다 주말 개방을 늘리는 편이 낫습니다.")
	f.vote(t, against, 2)
	f.vote(t, forID, 1)
	axe := axeSource(t)
	br := newBrowser(t, f.e, 4*time.Minute)

	// With script: the dialog.
	reader := f.e.register("대화상자로 읽는 시민")
	b := br.tab("with script")
	b.adopt(reader, "")
	// The confirmation page first, as a no-script reader lands on it.
	b.open(f.path + "/support")
	b.wantText("h1", "지지하기 전에 반대 의견을 읽어 주세요")
	b.wantText(".objection-against", "야간 인건비가 늘면", "비판하는 시민", "토론에서 보기")
	b.axeCheck("support confirmation page", axe)
	b.screenshot("objection-confirm-1280", 1280, 900, false)
	b.screenshot("objection-confirm-390", 390, 844, true)

	b.viewport(1280, 900, false)
	b.open(f.path)
	if b.count("#objection-dialog[open]") != 0 {
		t.Fatal("the dialog is open before the support button is pressed")
	}
	b.tap(`form[data-objection-dialog] button[type=submit]`)
	b.waitJS("the dialog", `document.getElementById("objection-dialog").open`)
	if !evalIn[bool](b, `document.getElementById("objection-dialog").contains(document.activeElement)`) {
		t.Errorf("focus is not in the dialog but on %s", evalIn[string](b, `document.activeElement.outerHTML.slice(0, 120)`))
	}
	if loc := b.location(); loc != b.base+f.path {
		t.Errorf("the support button left the page for %s", loc)
	}
	b.wantText("#objection-dialog .objection-against", "야간 인건비가 늘면", "공감 2 · 비공감 0")
	b.wantText("#objection-dialog .objection-for", "직장인과 수험생")
	if w := evalIn[float64](b, `document.getElementById("objection-dialog").getBoundingClientRect().width`); w < 600 {
		t.Errorf("the dialog is %.0f px wide in a window %.0f px wide", w, evalIn[float64](b, `innerWidth`))
	}
	b.axeCheck("proposal page with the objection dialog open", axe)
	b.screenshot("objection-dialog-1280", 1280, 900, false)
	b.screenshot("objection-dialog-390", 390, 844, true)

	// Escape closes it; focus goes back to the support button; nothing recorded.
	b.do("press Escape", chromedp.KeyEvent(kb.Escape))
	b.waitJS("the dialog to close", `!document.getElementById("objection-dialog").open`)
	if !evalIn[bool](b, `document.activeElement === document.querySelector("form[data-objection-dialog] button")`) {
		t.Errorf("after Escape focus is on %s, not the support button", evalIn[string](b, `document.activeElement.outerHTML.slice(0, 120)`))
	}
	// "Back" closes it too, by keyboard.
	b.tap(`form[data-objection-dialog] button[type=submit]`)
	b.waitJS("the dialog again", `document.getElementById("objection-dialog").open`)
	b.do("focus back", chromedp.Focus(chromedp.CSS(`#objection-dialog button[formmethod=dialog]`)))
	b.do("press Enter on back", chromedp.KeyEvent(kb.Enter))
	b.waitJS("the dialog to close by back", `!document.getElementById("objection-dialog").open`)
	if ok, _ := f.supported(t, reader); ok {
		t.Fatal("closing the dialog recorded a support")
	}

	b.tap(`form[data-objection-dialog] button[type=submit]`)
	b.waitJS("the dialog a third time", `document.getElementById("objection-dialog").open`)
	b.click(`#objection-dialog .objection-confirm button.btn-primary`, 200)
	b.wantText("#support", "이 제안을 지지하고 있습니다", "이 중 1명은 반대 의견을 먼저 읽고 지지했습니다")
	if ok, saw := f.supported(t, reader); !ok || saw != 1 {
		t.Errorf("support confirmed in the dialog: recorded %v, saw_objection %d; want true, 1", ok, saw)
	}

	// Without script: the confirmation page.
	plain := f.e.register("스크립트 없는 시민")
	n := br.tab("no script")
	n.adopt(plain, "")
	n.run("turn script off", func(ctx context.Context) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})
	n.viewport(390, 844, true)
	n.open(f.path)
	n.click(`form[data-objection-dialog] button[type=submit]`, 200)
	if loc := n.location(); loc != n.base+f.path+"/support" {
		t.Fatalf("without script the support button leads to %s, want the confirmation page", loc)
	}
	if ok, _ := f.supported(t, plain); ok {
		t.Fatal("without script a support was recorded before the confirmation")
	}
	n.wantText("main", "가장 강한 반대 의견", "야간 인건비가 늘면", "가장 강한 찬성 의견", "직장인과 수험생")
	n.click(`.objection-confirm button.btn-primary`, 200)
	n.wantText("#support", "이 제안을 지지하고 있습니다", "이 중 2명은")
	n.screenshot("objection-seen-390", 390, 844, true)
	if ok, saw := f.supported(t, plain); !ok || saw != 1 {
		t.Errorf("support confirmed without script: recorded %v, saw_objection %d; want true, 1", ok, saw)
	}
}
