package web

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/e-people/e-people/forum"
)

// TestBrowser_MilestonesPlanDoneTimeline has the official of the ministry
// that accepted a proposal plan two milestones from the form, send a bad
// evidence link back, mark one done with evidence and put the other off,
// while a citizen's page of the proposal stays open: the milestones and the
// timeline change there without a reload. axe-core checks the pages with
// their forms, errors and states, at 1280 px and at 390 px.
func TestBrowser_MilestonesPlanDoneTimeline(t *testing.T) {
	src := axeSource(t)
	f := newMsFixture(t)
	e := f.e
	br := newBrowser(t, e, 4*time.Minute)
	id := f.answered("공공도서관 평일 야간 개방", forum.DecisionAccepted)
	path := ansPath(id, "")

	// A citizen keeps the proposal open.
	s := br.tab("citizen")
	s.registerInBrowser("정유나", "yuna@example.org")
	s.verifyInBrowser(e.st, "yuna@example.org")
	s.open(path)
	s.settle()
	s.wantText("#milestones", "이행 계획", "아직 이행 계획이 없습니다.")
	s.wantCount("#milestone-plan", 0)
	s.waitText("#live-status", "실시간")
	s.noReload()

	o := br.tab("official")
	o.signInStaff(e, f.lead.user().Email, "staff passphrase 1", "김복지")
	o.open(path)
	o.settle()
	o.wantText("#milestone-plan h3", "이행 계획 세우기")
	o.axeCheck("proposal page with the planning form", src)
	o.typeInto("#f-title_0", "조례 개정안 입법예고")
	o.do("pick a date", chromedp.SetValue(chromedp.CSS("#f-due_0"), msDay(e, 30)))
	o.typeInto("#f-unit_0", "도서관정책과")
	o.typeInto("#f-title_1", "야간 개방 시범 운영")
	o.do("pick a past date", chromedp.SetValue(chromedp.CSS("#f-due_1"), msDay(e, -3)))
	o.typeInto("#f-unit_1", "지역도서관팀")
	o.click("#milestone-plan button[type=submit]", 400)
	o.wantText("#milestone-plan .error-summary", "기한이 이미 지났습니다.")
	if v := o.value("#f-title_0"); v != "조례 개정안 입법예고" {
		t.Errorf("the first row came back as %q", v)
	}
	o.axeCheck("the planning form with an error", src)
	o.do("pick a later date", chromedp.SetValue(chromedp.CSS("#f-due_1"), msDay(e, 90)))
	o.click("#milestone-plan button[type=submit]", 200)
	o.settle()
	o.wantText(".flash", "이행 계획을 공개했습니다.")
	o.wantCount(".milestone-list > li", 2)

	// The citizen's page shows them, and the timeline, without a reload.
	s.waitCount("[data-live=milestones] .milestone-list > li", 2)
	s.waitText("[data-live=timeline]", "이행 계획: 야간 개방 시범 운영")
	s.wantText("[data-live=milestones]", "조례 개정안 입법예고", "도서관정책과", "예정")

	ms, err := e.st.ProposalMilestones(context.Background(), id)
	if err != nil || len(ms) != 2 {
		t.Fatalf("milestones in the store: %d, %v", len(ms), err)
	}
	first, second := itoa(int(ms[0].ID)), itoa(int(ms[1].ID))
	e.clock.Add(2 * 24 * time.Hour)

	// A bad link comes back beside its field; then the evidence goes in.
	o.open(path)
	o.settle()
	o.tap("#report-" + first + " summary")
	o.typeInto("#f-evidence-"+first, "조례 개정안을 **입법예고**했습니다.")
	o.typeInto("#f-url-"+first, "javascript:alert(1)")
	o.click(`#report-`+first+` form[action$="/done"] button[type=submit]`, 400)
	o.wantText(`#report-`+first+` .error-summary`, "근거 링크는 http:// 또는 https://로 시작하는 전체 주소여야 합니다.")
	if !evalIn[bool](o, `document.querySelector("#report-`+first+`").open`) {
		t.Error("the report form with an error is folded away")
	}
	o.axeCheck("a report form with an error", src)
	o.do("clear the link", chromedp.Evaluate[chromedp.Void](`document.querySelector("#f-url-`+first+`").value = ""`))
	o.typeInto("#f-url-"+first, "https://www.moleg.go.kr/notice/2027")
	o.click(`#report-`+first+` form[action$="/done"] button[type=submit]`, 200)
	o.settle()
	o.wantText(".flash", "완료로 표시했습니다.")
	o.wantText("#milestone-"+first, "완료", "입법예고", "약속한 날짜 안에 완료")

	s.waitText("#milestone-"+first, "약속한 날짜 안에 완료")
	s.waitText("[data-live=timeline]", "이행 완료: 조례 개정안 입법예고")
	s.wantText("#milestone-"+first+" .milestone-evidence", "입법예고", "https://www.moleg.go.kr/notice/2027")
	s.wantCount("#milestone-"+first+" .milestone-evidence strong", 1)

	// The other one is put off with a reason and a later date.
	o.tap("#report-" + second + " summary")
	o.typeInto("#f-reason-"+second, "시범 운영 도서관의 인력 충원이 늦어졌습니다.")
	o.do("pick the new date", chromedp.SetValue(chromedp.CSS("#f-new_due-"+second), msDay(e, 120)))
	o.click(`#report-`+second+` form[action$="/delay"] button[type=submit]`, 200)
	o.settle()
	o.wantText(".flash", "기한을 미뤘습니다.")
	s.waitText("#milestone-"+second, "인력 충원이 늦어졌습니다.")
	s.wantText("#milestone-"+second, "연기", "처음 약속: ")
	s.waitText("[data-live=timeline]", "이행 연기: 야간 개방 시범 운영")
	s.stillSame()

	s.open(path)
	s.settle()
	s.axeCheck("proposal page with done and delayed milestones", src)
	s.screenshot("proposal-milestones-1280", 1280, 900, false)
	s.screenshot("proposal-milestones-390", 390, 844, true)
	o.open("/")
	o.open(path + "#milestones")
	o.settle()
	o.screenshot("official-milestones-1280", 1280, 900, false)
	o.screenshot("official-milestones-390", 390, 844, true)

	// Past the plan's date (and the delayed one's first date), the ministry's page counts them.
	e.clock.Add(100 * 24 * time.Hour)
	s.open("/ministries/mohw")
	s.settle()
	s.wantText("#promises", "약속 이행률", "50%", "1/2")
	s.axeCheck("ministry page with promises", src)
	s.screenshot("ministry-promises-390", 390, 844, true)
	s.open("/milestones")
	s.settle()
	s.wantText("main", "약속 이행", "보건복지부", "50%")
	s.axeCheck("/milestones", src)
	s.screenshot("milestones-page-1280", 1280, 900, false)
}
