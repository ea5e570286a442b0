package web

import (
	"context"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

// TestBrowser_OfficialAnswerLive has an official answer a proposal from the
// form while a supporter's page of it stays open: the official answer and the
// notification badge appear there without a reload.
func TestBrowser_OfficialAnswerLive(t *testing.T) {
	e := newEnv(t)
	bg := context.Background()
	if err := e.st.SetSettings(bg, map[string]string{forum.SettingSupportThreshold: "2"}); err != nil {
		t.Fatal(err)
	}
	br := newBrowser(t, e, 120*time.Second)

	official := e.staff(forum.RoleOfficial, e.mins[0].ID, "김복지")
	officialEmail := official.user().Email
	author := e.register("제안한 시민").user()
	const title = "공공도서관 평일 야간 개방"
	p, err := e.st.CreateProposal(bg, store.NewProposal{AuthorID: author.ID, SponsorToken: "browser-answer",
		Input: forum.ProposalInput{Title: title, Body: "밤 10시까지 열어 주십시오.", CategoryID: e.cats[0].ID, MinistryID: e.mins[0].ID},
		Body:  moderation.TrustedFromStore("<p>밤 10시까지 열어 주십시오.</p>")}, 0)
	if err != nil {
		t.Fatal(err)
	}
	path := "/proposals/" + strconv.FormatInt(p.ID, 10)
	first := e.register("먼저 지지한 시민")
	if r := first.post(path+"/support", url.Values{}); r.Status != 303 {
		t.Fatalf("first support: %d", r.Status)
	}

	// The supporter's support reaches the threshold; they read the notice, then keep the page open.
	s := br.tab("supporter")
	s.registerInBrowser("정유나", "yuna@example.org")
	s.verifyInBrowser(e.st, "yuna@example.org")
	s.open(path)
	s.settle()
	s.click(`#support form[action="`+path+`/support"] button`, 200)
	s.settle()
	s.wantText("[data-live=status]", "답변 기다리는 중")
	s.wantText("#support", "부처 답변 기한까지")
	s.waitJS("the threshold notice in the badge", `(() => { const n = document.querySelector("[data-live=unread]"); return !!n && !n.hidden && n.textContent.trim() === "1"; })()`)
	s.open("/notifications")
	s.settle()
	s.wantText("main", "지지하신 제안이 목표에 도달해 부처 답변을 기다립니다: “")
	s.click(`form[action="/notifications/read"] button[type=submit]`, 200)
	s.settle()
	s.open(path)
	s.settle()
	s.waitText("#live-status", "실시간")
	if !evalIn[bool](s, `document.querySelector("[data-live=unread]").hidden`) {
		t.Fatalf("the badge shows %q before the answer", s.text("[data-live=unread]"))
	}
	s.wantCount("[data-live=response] .official-response", 0)
	s.noReload()
	const summary = "세 곳에서 야간 개방을 시범 운영합니다"
	s.watch("answer", `document.querySelector("[data-live=response]").textContent.includes(`+jsString(summary)+`)`)
	s.watch("badge", `(() => { const n = document.querySelector("[data-live=unread]"); return !n.hidden && parseInt(n.textContent, 10) >= 1; })()`)

	// The official signs in in a second context and answers from the form.
	o := br.tab("official")
	o.signInStaff(e, officialEmail, "staff passphrase 1", "김복지")
	o.open(path)
	o.settle()
	o.wantText("#respond h2", "공식 답변 작성")
	o.do("choose a decision", chromedp.SetValue(chromedp.CSS("#f-decision"), "partially_accepted"))
	o.typeInto("#f-summary", summary)
	o.typeInto("#f-legal_basis", "도서관법 제28조")
	o.typeInto("#f-responsible_unit", "도서관정책기획단")
	o.typeInto("#f-contact", "044-203-2612")
	o.typeInto("#f-next_step", "시범 운영 결과 공개")
	o.do("pick a date", chromedp.SetValue(chromedp.CSS("#f-next_step_date"), "2027-03-02"))
	o.typeInto("#f-answer", "검토 결과 세 곳에서 먼저 시범 운영합니다.")
	published := time.Now()
	o.click(`#respond button[type=submit]`, 200)
	o.settle()
	o.wantText(".flash", "공식 답변을 공개했습니다")
	o.wantText("[data-live=response]", "부처 공식 답변", "일부 수용", summary)
	o.wantText("#respond h2", "공식 답변 수정")

	// The supporter's page shows the answer and the badge in place.
	s.waitText("[data-live=response]", summary)
	s.waitJS("the badge", `(() => { const n = document.querySelector("[data-live=unread]"); return !n.hidden && parseInt(n.textContent, 10) >= 1; })()`)
	t.Logf("the supporter saw the answer %v and the badge %v after the official pressed publish (the official's own page load included)",
		s.seen("answer", published), s.seen("badge", published))
	s.wantText("[data-live=response] .role-badge", "부처 공식 답변")
	s.wantText("[data-live=response] .decision", "일부 수용")
	s.wantText("[data-live=response] .facts", "도서관법 제28조", "도서관정책기획단", "044-203-2612", "시범 운영 결과 공개", "김복지")
	s.wantText("[data-live=response] .prose", "세 곳에서 먼저 시범 운영합니다")
	s.waitText("[data-live=status]", "답변 완료")
	if n := s.text("[data-live=unread]"); n != "1" {
		t.Errorf("unread badge %q, want 1 (the answer)", n)
	}
	s.stillSame()

	if got, err := e.st.Proposal(bg, p.ID); err != nil || got.Status != forum.StatusAnswered {
		t.Errorf("proposal in the store: %+v, %v; want answered", got, err)
	}
	if r, err := e.st.Response(bg, p.ID); err != nil || r.Summary != summary || r.Decision != forum.DecisionPartial || r.NextStepDate.IsZero() {
		t.Errorf("response in the store: %+v, %v", r, err)
	}
}
