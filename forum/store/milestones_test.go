package store

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
)

// msDay is the end of the KST day d days after the clock's now: a
// milestone's due date as the form gives it.
func msDay(now time.Time, d int) time.Time {
	return forum.MilestoneDue(now.In(time.FixedZone("KST", 9*3600)).AddDate(0, 0, d))
}

// msWorld is a world with an official of its ministry, an official of
// another ministry, and a helper that takes a proposal to an answer.
type msWorld struct {
	*world
	official, stranger *forum.User
}

func newMsWorld(t *testing.T) *msWorld {
	t.Helper()
	w := newWorld(t)
	ansThresholds(t, w.s, 1, 30, 30)
	mw := &msWorld{world: w, official: w.member(t, forum.RoleOfficial, "planner")}
	other, _ := places(t, w.s, "other")
	u, err := w.s.CreateUser(ctx, forum.User{Role: forum.RoleOfficial, MinistryID: other, Name: "stranger",
		Email: fmt.Sprintf("stranger.%d@example.kr", userSeq.Add(1)), Tier: forum.TierEmailVerified}, "hash")
	if err != nil {
		t.Fatal(err)
	}
	mw.stranger = enrol(t, w.s, u)
	return mw
}

// answered opens a proposal, has one citizen support it (the threshold is
// one) and, unless d is empty, the ministry answer it with decision d.
func (w *msWorld) answered(t *testing.T, title string, d forum.Decision) *forum.Proposal {
	t.Helper()
	p := w.openProposal(t, title)
	ansSupport(t, w.s, p.ID, newUser(t, w.s, "supporter").ID)
	if d != "" {
		ansPublish(t, w.s, w.official, p.ID, ansAnswer(d, title+" 답변"))
	}
	return ansProposal(t, w.s, p.ID)
}

func TestMilestones_PlanOnlyAfterAcceptanceByTheAnsweringMinistry(t *testing.T) {
	w := newMsWorld(t)
	now := w.clock.now()
	plan := []forum.MilestoneInput{{Title: "조례 개정안 입법예고", Unit: "도서관정책과", Due: msDay(now, 30)}, {Title: "시범 운영", Unit: "지역도서관팀", Due: msDay(now, 90)}}
	awaiting := w.answered(t, "답변을 기다리는 제안", "")
	refused := w.answered(t, "불수용된 제안", forum.DecisionRejected)
	partial := w.answered(t, "일부 수용된 제안", forum.DecisionPartial)
	accepted := w.answered(t, "수용된 제안", forum.DecisionAccepted)
	citizen := newUser(t, w.s, "citizen")
	for _, tc := range []struct {
		name  string
		actor *forum.User
		id    int64
		want  error
		key   string
	}{
		{"before the answer", w.official, awaiting.ID, forum.ErrInvalidState, "milestone.err.not_accepted"},
		{"not accepted", w.official, refused.ID, forum.ErrInvalidState, "milestone.err.not_accepted"},
		{"another ministry's official", w.stranger, accepted.ID, forum.ErrForbidden, "milestone.err.not_ministry"},
		{"a citizen", citizen, accepted.ID, forum.ErrForbidden, "milestone.err.not_ministry"},
		{"no such proposal", w.official, accepted.ID + 1000, forum.ErrNotFound, ""},
	} {
		_, err := w.s.PlanMilestones(ctx, tc.actor, tc.id, plan)
		wantErr(t, err, tc.want)
		var ref *forum.Refusal
		if tc.key != "" && (!errors.As(err, &ref) || ref.Key != tc.key) {
			t.Errorf("%s: refusal %v, want key %s", tc.name, err, tc.key)
		}
	}
	if n := count(t, w.s, `SELECT count(*) FROM milestones`); n != 0 {
		t.Fatalf("refused plans wrote %d milestones", n)
	}

	// One bad milestone among good ones: nothing is written.
	bad := append(append([]forum.MilestoneInput{}, plan...), forum.MilestoneInput{Title: "지난 날짜", Unit: "과", Due: msDay(now, -1)})
	_, err := w.s.PlanMilestones(ctx, w.official, accepted.ID, bad)
	wantInvalid(t, err, "milestone.err.date_past")
	for _, tc := range []struct {
		in  forum.MilestoneInput
		key string
	}{
		{forum.MilestoneInput{Unit: "과", Due: msDay(now, 1)}, "milestone.err.title_required"},
		{forum.MilestoneInput{Title: "무엇", Due: msDay(now, 1)}, "milestone.err.unit_required"},
		{forum.MilestoneInput{Title: "무엇", Unit: "과"}, "milestone.err.date_required"},
		{forum.MilestoneInput{Title: "무엇", Unit: "과", Due: msDay(now, 20*366)}, "milestone.err.date_too_far"},
	} {
		_, err := w.s.PlanMilestones(ctx, w.official, accepted.ID, []forum.MilestoneInput{plan[0], tc.in})
		wantInvalid(t, err, tc.key)
	}
	if n := count(t, w.s, `SELECT count(*) FROM milestones`) + count(t, w.s, `SELECT count(*) FROM milestone_updates`); n != 0 {
		t.Fatalf("invalid plans wrote %d rows", n)
	}

	// Today is still a valid date: it ends at midnight KST.
	today := forum.MilestoneInput{Title: "오늘 안에", Unit: "과", Due: msDay(now, 0)}
	for _, p := range []*forum.Proposal{partial, accepted} {
		ids, err := w.s.PlanMilestones(ctx, w.official, p.ID, append(append([]forum.MilestoneInput{}, plan...), today))
		if err != nil || len(ids) != 3 {
			t.Fatalf("plan for %s proposal: %v, %v", p.Title, ids, err)
		}
	}
	ms, err := w.s.ProposalMilestones(ctx, accepted.ID)
	if err != nil || len(ms) != 3 {
		t.Fatalf("ProposalMilestones = %d, %v", len(ms), err)
	}
	if ms[0].Title != "오늘 안에" || ms[1].Title != plan[0].Title || ms[2].Title != plan[1].Title {
		t.Errorf("order = %q %q %q, want the soonest due first", ms[0].Title, ms[1].Title, ms[2].Title)
	}
	m := ms[1]
	kst := time.FixedZone("KST", 9*3600)
	if got := m.Due.In(kst); got.Hour() != 23 || got.Minute() != 59 || !m.Due.Equal(m.PlannedDue) || m.State != forum.MilestonePlanned ||
		m.MinistryID != w.ministry || m.Unit != "도서관정책과" {
		t.Errorf("planned milestone = %+v (due %v KST)", m, got)
	}
	if len(m.Updates) != 1 || m.Updates[0].Kind != forum.MilestonePlanned || m.Updates[0].ActorName != "planner" {
		t.Errorf("updates = %+v, want its planning", m.Updates)
	}
}

