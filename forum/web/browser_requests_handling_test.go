package web

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

// TestBrowser_RequestHandling has an official open the inbox, assign a
// civil request and answer it with a refusal: the browser will not submit
// the refusal without a remedy (nor without its legal basis), and does once
// one is ticked. Screenshots of the inbox and the handling page at 1280 and
// 390 px go to $EPEOPLE_SCREENSHOTS.
func TestBrowser_RequestHandling(t *testing.T) {
	e := newEnv(t)
	bg := context.Background()
	br := newBrowser(t, e, 150*time.Second)
	official := e.staff(forum.RoleOfficial, e.mins[0].ID, "김복지")
	email, officialID := official.user().Email, official.user().ID
	e.staff(forum.RoleOfficial, e.mins[0].ID, "이담당")
	filer := e.register("홍길동").user()
	file := func(kind forum.RequestKind, title string) *forum.Request {
		r, err := e.st.FileRequest(bg, filer, store.NewRequest{Input: forum.RequestInput{Kind: kind, MinistryID: e.mins[0].ID,
			Title: title, Body: title + "에 관해 묻습니다."}, Body: moderation.RenderMarkdown(title + "에 관해 묻습니다.")})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	late := file(forum.RequestGrievance, "장애인 활동지원 급여 신청이 두 달째 처리되지 않습니다")
	e.clock.Add(15 * 24 * time.Hour)
	r := file(forum.RequestInquiry, "기초연금 수급 자격 기준 문의")
	file(forum.RequestSuggestion, "보건소 야간 진료 확대 건의")

	o := br.tab("official")
	o.signInStaff(e, email, "staff passphrase 1", "김복지")
	o.open("/inbox")
	o.wantText("#requests", r.Receipt(), "기초연금 수급 자격 기준 문의", "근무일 남음", "기한 지남", late.Receipt())
	o.wantCount("#requests .rh-card.is-overdue", 1)
	o.screenshot("inbox-1280", 1280, 900, false)
	o.screenshot("inbox-390", 390, 844, true)
	axe, _ := os.ReadFile(axePath) // TestA11y_EveryPageType says where it comes from
	if axe != nil {
		o.axeCheck("inbox", string(axe))
	}

	handle := "/requests/" + r.Receipt() + "/handle"
	o.click(`#requests a[href="`+handle+`"]`, 200)
	o.wantText(".page-header", r.Receipt(), "기초연금 수급 자격 기준 문의")
	o.wantText(".rh-summary", "질의", "홍길동", "지정 안 됨", "7 근무일 남음")
	o.do("choose the official", chromedp.SetValue(chromedp.CSS("#f-official"), strconv.FormatInt(officialID, 10)))
	o.click(`form#assign button[type=submit]`, 200)
	o.wantText(".rh-summary", "김복지", "처리 중")
	if axe != nil {
		o.axeCheck("request handling", string(axe))
	}

	// A refusal: the legal basis and a remedy become required.
	o.tap(`#answer input[name=decision][value=not_accepted]`)
	if !evalIn[bool](o, `document.querySelector("#f-legal_basis").required && document.querySelector("#f-remedies").required`) {
		t.Errorf("a refusal does not require its legal basis and a remedy")
	}
	o.do("write the answer",
		chromedp.SetValue(chromedp.CSS("#f-summary"), "현행 기준으로는 수급 대상이 아닙니다"),
		chromedp.SetValue(chromedp.CSS("#f-body"), "소득인정액이 선정기준액을 넘습니다."),
		chromedp.SetValue(chromedp.CSS("#f-responsible_unit"), "기초연금과"),
		chromedp.SetValue(chromedp.CSS("#f-contact"), "044-202-0000"))
	o.typeInto("#f-legal_basis", "기초연금법 제3조")
	o.screenshot("handle-1280", 1280, 900, false)
	o.screenshot("handle-390", 390, 844, true)
	o.tap(`#answer button[type=submit]`)
	if msg := evalIn[string](o, `document.querySelector("#f-remedies").validationMessage`); msg != "불수용이나 일부 수용은 불복 방법을 하나 이상 골라야 합니다." {
		t.Errorf("the browser gives no reason for refusing the form")
	}
	if evalIn[bool](o, `document.querySelector("#answer").checkValidity()`) {
		t.Errorf("the browser would submit a refusal without a remedy")
	}
	if got := o.location(); got != o.base+handle {
		t.Errorf("the refusal without remedies left the page: %s", got)
	}
	if as, _ := e.st.RequestAnswers(bg, r.ID); len(as) != 0 {
		t.Fatalf("a refusal without remedies was saved: %+v", as)
	}
	// Without its legal basis, neither.
	o.tap(`#answer input[name=remedies][value=administrative_appeal]`)
	evalIn[bool](o, `(() => { const f = document.querySelector("#f-legal_basis"); f.value = ""; return true; })()`)
	if evalIn[bool](o, `document.querySelector("#answer").checkValidity()`) {
		t.Errorf("the browser would submit a refusal without its legal basis")
	}
	// An explanation needs neither.
	o.tap(`#answer input[name=decision][value=informed]`)
	if !evalIn[bool](o, `document.querySelector("#answer").checkValidity()`) {
		t.Errorf("an explanation is held back for want of a legal basis")
	}
	o.tap(`#answer input[name=decision][value=not_accepted]`)
	o.typeInto("#f-legal_basis", "기초연금법 제3조")
	o.tap(`#answer input[name=remedies][value=objection]`)
	o.click(`#answer button[type=submit]`, 200)
	o.wantText("body", "답변을 보냈습니다", "답변을 마친 민원입니다")
	as, err := e.st.RequestAnswers(bg, r.ID)
	if err != nil || len(as) != 1 || as[0].Decision != forum.RequestRejected || as[0].LegalBasis != "기초연금법 제3조" ||
		len(as[0].Remedies) != 2 || as[0].OfficialID != officialID {
		t.Fatalf("answers %+v, %v", as, err)
	}
}
