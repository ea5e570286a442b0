package web

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

// TestBrowser_RequestFeedback: in Korean, the filer of an answered request
// rates the answer with the worded buttons and a comment, sees the rating,
// then objects, and sees the request reopened in round 2 linked to the first
// answer; the holding ministry's official confirms the masked text and
// publishes it, which /faq then lists. Screenshots at 390 and 1280 px.
func TestBrowser_RequestFeedback(t *testing.T) {
	e := newEnv(t)
	br := newBrowser(t, e, 3*time.Minute)
	ctx := context.Background()
	// WCAG 2.1 AA by axe-core where `make test` installed it; the rest of the test runs without it.
	axe, _ := os.ReadFile(axePath)
	check := func(b *tab, page string) {
		if len(axe) > 0 {
			b.axeCheck(page, string(axe))
		}
	}

	filer := br.tab("filer")
	filer.registerInBrowser("김민원", "minwon@example.org")
	u, _, err := e.st.UserByEmail(ctx, "minwon@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.SetTier(ctx, u.ID, forum.TierEmailVerified); err != nil {
		t.Fatal(err)
	}
	if u, err = e.st.User(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	body := "저는 김민원입니다. 기초연금 신청 기간이 궁금합니다. 연락처 010-2345-6789"
	r, err := e.st.FileRequest(ctx, u, store.NewRequest{Input: forum.RequestInput{Kind: forum.RequestInquiry, MinistryID: e.mins[0].ID,
		Title: "기초연금 신청 기간 문의", Body: body, PublishConsent: true}, Body: moderation.RenderMarkdown(body)})
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := forum.HashPassword("staff passphrase 1")
	official, err := e.st.CreateUser(ctx, forum.User{Role: forum.RoleOfficial, MinistryID: e.mins[0].ID, Name: "김하늘",
		Email: "official@example.org", Tier: forum.TierEmailVerified}, hash)
	if err != nil {
		t.Fatal(err)
	}
	e.enrol(official.ID)
	answerDirectly(e, r, official.ID, forum.RequestInformed)

	page := "/requests/" + r.Receipt() + "/feedback"
	filer.open(page)
	filer.wantText("#feedback h2", "만족도 평가와 이의신청")
	filer.wantCount(`#feedback input[name="rating"]`, 5)
	filer.wantText(".after-rate legend", "답변에 얼마나 만족하십니까?")
	filer.wantText(".after-deadline", "이의신청 기한")
	check(filer, "feedback")
	filer.screenshot("feedback-form-ko-1280", 1280, 900, false)
	filer.screenshot("feedback-form-ko-390", 390, 844, true)

	// Submitting without a choice keeps the comment and says what is missing.
	filer.typeInto("#f-rating-comment", "근거 설명이 부족합니다")
	filer.click(`.after-rate button[type=submit]`, 422)
	filer.wantText("#f-rating-error", "다섯 가지 중 하나로")
	check(filer, "feedback with an error")
	if got := filer.value("#f-rating-comment"); got != "근거 설명이 부족합니다" {
		t.Errorf("comment after the refusal: %q", got)
	}
	// Choose by the words: the label is the button.
	filer.tap(`label.rating-choice:nth-of-type(4)`) // 5, 4, 3, 2: 불만족
	if !evalIn[bool](filer, `document.querySelector('input[name="rating"][value="2"]').checked`) {
		t.Fatal("the fourth choice did not pick 불만족 (2)")
	}
	filer.click(`.after-rate button[type=submit]`, 200)
	filer.wantText(".flash", "만족도를 저장했습니다")
	filer.wantText("#rating-1", "불만족")
	filer.wantText("#rating-1 .after-comment", "근거 설명이 부족합니다")
	filer.wantText(".after-rate legend", "만족도를 바꾸시겠습니까?")
	filer.screenshot("feedback-rated-ko-390", 390, 844, true)

	// The objection.
	filer.typeInto("#f-reason", "법적 근거를 다시 검토해 주십시오.")
	filer.click(`.after-object button[type=submit]`, 200)
	filer.wantText(".flash", "이의신청을 접수했습니다")
	filer.wantText(".after-objected", "2차")
	filer.wantCount(`.after-object`, 0)
	filer.wantCount(`.after-rate`, 0)
	if href := filer.attr(".after-objected a", "href"); href != "#answer-1" {
		t.Errorf("the objection links to %q, want #answer-1", href)
	}
	filer.wantCount(`#answer-1`, 1)
	check(filer, "feedback after the objection")
	filer.screenshot("feedback-objected-ko-1280", 1280, 900, false)
	if got, _ := e.st.Request(ctx, r.ID); got.Round != 2 || got.Status != forum.RequestProcessing {
		t.Errorf("after the objection: round %d, %s", got.Round, got.Status)
	}

	// Round 2 answered: the official publishes it, masked, as a frequently asked request.
	answerDirectly(e, r, official.ID, forum.RequestAccepted)
	staff := br.tab("official")
	staff.signInStaff(e, "official@example.org", "staff passphrase 1", "김하늘")
	staff.open("/requests/" + r.Receipt() + "/publish")
	question := staff.value("#f-question")
	if strings.Contains(question, "김민원") || strings.Contains(question, "010-2345-6789") || !strings.Contains(question, "○○○") {
		t.Errorf("the masked question: %q", question)
	}
	check(staff, "publish")
	staff.screenshot("publish-ko-1280", 1280, 900, false)
	staff.screenshot("publish-ko-390", 390, 844, true)
	// A phone number put back by hand is refused with the rule's message.
	staff.do("put a phone number back", chromedp.SetValue(chromedp.CSS("#f-answer"), staff.value("#f-answer")+"\n\n담당 010-1111-2222"))
	staff.click(`.faq-publish button[type=submit]`, 422)
	staff.wantText(".error-summary", "개인정보")
	check(staff, "publish with an error")
	staff.do("take it out", chromedp.SetValue(chromedp.CSS("#f-answer"), "생일이 속한 달의 한 달 전부터 신청할 수 있습니다."))
	staff.click(`.faq-publish button[type=submit]`, 200)
	staff.wantText(".flash", "자주 묻는 민원으로 공개했습니다")
	staff.wantText("h1", "기초연금 신청 기간 문의")
	check(staff, "faq entry")
	staff.screenshot("faq-entry-ko-390", 390, 844, true)

	guest := br.tab("guest")
	guest.open("/faq")
	guest.wantText(".faq-list", "기초연금 신청 기간 문의")
	check(guest, "faq list")
	guest.screenshot("faq-list-ko-1280", 1280, 900, false)
	guest.screenshot("faq-list-ko-390", 390, 844, true)
	guest.open("/stats")
	guest.wantText(".request-stats", "민원 처리 현황")
	check(guest, "stats")
	guest.screenshot("stats-ko-390", 390, 844, true)
	guest.screenshot("stats-ko-1280", 1280, 900, false)
	guest.open("/ministries")
	check(guest, "ministries")
	guest.screenshot("ministries-ko-390", 390, 844, true)
}