func TestMilestones_DoneAndDelayRules(t *testing.T) {
	w := newMsWorld(t)
	p := w.answered(t, "수용된 제안", forum.DecisionAccepted)
	follower := newUser(t, w.s, "follower")
	if err := w.s.Follow(ctx, follower.ID, forum.ItemProposal, p.ID, true); err != nil {
		t.Fatal(err)
	}
	supporter := int64(count(t, w.s, `SELECT user_id FROM supports WHERE proposal_id = ?`, p.ID)) // who supports follows
	now := w.clock.now()
	topic := forum.ProposalTopic(p.ID)
	var ids []int64
	expectEvents(t, w.s, func() {
		var err error
		if ids, err = w.s.PlanMilestones(ctx, w.official, p.ID, []forum.MilestoneInput{
			{Title: "조례 개정", Unit: "정책과", Due: msDay(now, 10)}, {Title: "예산 반영", Unit: "예산팀", Due: msDay(now, 20)}}); err != nil {
			t.Fatal(err)
		}
	}, ev{forum.EventMilestoneChanged, topic}, ev{forum.EventNotification, forum.UserTopic(supporter)},
		ev{forum.EventNotification, forum.UserTopic(follower.ID)})
	first, second := ids[0], ids[1]

	// Done needs evidence; a link must be http(s).
	for _, tc := range []struct {
		in  forum.MilestoneDoneInput
		key string
	}{
		{forum.MilestoneDoneInput{}, "milestone.err.evidence_required"},
		{forum.MilestoneDoneInput{Evidence: "   "}, "milestone.err.evidence_required"},
		{forum.MilestoneDoneInput{URL: "javascript:alert(1)"}, "milestone.err.url"},
		{forum.MilestoneDoneInput{URL: "ftp://example.kr/a"}, "milestone.err.url"},
		{forum.MilestoneDoneInput{Evidence: "공포", URL: "https://"}, "milestone.err.url"},
		{forum.MilestoneDoneInput{URL: "https://user:pw@example.kr/"}, "milestone.err.url"},
	} {
		_, err := w.s.CompleteMilestone(ctx, w.official, first, tc.in, html(tc.in.Evidence))
		wantInvalid(t, err, tc.key)
	}
	_, err := w.s.CompleteMilestone(ctx, w.stranger, first, forum.MilestoneDoneInput{Evidence: "했다"}, html("했다"))
	wantErr(t, err, forum.ErrForbidden)
	_, err = w.s.CompleteMilestone(ctx, w.official, first+1000, forum.MilestoneDoneInput{Evidence: "했다"}, html("했다"))
	wantErr(t, err, forum.ErrNotFound)

	// A delay needs a reason and a date later than the current one.
	for _, tc := range []struct {
		in  forum.MilestoneDelayInput
		key string
	}{
		{forum.MilestoneDelayInput{Due: msDay(now, 40)}, "milestone.err.reason_required"},
		{forum.MilestoneDelayInput{Reason: "예산", Due: msDay(now, 5)}, "milestone.err.date_not_later"},
		{forum.MilestoneDelayInput{Reason: "예산", Due: msDay(now, 10)}, "milestone.err.date_not_later"},
		{forum.MilestoneDelayInput{Reason: "예산"}, "milestone.err.date_required"},
	} {
		_, err := w.s.DelayMilestone(ctx, w.official, first, tc.in, html(tc.in.Reason))
		wantInvalid(t, err, tc.key)
	}
	if n := count(t, w.s, `SELECT count(*) FROM milestone_updates`); n != 2 {
		t.Fatalf("refused changes wrote updates: %d rows, want the 2 plannings", n)
	}

	w.clock.advance(3 * ansDay)
	m, err := w.s.DelayMilestone(ctx, w.official, first, forum.MilestoneDelayInput{Reason: "의회 일정", Due: msDay(now, 40)}, html("의회 일정"))
	if err != nil {
		t.Fatal(err)
	}
	if m.State != forum.MilestoneDelayed || !m.Due.Equal(msDay(now, 40)) || !m.PlannedDue.Equal(msDay(now, 10)) {
		t.Errorf("delayed = %s due %v planned %v; want delayed, the new date, the first date kept", m.State, m.Due, m.PlannedDue)
	}
	// A second delay must go later than the delayed date, not the first one.
	_, err = w.s.DelayMilestone(ctx, w.official, first, forum.MilestoneDelayInput{Reason: "또", Due: msDay(now, 30)}, html("또"))
	wantInvalid(t, err, "milestone.err.date_not_later")

	w.clock.advance(ansDay)
	done, err := w.s.CompleteMilestone(ctx, w.official, first, forum.MilestoneDoneInput{Evidence: "조례 공포", URL: "https://www.law.go.kr/조례"}, html("조례 공포"))
	if err != nil {
		t.Fatal(err)
	}
	if !done.Done() || done.KeptOnTime() != true || done.EvidenceURL != "https://www.law.go.kr/조례" {
		t.Errorf("done = %+v; done before its first date counts as kept", done)
	}
	_, err = w.s.CompleteMilestone(ctx, w.official, first, forum.MilestoneDoneInput{Evidence: "다시"}, html("다시"))
	wantErr(t, err, forum.ErrInvalidState)
	_, err = w.s.DelayMilestone(ctx, w.official, first, forum.MilestoneDelayInput{Reason: "다시", Due: msDay(now, 99)}, html("다시"))
	wantErr(t, err, forum.ErrInvalidState)

	ms, err := w.s.ProposalMilestones(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got *forum.Milestone
	for _, m := range ms {
		if m.ID == first {
			got = m
		}
	}
	if got == nil || len(got.Updates) != 3 || got.Updates[1].Kind != forum.MilestoneDelayed || !got.Updates[1].Due.Equal(msDay(now, 40)) ||
		got.Updates[1].NoteSrc != "의회 일정" || got.Updates[2].Kind != forum.MilestoneDone || got.Updates[2].URL != "https://www.law.go.kr/조례" {
		t.Fatalf("updates of the delayed, then done milestone = %+v", got)
	}
	// The follower was told of the plan, the delay and the completion, once each.
	for kind, want := range map[string]int{forum.NoteMilestonePlanned: 1, forum.NoteMilestoneDelayed: 1, forum.NoteMilestoneDone: 1} {
		if n := count(t, w.s, `SELECT count(*) FROM notifications WHERE user_id = ? AND kind = ?`, follower.ID, kind); n != want {
			t.Errorf("%s notifications = %d, want %d", kind, n, want)
		}
	}
	_ = second
}

func TestMilestones_OverdueAndKeptOnTime(t *testing.T) {
	w := newMsWorld(t)
	p := w.answered(t, "수용된 제안", forum.DecisionAccepted)
	now := w.clock.now()
	ids, err := w.s.PlanMilestones(ctx, w.official, p.ID, []forum.MilestoneInput{
		{Title: "제때 한 일", Unit: "과", Due: msDay(now, 5)},
		{Title: "늦게 한 일", Unit: "과", Due: msDay(now, 5)},
		{Title: "미룬 일", Unit: "과", Due: msDay(now, 5)},
		{Title: "잊은 일", Unit: "과", Due: msDay(now, 5)},
		{Title: "아직 먼 일", Unit: "과", Due: msDay(now, 100)},
	})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := w.s.MilestoneScores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := sc[w.ministry]; got != (forum.MilestoneScore{Planned: 5}) {
		t.Errorf("before any date = %+v", got)
	}
	w.clock.advance(2 * ansDay)
	if _, err := w.s.CompleteMilestone(ctx, w.official, ids[0], forum.MilestoneDoneInput{Evidence: "완료"}, html("완료")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.DelayMilestone(ctx, w.official, ids[2], forum.MilestoneDelayInput{Reason: "예산", Due: msDay(now, 60)}, html("예산")); err != nil {
		t.Fatal(err)
	}
	w.clock.advance(10 * ansDay) // past the first date of four
	if _, err := w.s.CompleteMilestone(ctx, w.official, ids[1], forum.MilestoneDoneInput{URL: "https://example.kr/done"}, html("")); err != nil {
		t.Fatal(err)
	}
	sc, err = w.s.MilestoneScores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Due: the four past their first date. Kept: one (done by its first
	// date). Overdue: the forgotten one only (the delayed one has a later date).
	want := forum.MilestoneScore{Planned: 5, Due: 4, Kept: 1, Done: 2, Overdue: 1}
	if got := sc[w.ministry]; got != want {
		t.Errorf("scores = %+v, want %+v", got, want)
	}
	if pct, ok := want.KeptPercent(); !ok || pct != 25 {
		t.Errorf("KeptPercent = %d, %v; want 25", pct, ok)
	}
	over, err := w.s.OverdueMilestones(ctx, w.ministry, 10)
	if err != nil || len(over) != 1 || over[0].Title != "잊은 일" || over[0].ProposalTitle != "수용된 제안" {
		t.Fatalf("OverdueMilestones = %+v, %v", over, err)
	}
	cards, err := w.s.Scorecards(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cards {
		if c.Ministry.ID == w.ministry && c.Promises != want {
			t.Errorf("scorecard promises = %+v, want %+v", c.Promises, want)
		}
	}
	w.clock.advance(60 * ansDay) // the delayed one is overdue now too
	if over, _ = w.s.OverdueMilestones(ctx, w.ministry, 10); len(over) != 2 || over[0].Title != "잊은 일" || over[1].Title != "미룬 일" {
		t.Errorf("overdue after the delayed date = %+v", over)
	}
	// A hidden proposal's milestones leave the public figures.
	if _, err := w.s.DB().Exec(`UPDATE proposals SET mod_state = 'hidden' WHERE id = ?`, p.ID); err != nil {
		t.Fatal(err)
	}
	if over, _ = w.s.OverdueMilestones(ctx, w.ministry, 10); len(over) != 0 {
		t.Errorf("overdue milestones of a hidden proposal listed: %d", len(over))
	}
}

// A proposal handed to another ministry after its answer keeps its
// milestones with the ministry that accepted it.
func TestMilestones_PlannedByTheAnsweringMinistryAfterATransfer(t *testing.T) {
	w := newMsWorld(t)
	p := w.answered(t, "답변 후 이관된 제안", forum.DecisionAccepted)
	if err := w.s.Transfer(ctx, w.official, p.ID, w.stranger.MinistryID, "후속 업무는 다른 부처 소관입니다"); err != nil {
		t.Skipf("an answered proposal cannot be transferred here: %v", err)
	}
	plan := []forum.MilestoneInput{{Title: "후속 조치", Unit: "정책과", Due: msDay(w.clock.now(), 10)}}
	_, err := w.s.PlanMilestones(ctx, w.stranger, p.ID, plan)
	wantErr(t, err, forum.ErrForbidden)
	ids, err := w.s.PlanMilestones(ctx, w.official, p.ID, plan)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := w.s.Milestone(ctx, ids[0]); err != nil || m.MinistryID != w.ministry {
		t.Errorf("milestone = %+v, %v; want the answering ministry's", m, err)
	}
}
