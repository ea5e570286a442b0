package web

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

// TestBrowser_AnswerRating: in Korean, a supporter of an answered proposal
// rates the answer with the worded choices (after a refused empty choice),
// then objects; a guest's open page updates the score live, and reloads
// into the returned state when a second supporter's objection sends the
// answer back. axe-core on each state; screenshots at 390 and 1280 px.
func TestBrowser_AnswerRating(t *testing.T) {
	e := newEnv(t)
	br := newBrowser(t, e, 3*time.Minute)
	ctx := context.Background()
	axe, _ := os.ReadFile(axePath)
	check := func(b *tab, page string) {
		if len(axe) > 0 {
			b.axeCheck(page, string(axe))
		}
	}
	if err := e.st.SetSettings(ctx, map[string]string{forum.SettingSupportThreshold: "2", forum.SettingAnswerObjections: "2"}); err != nil {
		t.Fatal(err)
	}
	supporter := br.tab("supporter")
	supporter.registerInBrowser("이지지", "jiji@example.org")
	s1, _, err := e.st.UserByEmail(ctx, "jiji@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.SetTier(ctx, s1.ID, forum.TierEmailVerified); err != nil {
		t.Fatal(err)
	}
	mk := func(name, email string, role forum.Role) *forum.User {
		u, err := e.st.CreateUser(ctx, forum.User{Role: role, MinistryID: map[bool]int64{true: e.mins[0].ID}[role == forum.RoleOfficial],
			Name: name, Email: email, Tier: forum.TierEmailVerified}, "not-a-login")
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	author, s2 := mk("제안자", "author@example.org", forum.RoleCitizen), mk("박지지", "park@example.org", forum.RoleCitizen)
	official := mk("김답변", "official@example.org", forum.RoleOfficial)
	e.enrol(official.ID)
	body := "공공도서관을 밤 10시까지 열어 주세요."
	p, err := e.st.CreateProposal(ctx, store.NewProposal{AuthorID: author.ID, SponsorToken: "tok-night",
		Input: forum.ProposalInput{Title: "공공도서관 야간 개방", Body: body, CategoryID: e.cats[0].ID, MinistryID: e.mins[0].ID},
		Body:  moderation.RenderMarkdown(body)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []int64{s1.ID, s2.ID} {
		if _, err := e.st.Support(ctx, p.ID, u, nil); err != nil {
			t.Fatal(err)
		}
	}
	official, _ = e.st.User(ctx, official.ID)
	answer := "인력과 예산 사정으로 지금은 어렵습니다."
	if err := e.st.PublishResponse(ctx, official, p.ID, forum.ResponseInput{Decision: forum.DecisionRejected, Summary: "지금은 어렵습니다",
		Body: answer, LegalBasis: "도서관법", ResponsibleUnit: "도서관정책과", Contact: "044-000-0000"}, moderation.RenderMarkdown(answer)); err != nil {
		t.Fatal(err)
	}
	page := ansPath(p.ID, "")

	guest := br.tab("guest")
	guest.open(page)
	guest.wantText(`[data-live="answer-score-1"]`, "아직 지지자 평가가 없습니다", "이의 0명 / 기준 2명")
	guest.wantText("#answer-rating", "로그인하여 답변을 평가")
	guest.wantCount(`#answer-rating form`, 0)
	check(guest, "guest's answer rating")

	supporter.open(page + "#answer-rating")
	supporter.wantCount(`#answer-rating input[name="rating"]`, 5)
	supporter.wantText(".answer-rate legend", "이 답변에 얼마나 만족하십니까?")
	supporter.wantCount(`.answer-object`, 0)
	check(supporter, "supporter's answer rating")
	supporter.screenshot("answer-rating-ko-1280", 1280, 900, false)
	supporter.screenshot("answer-rating-ko-390", 390, 844, true)

	// No choice: refused with the words, the comment kept.
	supporter.typeInto("#f-rating-comment", "이유 설명이 짧습니다")
	supporter.click(`.answer-rate button[type=submit]`, 422)
	supporter.wantText("#f-rating-error", "다섯 가지 중 하나로")
	if got := supporter.value("#f-rating-comment"); got != "이유 설명이 짧습니다" {
		t.Errorf("comment after the refusal: %q", got)
	}
	check(supporter, "rating with an error")
	supporter.open(page + "#answer-rating")
	supporter.tap(`.answer-rate label.rating-choice:nth-of-type(4)`) // 5, 4, 3, 2: 불만족
	supporter.click(`.answer-rate button[type=submit]`, 200)
	supporter.wantText(".flash", "답변 평가를 저장했습니다")
	supporter.wantText(`[data-live="answer-score-1"]`, "지지자 평가 2.0 / 5 · 1명")
	supporter.wantText(".answer-mine", "불만족")
	// The guest's open page took the new score from the live channel.
	guest.waitText(`[data-live="answer-score-1"]`, "지지자 평가 2.0 / 5 · 1명")

	supporter.typeInto("#f-reason", "인력 충원 계획을 검토했는지 답변에 없습니다.")
	supporter.click(`.answer-object button[type=submit]`, 200)
	supporter.wantText(".flash", "이의를 접수했습니다")
	supporter.wantText(`[data-live="answer-score-1"]`, "이의 1명 / 기준 2명")
	supporter.wantText(".answer-mine", "이의를 제기함")
	supporter.wantCount(`.answer-object`, 0)
	check(supporter, "after the objection")
	supporter.screenshot("answer-objected-ko-390", 390, 844, true)
	guest.waitText(`[data-live="answer-score-1"]`, "이의 1명 / 기준 2명")

	// The second supporter's objection sends the answer back: the guest's page reloads into round 2.
	if _, err := e.st.RateAnswer(ctx, s2, p.ID, forum.RatingInput{Rating: 1}); err != nil {
		t.Fatal(err)
	}
	if ret, err := e.st.ObjectToAnswer(ctx, s2, p.ID, "다시 검토해 주십시오"); err != nil || !ret.Returned {
		t.Fatalf("second objection = %+v, %v", ret, err)
	}
	guest.run("wait for the page to reload into round 2", func(ctx context.Context) error {
		for { // the reload may cut an evaluation short: ask again
			if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.readyState === 'complete' && !!document.querySelector('.answer-returned')`)); err == nil && ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
	guest.wantText(".answer-returned", "지지자 2명의 이의로 이 제안은 부처에 돌아갔습니다")
	guest.wantText(".answer-returned", "새 답변 기한")
	guest.wantText("#response", "지금은 어렵습니다")
	check(guest, "returned")
	guest.screenshot("answer-returned-ko-1280", 1280, 900, false)
	guest.screenshot("answer-returned-ko-390", 390, 844, true)
}
