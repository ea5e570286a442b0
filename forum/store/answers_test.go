package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
)

const ansDay = 24 * time.Hour

// ansThresholds sets the obligation settings: supporters needed, the support
// window and the days a ministry has to answer.
func ansThresholds(tb testing.TB, s *Store, supports, windowDays, responseDays int) {
	tb.Helper()
	if err := s.SetSettings(ctx, map[string]string{forum.SettingSupportThreshold: fmt.Sprint(supports),
		forum.SettingSupportWindow: fmt.Sprint(windowDays), forum.SettingResponseDays: fmt.Sprint(responseDays)}); err != nil {
		tb.Fatal(err)
	}
}

// ansAnswer is a complete structured answer with decision d.
func ansAnswer(d forum.Decision, summary string) forum.ResponseInput {
	return forum.ResponseInput{Decision: d, Summary: summary, Body: summary + " 본문", LegalBasis: "공공도서관법 제3조",
		ResponsibleUnit: "도서관정책과", Contact: "044-000-0000", NextStep: "시범 운영", NextStepDate: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
}

// ansPublish publishes an answer and fails the test on an error.
func ansPublish(tb testing.TB, s *Store, actor *forum.User, id int64, in forum.ResponseInput) {
	tb.Helper()
	if err := s.PublishResponse(ctx, actor, id, in, html(in.Body)); err != nil {
		tb.Fatalf("publish response to %d: %v", id, err)
	}
}

// ansSupport supports a proposal and fails the test on an error.
func ansSupport(tb testing.TB, s *Store, id, userID int64) {
	tb.Helper()
	if _, err := s.Support(ctx, id, userID, nil); err != nil {
		tb.Fatalf("support %d by %d: %v", id, userID, err)
	}
}

// ansProposal reads a proposal and fails the test on an error.
func ansProposal(tb testing.TB, s *Store, id int64) *forum.Proposal {
	tb.Helper()
	p, err := s.Proposal(ctx, id)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// ansPerUser counts rows of a table per user_id among those matching where.
func ansPerUser(tb testing.TB, s *Store, query string, args ...any) map[int64]int {
	tb.Helper()
	rows, err := s.DB().Query(query, args...)
	if err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var u int64
		var n int
		if err := rows.Scan(&u, &n); err != nil {
			tb.Fatal(err)
		}
		out[u] = n
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// ansOnceEach fails unless got holds exactly the users in want, each counted once.
func ansOnceEach(tb testing.TB, what string, got map[int64]int, want ...int64) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Errorf("%s: %d users, want %d", what, len(got), len(want))
	}
	for _, u := range want {
		if got[u] != 1 {
			tb.Errorf("%s: user %d counted %d times, want once", what, u, got[u])
		}
	}
}

// TestAnswers_LifecycleWithClock follows proposals through the ministry's
// clock: the threshold reached inside the window, a window that ends short,
// an answer, a referral and a late answer, across a restart.
func TestAnswers_LifecycleWithClock(t *testing.T) {
	c := newClock()
	path := filepath.Join(t.TempDir(), "forum.db")
	s, err := Open(ctx, path, readSchema(t), Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	open := true
	t.Cleanup(func() {
		if open {
			s.Close()
		}
	})
	ministry, category := places(t, s, "main")
	w := &world{s: s, clock: c, ministry: ministry, category: category, author: newUser(t, s, "author")}
	official := w.member(t, forum.RoleOfficial, "answerer")
	ansThresholds(t, s, 3, 30, 30)
	if th := s.Settings().Thresholds; th != (forum.Thresholds{Supports: 3, Window: 30 * ansDay, ResponseIn: 30 * ansDay}) {
		t.Fatalf("Thresholds = %+v", th)
	}

	start := c.now()
	reach := w.openProposal(t, "세 명이 지지할 제안")
	lapse := w.openProposal(t, "지지가 모자랄 제안")
	if !reach.SupportDeadline.Equal(start.Add(30*ansDay)) || !reach.ReachedAt.IsZero() || !reach.ResponseDue.IsZero() {
		t.Fatalf("open proposal clock = deadline %v, reached %v, due %v; want deadline %v", reach.SupportDeadline, reach.ReachedAt, reach.ResponseDue, start.Add(30*ansDay))
	}
	a, b, d := newUser(t, s, "a"), newUser(t, s, "b"), newUser(t, s, "d")
	ansSupport(t, s, lapse.ID, a.ID)
	c.advance(3 * ansDay)
	ansSupport(t, s, reach.ID, a.ID)
	c.advance(5 * ansDay)
	ansSupport(t, s, reach.ID, b.ID)
	if p := ansProposal(t, s, reach.ID); p.Status != forum.StatusOpen || !p.ReachedAt.IsZero() {
		t.Fatalf("two of three supports: %s, reached %v", p.Status, p.ReachedAt)
	}
	c.advance(7*ansDay + 13*time.Second)
	reachedAt := c.now()
	topic := forum.ProposalTopic(reach.ID)
	expectEvents(t, s, func() { ansSupport(t, s, reach.ID, d.ID) },
		ev{forum.EventProposalSupported, topic}, ev{forum.EventProposalStatus, topic},
		ev{forum.EventNotification, forum.UserTopic(a.ID)}, ev{forum.EventNotification, forum.UserTopic(b.ID)},
		ev{forum.EventNotification, forum.UserTopic(d.ID)})
	p := ansProposal(t, s, reach.ID)
	if p.Status != forum.StatusAwaiting || p.Supports != 3 {
		t.Fatalf("third support within the window: %s with %d supports, want awaiting_response", p.Status, p.Supports)
	}
	if !p.ReachedAt.Equal(reachedAt) || !p.ResponseDue.Equal(reachedAt.Add(30*ansDay)) {
		t.Errorf("reached %v, due %v; want reached %v, due exactly 30 days later %v", p.ReachedAt, p.ResponseDue, reachedAt, reachedAt.Add(30*ansDay))
	}
	ansOnceEach(t, "threshold_reached notifications", ansPerUser(t, s,
		`SELECT user_id, count(*) FROM notifications WHERE kind = ? GROUP BY user_id`, forum.NoteThresholdReached), a.ID, b.ID, d.ID)
	// Support still counts while the ministry prepares its answer, and the threshold is reached only once.
	e := newUser(t, s, "e")
	expectEvents(t, s, func() { ansSupport(t, s, reach.ID, e.ID) }, ev{forum.EventProposalSupported, topic})
	if p := ansProposal(t, s, reach.ID); p.Status != forum.StatusAwaiting || p.Supports != 4 || !p.ReachedAt.Equal(reachedAt) {
		t.Errorf("support while awaiting: %s, %d supports, reached %v", p.Status, p.Supports, p.ReachedAt)
	}

	// The other proposal's window ends short of the threshold.
	c.set(lapse.SupportDeadline.Add(-time.Second))
	if n, err := s.AdvanceProposals(ctx); err != nil || n != 0 {
		t.Fatalf("AdvanceProposals a second before the deadline = %d, %v; want 0", n, err)
	}
	next, ok, err := s.NextProposalDeadline(ctx)
	if err != nil || !ok || !next.Equal(lapse.SupportDeadline) {
		t.Errorf("NextProposalDeadline = %v, %v, %v; want %v", next, ok, err, lapse.SupportDeadline)
	}
	c.set(lapse.SupportDeadline)
	if n, err := s.AdvanceProposals(ctx); err != nil || n != 1 {
		t.Fatalf("AdvanceProposals at the deadline = %d, %v; want 1", n, err)
	}
	if n, err := s.AdvanceProposals(ctx); err != nil || n != 0 {
		t.Errorf("AdvanceProposals again = %d, %v; want 0 (idempotent)", n, err)
	}
	if l := ansProposal(t, s, lapse.ID); l.Status != forum.StatusClosed || !l.ClosedAt.Equal(lapse.SupportDeadline) || !l.ReachedAt.IsZero() {
		t.Errorf("lapsed proposal: %s, closed %v, reached %v", l.Status, l.ClosedAt, l.ReachedAt)
	}
	if p := ansProposal(t, s, reach.ID); p.Status != forum.StatusAwaiting {
		t.Errorf("AdvanceProposals touched the awaiting proposal: %s", p.Status)
	}
	if _, ok, err := s.NextProposalDeadline(ctx); ok || err != nil {
		t.Errorf("NextProposalDeadline with no open proposal: ok %v, %v", ok, err)
	}
	if n := count(t, s, `SELECT count(*) FROM notifications WHERE user_id = ? AND kind = ?`, a.ID, forum.NoteStatusChanged); n != 1 {
		t.Errorf("the lapsed proposal's supporter got %d status notifications, want 1", n)
	}

	// The ministry's clock: on time until the due date, late after it, also after a restart.
	due := p.ResponseDue
	for _, tc := range []struct {
		at   time.Time
		late bool
	}{{due.Add(-ansDay), false}, {due.Add(-time.Second), false}, {due, false}, {due.Add(time.Second), true}, {due.Add(9 * ansDay), true}} {
		c.set(tc.at)
		got := ansProposal(t, s, reach.ID)
		list, err := s.Overdue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.Overdue(c.now()) != tc.late || (len(list) == 1) != tc.late {
			t.Errorf("at due%+v: Overdue() = %v, store lists %d; want late %v", tc.at.Sub(due), got.Overdue(c.now()), len(list), tc.late)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	open = false
	s = openTestAt(t, path, c.now)
	w.s = s
	got := ansProposal(t, s, reach.ID)
	if !got.ResponseDue.Equal(due) || !got.ReachedAt.Equal(reachedAt) || !got.Overdue(c.now()) {
		t.Errorf("after a restart: due %v, reached %v, overdue %v; want %v, %v, true", got.ResponseDue, got.ReachedAt, got.Overdue(c.now()), due, reachedAt)
	}
	if list, err := s.Overdue(ctx); err != nil || len(list) != 1 || list[0].ID != reach.ID {
		t.Errorf("Overdue after a restart = %d, %v", len(list), err)
	}
	c.set(due.Add(-time.Hour))
	if got := ansProposal(t, s, reach.ID); got.Overdue(c.now()) {
		t.Error("after a restart an hour before the due date: overdue")
	}

	// Answered, late: answered_at is now, and the answer is no longer overdue.
	c.set(due.Add(2 * ansDay))
	answeredAt := c.now()
	ansPublish(t, s, official, reach.ID, ansAnswer(forum.DecisionAccepted, "수용합니다"))
	p = ansProposal(t, s, reach.ID)
	if p.Status != forum.StatusAnswered || !p.AnsweredAt.Equal(answeredAt) || p.Overdue(c.now()) {
		t.Errorf("answered: %s at %v, overdue %v; want answered at %v", p.Status, p.AnsweredAt, p.Overdue(c.now()), answeredAt)
	}
	if list, err := s.Overdue(ctx); err != nil || len(list) != 0 {
		t.Errorf("Overdue after the answer = %d, %v", len(list), err)
	}
	// A revision that refers it elsewhere: referred, the first answer time kept.
	c.advance(ansDay)
	ansPublish(t, s, official, reach.ID, ansAnswer(forum.DecisionReferred, "국회로 이송합니다"))
	if p := ansProposal(t, s, reach.ID); p.Status != forum.StatusReferred || !p.AnsweredAt.Equal(answeredAt) {
		t.Errorf("referred revision: %s, answered %v; want referred, %v", p.Status, p.AnsweredAt, answeredAt)
	}

	// A second proposal referred at once.
	ansThresholds(t, s, 1, 30, 30)
	ref := w.openProposal(t, "다른 기관 소관 제안")
	ansSupport(t, s, ref.ID, a.ID)
	c.advance(time.Hour)
	ansPublish(t, s, official, ref.ID, ansAnswer(forum.DecisionReferred, "지방자치단체 소관입니다"))
	if p := ansProposal(t, s, ref.ID); p.Status != forum.StatusReferred || !p.AnsweredAt.Equal(c.now()) {
		t.Errorf("referred: %s at %v", p.Status, p.AnsweredAt)
	}
	checkCounters(t, s)
}

// TestAnswers_TransitionTable applies every transition to a proposal in
// every state through the store: the allowed ones move it and stamp its
// clock, the rest fail with ErrInvalidState and change nothing.
func TestAnswers_TransitionTable(t *testing.T) {
	w := newWorld(t)
	ansThresholds(t, w.s, 1000, 30, 20)
	states := []forum.ProposalStatus{forum.StatusDraft, forum.StatusGathering, forum.StatusOpen, forum.StatusClosed,
		forum.StatusWithdrawn, forum.StatusAwaiting, forum.StatusAnswered, forum.StatusReferred}
	transitions := []forum.Transition{forum.TransSubmit, forum.TransSponsors, forum.TransClose, forum.TransWithdraw,
		forum.TransReach, forum.TransAnswer, forum.TransRefer}
	allowed := map[forum.ProposalStatus]map[forum.Transition]forum.ProposalStatus{
		forum.StatusDraft:     {forum.TransSubmit: forum.StatusGathering, forum.TransWithdraw: forum.StatusWithdrawn},
		forum.StatusGathering: {forum.TransSponsors: forum.StatusOpen, forum.TransWithdraw: forum.StatusWithdrawn},
		forum.StatusOpen:      {forum.TransClose: forum.StatusClosed, forum.TransWithdraw: forum.StatusWithdrawn, forum.TransReach: forum.StatusAwaiting},
		forum.StatusAwaiting:  {forum.TransAnswer: forum.StatusAnswered, forum.TransRefer: forum.StatusReferred},
		forum.StatusAnswered:  {forum.TransAnswer: forum.StatusAnswered, forum.TransRefer: forum.StatusReferred},
		forum.StatusReferred:  {forum.TransAnswer: forum.StatusAnswered, forum.TransRefer: forum.StatusReferred},
		forum.StatusClosed:    {},
		forum.StatusWithdrawn: {},
	}
	earlier := w.clock.now().Add(-48 * time.Hour).Unix()
	w.clock.advance(time.Hour)
	now := w.clock.now()
	snap := func(id int64) string {
		var st string
		var upd int64
		var pub, closed, deadline, reached, due, answered *int64
		if err := w.s.DB().QueryRow(`SELECT status, updated_at, published_at, closed_at, support_deadline, reached_at, response_due, answered_at
			FROM proposals WHERE id = ?`, id).Scan(&st, &upd, &pub, &closed, &deadline, &reached, &due, &answered); err != nil {
			t.Fatal(err)
		}
		f := func(p *int64) string {
			if p == nil {
				return "-"
			}
			return fmt.Sprint(*p)
		}
		return strings.Join([]string{st, fmt.Sprint(upd), f(pub), f(closed), f(deadline), f(reached), f(due), f(answered)}, " ")
	}
	for _, from := range states {
		for _, tr := range transitions {
			want, ok := allowed[from][tr]
			t.Run(string(from)+"/"+string(tr), func(t *testing.T) {
				p := w.propose(t, "상태 "+string(from)+" "+string(tr), true, 5)
				// Put the row in the state as the lifecycle would have left it.
				if _, err := w.s.DB().Exec(`UPDATE proposals SET status = ?1, updated_at = ?2,
					published_at = CASE WHEN ?1 NOT IN ('draft', 'gathering') THEN CAST(?2 AS BIGINT) END,
					support_deadline = CASE WHEN ?1 NOT IN ('draft', 'gathering') THEN CAST(?2 AS BIGINT) + 86400 END,
					reached_at = CASE WHEN ?1 IN ('awaiting_response', 'answered', 'referred') THEN CAST(?2 AS BIGINT) END,
					response_due = CASE WHEN ?1 IN ('awaiting_response', 'answered', 'referred') THEN CAST(?2 AS BIGINT) + 86400 END,
					answered_at = CASE WHEN ?1 IN ('answered', 'referred') THEN CAST(?2 AS BIGINT) END,
					closed_at = CASE WHEN ?1 IN ('closed', 'withdrawn') THEN CAST(?2 AS BIGINT) END WHERE id = ?3`,
					from, earlier, p.ID); err != nil {
					t.Fatal(err)
				}
				before, events := snap(p.ID), lastEventID(t, w.s)
				err := w.s.write(ctx, func(tx *tx) error { return w.s.transition(ctx, tx, p.ID, tr) })
				got := ansProposal(t, w.s, p.ID)
				if !ok {
					if !errors.Is(err, forum.ErrInvalidState) {
						t.Fatalf("%s from %s: %v, want ErrInvalidState", tr, from, err)
					}
					if after := snap(p.ID); after != before {
						t.Errorf("a refused %s changed the row:\n %s\n→%s", tr, before, after)
					}
					if n := len(eventsAfter(t, w.s, events)); n != 0 {
						t.Errorf("a refused %s wrote %d events", tr, n)
					}
					return
				}
				if err != nil || got.Status != want {
					t.Fatalf("%s from %s: %s, %v; want %s", tr, from, got.Status, err, want)
				}
				if !got.UpdatedAt.Equal(now) {
					t.Errorf("updated_at %v, want now", got.UpdatedAt)
				}
				switch want {
				case forum.StatusOpen:
					if !got.PublishedAt.Equal(now) || !got.SupportDeadline.Equal(now.Add(30*ansDay)) {
						t.Errorf("opened: published %v, deadline %v", got.PublishedAt, got.SupportDeadline)
					}
				case forum.StatusClosed, forum.StatusWithdrawn:
					if !got.ClosedAt.Equal(now) {
						t.Errorf("closed_at %v, want now", got.ClosedAt)
					}
				case forum.StatusAwaiting:
					if !got.ReachedAt.Equal(now) || !got.ResponseDue.Equal(now.Add(20*ansDay)) {
						t.Errorf("reached %v, due %v; want now and 20 days later", got.ReachedAt, got.ResponseDue)
					}
				case forum.StatusAnswered, forum.StatusReferred:
					wantAt := now
					if from != forum.StatusAwaiting { // a revision keeps the first answer's time
						wantAt = time.Unix(earlier, 0)
					}
					if !got.AnsweredAt.Equal(wantAt) {
						t.Errorf("answered_at %v, want %v", got.AnsweredAt, wantAt)
					}
				}
				if evs := eventsAfter(t, w.s, events); len(evs) != 1 || evs[0] != (ev{forum.EventProposalStatus, forum.ProposalTopic(p.ID)}) {
					t.Errorf("events %v, want one proposal.status", evs)
				}
			})
		}
	}
}

// ansRoutingWorld is a role world with a second and third ministry and their officials.
type ansRoutingWorld struct {
	*roleWorld
	other, co            int64       // ministries: one unrelated, one that will answer jointly
	outsider, coOfficial *forum.User // officials of those ministries
}

func newAnsRoutingWorld(t *testing.T) *ansRoutingWorld {
	t.Helper()
	rw := newRoleWorld(t)
	other, _ := places(t, rw.s, "other")
	co, _ := places(t, rw.s, "co")
	mk := func(name string, ministry int64) *forum.User {
		u, err := rw.s.CreateUser(ctx, forum.User{Role: forum.RoleOfficial, MinistryID: ministry, Name: name,
			Email: fmt.Sprintf("%s.%d@example.kr", name, userSeq.Add(1))}, "hash")
		if err != nil {
			t.Fatal(err)
		}
		return enrol(t, rw.s, u)
	}
	w := &ansRoutingWorld{roleWorld: rw, other: other, co: co, outsider: mk("outsider", other), coOfficial: mk("coofficial", co)}
	ansThresholds(t, rw.s, 1, 30, 30)
	return w
}

// awaiting opens a proposal led by the world's ministry and has it reach the threshold.
func (w *ansRoutingWorld) awaiting(t *testing.T, title string) *forum.Proposal {
	t.Helper()
	p := w.openProposal(t, title)
	ansSupport(t, w.s, p.ID, w.reporter.ID)
	if p = ansProposal(t, w.s, p.ID); p.Status != forum.StatusAwaiting {
		t.Fatalf("%q: %s, want awaiting_response", title, p.Status)
	}
	return p
}

// snapshot is everything answering and routing could change on a proposal.
func (w *ansRoutingWorld) snapshot(t *testing.T, id int64) string {
	t.Helper()
	var status string
	var ministry int64
	var answered *int64
	if err := w.s.DB().QueryRow(`SELECT status, ministry_id, answered_at FROM proposals WHERE id = ?`, id).Scan(&status, &ministry, &answered); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("status=%s ministry=%d answered=%v responses=%d revisions=%d transfers=%d co=%d notes=%d outbox=%d", status, ministry, answered != nil,
		count(t, w.s, `SELECT count(*) FROM responses WHERE proposal_id = ?`, id),
		count(t, w.s, `SELECT count(*) FROM response_revisions WHERE proposal_id = ?`, id),
		count(t, w.s, `SELECT count(*) FROM transfers WHERE proposal_id = ?`, id),
		count(t, w.s, `SELECT count(*) FROM proposal_ministries WHERE proposal_id = ?`, id),
		count(t, w.s, `SELECT count(*) FROM notifications`),
		count(t, w.s, `SELECT count(*) FROM outbox`))
}

// TestAnswers_RoleMatrix runs PublishResponse, Transfer and AddCoMinistry as
// every kind of user: only officials of the answering ministries answer, only
// the lead's officials and admins route, and a refusal changes nothing.
func TestAnswers_RoleMatrix(t *testing.T) {
	w := newAnsRoutingWorld(t)
	type actorCase struct {
		name string
		user *forum.User
	}
	actors := []actorCase{{"citizen", w.citizen}, {"moderator", w.moderator}, {"admin", w.admin},
		{"official of another ministry", w.outsider}, {"official of the co-answering ministry", w.coOfficial},
		{"official of the lead ministry", w.official}, {"nobody", nil}}
	ops := []struct {
		name    string
		allowed map[string]bool
		run     func(a *forum.User, id int64) error
	}{
		{"PublishResponse", map[string]bool{"official of the lead ministry": true, "official of the co-answering ministry": true},
			func(a *forum.User, id int64) error {
				in := ansAnswer(forum.DecisionPartial, "일부 수용합니다")
				return w.s.PublishResponse(ctx, a, id, in, html(in.Body))
			}},
		{"Transfer", map[string]bool{"official of the lead ministry": true, "admin": true},
			func(a *forum.User, id int64) error {
				return w.s.Transfer(ctx, a, id, w.other, "소관 부처가 다릅니다")
			}},
		{"AddCoMinistry", map[string]bool{"official of the lead ministry": true, "admin": true},
			func(a *forum.User, id int64) error { return w.s.AddCoMinistry(ctx, a, id, w.other) }},
	}
	for _, op := range ops {
		for _, ac := range actors {
			t.Run(op.name+"/"+ac.name, func(t *testing.T) {
				p := w.awaiting(t, op.name+" "+ac.name)
				if err := w.s.AddCoMinistry(ctx, w.official, p.ID, w.co); err != nil {
					t.Fatal(err)
				}
				w.clock.advance(time.Second) // routing lists co-answering ministries in the order they were added
				before := w.snapshot(t, p.ID)
				events := lastEventID(t, w.s)
				err := op.run(ac.user, p.ID)
				after := w.snapshot(t, p.ID)
				if !op.allowed[ac.name] {
					wantErr(t, err, forum.ErrForbidden)
					if after != before {
						t.Errorf("a refused %s changed:\n %s\n→%s", op.name, before, after)
					}
					if evs := eventsAfter(t, w.s, events); len(evs) != 0 {
						t.Errorf("a refused %s wrote events %v", op.name, evs)
					}
					return
				}
				if err != nil {
					t.Fatalf("%s by %s: %v", op.name, ac.name, err)
				}
				got := ansProposal(t, w.s, p.ID)
				switch op.name {
				case "PublishResponse":
					if ac.user == w.coOfficial { // its own part; the proposal still awaits the lead's answer
						parts, err := w.s.ResponseParts(ctx, p.ID)
						if _, rerr := w.s.Response(ctx, p.ID); !errors.Is(rerr, forum.ErrNotFound) || err != nil || len(parts) != 1 ||
							got.Status != forum.StatusAwaiting || !got.AnsweredAt.IsZero() || !parts[0].Part || parts[0].MinistryID != w.co ||
							parts[0].OfficialID != ac.user.ID || parts[0].Decision != forum.DecisionPartial || parts[0].Revision != 1 {
							t.Errorf("after the co-answering ministry's part: %s, parts %+v, %v, lead's answer %v", got.Status, parts, err, rerr)
						}
						break
					}
					r, err := w.s.Response(ctx, p.ID)
					if err != nil || got.Status != forum.StatusAnswered || r.Revision != 1 || r.MinistryID != ac.user.MinistryID || r.Part ||
						r.OfficialID != ac.user.ID || r.Decision != forum.DecisionPartial || r.LegalBasis != "공공도서관법 제3조" {
						t.Errorf("after the answer: %s, response %+v, %v", got.Status, r, err)
					}
				case "Transfer":
					rt, err := w.s.ProposalRouting(ctx, p.ID)
					if err != nil || got.MinistryID != w.other || len(rt.Transfers) != 1 || rt.Transfers[0].From != w.ministry ||
						rt.Transfers[0].To != w.other || rt.Transfers[0].Reason != "소관 부처가 다릅니다" || rt.Transfers[0].ActorName != ac.user.Name {
						t.Errorf("after the transfer: lead %d, routing %+v, %v", got.MinistryID, rt, err)
					}
				case "AddCoMinistry":
					rt, err := w.s.ProposalRouting(ctx, p.ID)
					if err != nil || len(rt.CoMinistries) != 2 || rt.CoMinistries[0] != w.co || rt.CoMinistries[1] != w.other || got.MinistryID != w.ministry {
						t.Errorf("after adding: routing %+v, lead %d, %v", rt, got.MinistryID, err)
					}
				}
			})
		}
	}
}

// TestAnswers_RoutingRules covers what routing refuses besides roles, and
// how the answering ministries follow a transfer.
func TestAnswers_RoutingRules(t *testing.T) {
	w := newAnsRoutingWorld(t)
	p := w.awaiting(t, "이관할 제안")

	// A transfer needs a public reason.
	for _, reason := range []string{"", "   ", "\n\t"} {
		before := w.snapshot(t, p.ID)
		expectEvents(t, w.s, func() { wantInvalid(t, w.s.Transfer(ctx, w.official, p.ID, w.other, reason), "err.transfer_reason") })
		if after := w.snapshot(t, p.ID); after != before {
			t.Errorf("a transfer with reason %q changed:\n %s\n→%s", reason, before, after)
		}
	}
	// To itself, to no ministry, a missing proposal.
	wantErr(t, w.s.Transfer(ctx, w.official, p.ID, w.ministry, "같은 부처"), forum.ErrInvalidState)
	wantInvalid(t, w.s.Transfer(ctx, w.official, p.ID, 9999, "없는 부처"), "err.ministry_required")
	wantErr(t, w.s.Transfer(ctx, w.official, 9999, w.other, "없는 제안"), forum.ErrNotFound)
	wantErr(t, w.s.AddCoMinistry(ctx, w.official, p.ID, w.ministry), forum.ErrInvalidState)
	wantInvalid(t, w.s.AddCoMinistry(ctx, w.official, p.ID, 9999), "err.ministry_required")
	wantErr(t, w.s.AddCoMinistry(ctx, w.official, 9999, w.co), forum.ErrNotFound)
	if err := w.s.AddCoMinistry(ctx, w.official, p.ID, w.co); err != nil {
		t.Fatal(err)
	}
	wantErr(t, w.s.AddCoMinistry(ctx, w.official, p.ID, w.co), forum.ErrConflict)
	if n := count(t, w.s, `SELECT count(*) FROM proposal_ministries WHERE proposal_id = ?`, p.ID); n != 1 {
		t.Errorf("co-answering rows = %d, want 1", n)
	}
	// A draft is nobody's to route or answer.
	draft := w.propose(t, "초안 제안", true, 5)
	wantErr(t, w.s.Transfer(ctx, w.admin, draft.ID, w.other, "초안"), forum.ErrInvalidState)
	wantErr(t, w.s.AddCoMinistry(ctx, w.admin, draft.ID, w.other), forum.ErrInvalidState)
	wantErr(t, w.s.PublishResponse(ctx, w.official, draft.ID, ansAnswer(forum.DecisionAccepted, "초안"), html("초안")), forum.ErrInvalidState)
	// An open proposal has not obliged anyone to answer yet.
	open := w.openProposal(t, "아직 열린 제안")
	before := w.snapshot(t, open.ID)
	wantErr(t, w.s.PublishResponse(ctx, w.official, open.ID, ansAnswer(forum.DecisionAccepted, "이른 답변"), html("이른 답변")), forum.ErrInvalidState)
	if after := w.snapshot(t, open.ID); after != before {
		t.Errorf("an early answer changed:\n %s\n→%s", before, after)
	}
	// Banned officials do not speak for their ministry.
	if _, err := w.s.DB().Exec(`UPDATE users SET status = 'banned' WHERE id = ?`, w.official2.ID); err != nil {
		t.Fatal(err)
	}
	banned := *w.official2
	banned.Status = forum.UserBanned
	wantErr(t, w.s.PublishResponse(ctx, &banned, p.ID, ansAnswer(forum.DecisionAccepted, "정지된 공무원"), html("x")), forum.ErrForbidden)
	wantErr(t, w.s.Transfer(ctx, &banned, p.ID, w.other, "정지된 공무원"), forum.ErrForbidden)

	// Transferring to the co-answering ministry makes it the lead, once.
	topic := forum.ProposalTopic(p.ID)
	expectEvents(t, w.s, func() {
		if err := w.s.Transfer(ctx, w.official, p.ID, w.co, "공동 답변 부처가 주관합니다"); err != nil {
			t.Fatal(err)
		}
	}, ev{forum.EventProposalTransferred, topic}, ev{forum.EventNotification, forum.UserTopic(w.reporter.ID)})
	rt, err := w.s.ProposalRouting(ctx, p.ID)
	if err != nil || len(rt.CoMinistries) != 0 || len(rt.Transfers) != 1 {
		t.Errorf("routing after the transfer to the co-answering ministry: %+v, %v", rt, err)
	}
	// The former lead's officials no longer answer or route; the new lead's do.
	wantErr(t, w.s.PublishResponse(ctx, w.official, p.ID, ansAnswer(forum.DecisionAccepted, "전 주관"), html("x")), forum.ErrForbidden)
	wantErr(t, w.s.Transfer(ctx, w.official, p.ID, w.other, "되돌림"), forum.ErrForbidden)
	if err := w.s.Transfer(ctx, w.coOfficial, p.ID, w.ministry, "원래 부처로 돌려보냅니다"); err != nil {
		t.Fatal(err)
	}
	if rt, _ := w.s.ProposalRouting(ctx, p.ID); len(rt.Transfers) != 2 || rt.Transfers[1].Reason != "원래 부처로 돌려보냅니다" {
		t.Errorf("second transfer: %+v", rt.Transfers)
	}
	if n := count(t, w.s, `SELECT count(*) FROM notifications WHERE user_id = ? AND kind = ?`, w.reporter.ID, forum.NoteTransferred); n != 2 {
		t.Errorf("the supporter got %d transfer notifications, want 2", n)
	}
}

// TestAnswers_Revisions publishes the lead's answer twice and a co-answering
// ministry's part between: every version is kept with its ministry, numbered
// in the order published; the co-answering ministry's part never becomes the
// lead's answer.
func TestAnswers_Revisions(t *testing.T) {
	w := newAnsRoutingWorld(t)
	p := w.awaiting(t, "답변을 고칠 제안")
	if err := w.s.AddCoMinistry(ctx, w.official, p.ID, w.co); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.Response(ctx, p.ID); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("Response before any answer: %v, want ErrNotFound", err)
	}
	first := w.clock.now()
	topic := forum.ProposalTopic(p.ID)
	expectEvents(t, w.s, func() {
		ansPublish(t, w.s, w.official, p.ID, ansAnswer(forum.DecisionReviewing, "검토하겠습니다"))
	},
		ev{forum.EventProposalStatus, topic}, ev{forum.EventResponsePublished, topic},
		ev{forum.EventNotification, forum.UserTopic(w.reporter.ID)})
	w.clock.advance(3 * ansDay)
	in := ansAnswer(forum.DecisionAccepted, "수용합니다")
	in.NextStepDate = time.Time{}
	in.LegalBasis = ""
	expectEvents(t, w.s, func() { ansPublish(t, w.s, w.coOfficial, p.ID, in) },
		ev{forum.EventResponsePublished, topic}, ev{forum.EventNotification, forum.UserTopic(w.reporter.ID)})
	partAt := w.clock.now()
	w.clock.advance(ansDay)
	ansPublish(t, w.s, w.official, p.ID, ansAnswer(forum.DecisionPartial, "일부 수용합니다"))

	r, err := w.s.Response(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Revision != 2 || r.Decision != forum.DecisionPartial || r.Summary != "일부 수용합니다" || r.MinistryID != w.ministry || r.Part ||
		r.OfficialName != "official" || r.LegalBasis != "공공도서관법 제3조" || !r.CreatedAt.Equal(first) || !r.UpdatedAt.Equal(w.clock.now()) {
		t.Errorf("current response = %+v", r)
	}
	parts, err := w.s.ResponseParts(ctx, p.ID)
	if err != nil || len(parts) != 1 {
		t.Fatalf("ResponseParts = %d, %v; want 1", len(parts), err)
	}
	if c := parts[0]; !c.Part || c.Revision != 1 || c.MinistryID != w.co || c.OfficialName != "coofficial" || c.Decision != forum.DecisionAccepted ||
		c.LegalBasis != "" || !c.NextStepDate.IsZero() || !c.CreatedAt.Equal(partAt) {
		t.Errorf("co-answering part = %+v", c)
	}
	revs, err := w.s.ResponseRevisions(ctx, p.ID)
	if err != nil || len(revs) != 3 {
		t.Fatalf("ResponseRevisions = %d, %v; want 3", len(revs), err)
	}
	if revs[0].Revision != 1 || revs[0].Decision != forum.DecisionReviewing || revs[0].Summary != "검토하겠습니다" || revs[0].OfficialName != "official" ||
		revs[0].MinistryID != w.ministry || revs[0].Part || !revs[0].CreatedAt.Equal(first) || revs[0].LegalBasis != "공공도서관법 제3조" ||
		!revs[0].NextStepDate.Equal(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("revision 1 = %+v", revs[0])
	}
	if revs[1].Revision != 2 || revs[1].Decision != forum.DecisionAccepted || revs[1].MinistryID != w.co || !revs[1].Part || !revs[1].CreatedAt.Equal(partAt) {
		t.Errorf("revision 2 = %+v", revs[1])
	}
	if revs[2].Revision != 3 || revs[2].Decision != forum.DecisionPartial || revs[2].MinistryID != w.ministry || revs[2].Part || !revs[2].CreatedAt.Equal(w.clock.now()) {
		t.Errorf("revision 3 = %+v", revs[2])
	}
	if got := ansProposal(t, w.s, p.ID); got.Status != forum.StatusAnswered || !got.AnsweredAt.Equal(first) {
		t.Errorf("after the revision: %s, answered %v; want answered at the first answer %v", got.Status, got.AnsweredAt, first)
	}
	// The supporter was told of each version.
	if n := count(t, w.s, `SELECT count(*) FROM notifications WHERE user_id = ? AND kind = ?`, w.reporter.ID, forum.NoteResponse); n != 3 {
		t.Errorf("official_response notifications = %d, want 3", n)
	}
	// A bad decision is refused by the schema's CHECK and leaves nothing, from the lead or a co-answering ministry.
	for _, who := range []*forum.User{w.official, w.coOfficial} {
		before := w.snapshot(t, p.ID)
		parts := count(t, w.s, `SELECT count(*) FROM response_parts WHERE proposal_id = ? AND decision = 'accepted'`, p.ID)
		if err := w.s.PublishResponse(ctx, who, p.ID, ansAnswer("maybe", "모르겠습니다"), html("x")); err == nil {
			t.Errorf("%s: an unknown decision was stored", who.Name)
		}
		if after := w.snapshot(t, p.ID); after != before {
			t.Errorf("%s: a refused answer changed:\n %s\n→%s", who.Name, before, after)
		}
		if n := count(t, w.s, `SELECT count(*) FROM response_parts WHERE proposal_id = ? AND decision = 'accepted'`, p.ID); n != parts {
			t.Errorf("%s: a refused answer changed the part", who.Name)
		}
	}
}

// TestAnswers_JointAnswerKeepsTheLeadsDecision is the scenario of issue 16:
// 국토교통부 answers "partially accepted" with a legal basis; 환경부, added as
// a co-answering ministry, answers "accepted". The lead's decision, legal
// basis and unit stay; 환경부's part is its own, signed by it; the proposal's
// status and answered time follow the lead's answer only.
func TestAnswers_JointAnswerKeepsTheLeadsDecision(t *testing.T) {
	w := newAnsRoutingWorld(t)
	p := w.awaiting(t, "광역버스 노선에 전기버스 우선 배치")
	if err := w.s.AddCoMinistry(ctx, w.official, p.ID, w.co); err != nil {
		t.Fatal(err)
	}
	lead := forum.ResponseInput{Decision: forum.DecisionPartial, Summary: "수도권 광역버스부터 단계적으로 배치합니다",
		Body: "2027년까지 **세 노선**에 먼저 배치합니다.", LegalBasis: "대도시권 광역교통 관리에 관한 특별법 제10조",
		ResponsibleUnit: "광역교통정책과", Contact: "044-201-0000", NextStep: "노선별 배치 계획 공개",
		NextStepDate: time.Date(2027, 3, 2, 0, 0, 0, 0, time.FixedZone("KST", 9*3600))}
	ansPublish(t, w.s, w.official, p.ID, lead)
	answered := ansProposal(t, w.s, p.ID)
	w.clock.advance(ansDay)
	co := forum.ResponseInput{Decision: forum.DecisionAccepted, Summary: "충전 설비 보조금을 지원합니다", Body: "환경부는 충전 설비를 지원합니다.",
		ResponsibleUnit: "대기미래전략과", Contact: "044-201-1111"}
	topic := forum.ProposalTopic(p.ID)
	evs := lastEventID(t, w.s)
	ansPublish(t, w.s, w.coOfficial, p.ID, co)
	var published *forum.ResponsePublishedEvent
	for _, e := range eventsAfter(t, w.s, evs) {
		if e.Type == forum.EventProposalStatus {
			t.Errorf("the co-answering ministry's part moved the proposal: %s", e)
		}
	}
	var payload string
	if err := w.s.DB().QueryRow(`SELECT payload FROM events WHERE id > ? AND type = ? AND topic = ?`, evs, forum.EventResponsePublished, topic).
		Scan(&payload); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(payload), &published); err != nil {
		t.Fatal(err)
	}
	if published == nil || published.Ministry != w.co || !published.Part || published.Decision != forum.DecisionAccepted || published.Revision != 1 {
		t.Errorf("live event of the part = %+v, want ministry %d, part", published, w.co)
	}

	r, err := w.s.Response(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.MinistryID != w.ministry || r.Decision != forum.DecisionPartial || r.LegalBasis != lead.LegalBasis ||
		r.ResponsibleUnit != "광역교통정책과" || r.Summary != lead.Summary || r.Revision != 1 || r.Part {
		t.Errorf("the lead's answer after the co-answering ministry's part: %+v", r)
	}
	if !r.NextStepDate.Equal(lead.NextStepDate) {
		t.Errorf("next step date %v, want %v", r.NextStepDate, lead.NextStepDate)
	}
	parts, err := w.s.ResponseParts(ctx, p.ID)
	if err != nil || len(parts) != 1 || parts[0].MinistryID != w.co || parts[0].Decision != forum.DecisionAccepted ||
		parts[0].ResponsibleUnit != "대기미래전략과" || parts[0].LegalBasis != "" || !parts[0].Part {
		t.Errorf("parts = %+v, %v", parts, err)
	}
	if got := ansProposal(t, w.s, p.ID); got.Status != forum.StatusAnswered || !got.AnsweredAt.Equal(answered.AnsweredAt) {
		t.Errorf("proposal after the part: %s answered %v, want answered at %v", got.Status, got.AnsweredAt, answered.AnsweredAt)
	}
	// Open data carries both, each with its ministry, the lead's first.
	var all []*forum.Response
	if err := w.s.EachPublicResponse(ctx, func(r *forum.Response) error { all = append(all, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].MinistryID != w.ministry || all[0].Part || all[1].MinistryID != w.co || !all[1].Part {
		t.Errorf("EachPublicResponse = %+v", all)
	}
	// The answers feed lists the part as the co-answering ministry's, the answer as the lead's.
	feed, err := w.s.LatestAnswers(ctx, 10)
	if err != nil || len(feed) != 2 || feed[0].MinistryID != w.co || !feed[0].Part || feed[1].MinistryID != w.ministry || feed[1].Part ||
		feed[1].Decision != forum.DecisionPartial || !feed[1].NextDate.Equal(lead.NextStepDate) {
		t.Errorf("LatestAnswers = %+v, %v", feed, err)
	}

	// A part published before the lead answers leaves the proposal awaiting, and overdue in time.
	q := w.awaiting(t, "공동 답변이 먼저 온 제안")
	if err := w.s.AddCoMinistry(ctx, w.official, q.ID, w.co); err != nil {
		t.Fatal(err)
	}
	ansPublish(t, w.s, w.coOfficial, q.ID, co)
	if got := ansProposal(t, w.s, q.ID); got.Status != forum.StatusAwaiting || !got.AnsweredAt.IsZero() {
		t.Errorf("a part published first: %s, answered %v", got.Status, got.AnsweredAt)
	}
	w.clock.advance(31 * ansDay)
	overdue, err := w.s.Overdue(ctx)
	found := false
	for _, o := range overdue {
		found = found || o.ID == q.ID
	}
	if err != nil || !found {
		t.Errorf("a proposal with only a co-answering part is not overdue: %v", err)
	}
}

// TestAnswers_ResponseNotifiesEverySupporterOnce has 500 supporters; the
// answer tells each exactly once, by notification, live event and (for
// those who want it) one immediate e-mail, and nobody who stopped following.
func TestAnswers_ResponseNotifiesEverySupporterOnce(t *testing.T) {
	const n = 500
	w := newWorld(t)
	official := w.member(t, forum.RoleOfficial, "official")
	ansThresholds(t, w.s, n, 30, 30)
	p := w.openProposal(t, "오백 명이 지지한 제안")
	users := newUsers(t, w.s, n)
	start := time.Now()
	for i, u := range users {
		ansSupport(t, w.s, p.ID, u)
		if i == n-2 {
			if got := ansProposal(t, w.s, p.ID); got.Status != forum.StatusOpen {
				t.Fatalf("%d of %d supports: %s, want open", i+1, n, got.Status)
			}
		}
	}
	t.Logf("%d supports one by one in %v", n, time.Since(start))
	if got := ansProposal(t, w.s, p.ID); got.Status != forum.StatusAwaiting || got.Supports != n {
		t.Fatalf("after %d supports: %s with %d", n, got.Status, got.Supports)
	}
	ansOnceEach(t, "threshold_reached notifications", ansPerUser(t, w.s,
		`SELECT user_id, count(*) FROM notifications WHERE kind = ? GROUP BY user_id`, forum.NoteThresholdReached), users...)

	// A few want no mail, one stops following, and someone who never supported follows.
	quiet := users[10:17]
	for _, u := range quiet {
		if _, err := w.s.DB().Exec(`UPDATE users SET email_frequency = 'none' WHERE id = ?`, u); err != nil {
			t.Fatal(err)
		}
	}
	gone := users[42]
	if err := w.s.Follow(ctx, gone, forum.ItemProposal, p.ID, false); err != nil {
		t.Fatal(err)
	}
	if on, err := w.s.Following(ctx, gone, forum.ItemProposal, p.ID); err != nil || on {
		t.Fatalf("Following after unfollow = %v, %v", on, err)
	}
	watcher := newUser(t, w.s, "watcher")
	for range 2 { // following twice is one follow
		if err := w.s.Follow(ctx, watcher.ID, forum.ItemProposal, p.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	var told []int64
	for _, u := range users {
		if u != gone {
			told = append(told, u)
		}
	}
	told = append(told, watcher.ID)
	mailed := map[int64]bool{}
	for _, u := range told {
		mailed[u] = true
	}
	for _, u := range quiet {
		delete(mailed, u)
	}

	events := lastEventID(t, w.s)
	var outboxBefore int
	if err := w.s.DB().QueryRow(`SELECT COALESCE(max(id), 0) FROM outbox`).Scan(&outboxBefore); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	ansPublish(t, w.s, official, p.ID, ansAnswer(forum.DecisionAccepted, "수용합니다"))
	t.Logf("answer to %d followers published in %v", len(told), time.Since(start))

	ansOnceEach(t, "official_response notifications", ansPerUser(t, w.s,
		`SELECT user_id, count(*) FROM notifications WHERE kind = ? GROUP BY user_id`, forum.NoteResponse), told...)

	rows, err := w.s.DB().Query(`SELECT topic, type, payload FROM events WHERE id > ? ORDER BY id`, events)
	if err != nil {
		t.Fatal(err)
	}
	perTopic := map[string]int{}
	var others []string
	for rows.Next() {
		var topic, typ, payload string
		if err := rows.Scan(&topic, &typ, &payload); err != nil {
			t.Fatal(err)
		}
		if typ != forum.EventNotification {
			others = append(others, typ+"@"+topic)
			continue
		}
		perTopic[topic]++
		// Built in SQL, one per follower: it must still be a forum.NotificationEvent.
		var d forum.NotificationEvent
		dec := json.NewDecoder(strings.NewReader(payload))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&d); err != nil || d.Kind != forum.NoteResponse {
			t.Errorf("notification event %s payload %s: %v", topic, payload, err)
		}
		want := 2 // threshold reached, then the answer
		if topic == forum.UserTopic(watcher.ID) {
			want = 1
		}
		if d.Unread != want {
			t.Errorf("%s: unread %d, want %d", topic, d.Unread, want)
		}
	}
	rows.Close()
	sort.Strings(others)
	// Each on the proposal's topic, and a copy on its ministry's.
	mt := forum.MinistryTopic("main")
	if want := []string{forum.EventProposalStatus + "@" + mt, forum.EventProposalStatus + "@" + forum.ProposalTopic(p.ID),
		forum.EventResponsePublished + "@" + mt, forum.EventResponsePublished + "@" + forum.ProposalTopic(p.ID)}; strings.Join(others, " ") != strings.Join(want, " ") {
		t.Errorf("other events %v, want one status change and one response.published on each of %v", others, want)
	}
	if len(perTopic) != len(told) {
		t.Errorf("notification.created on %d user topics, want %d", len(perTopic), len(told))
	}
	for _, u := range told {
		if perTopic[forum.UserTopic(u)] != 1 {
			t.Errorf("user %d: %d notification events, want 1", u, perTopic[forum.UserTopic(u)])
		}
	}
	if perTopic[forum.UserTopic(gone)] != 0 {
		t.Error("the user who stopped following got a live notification")
	}

	outbox := ansPerUser(t, w.s, `SELECT user_id, count(*) FROM outbox WHERE id > ? GROUP BY user_id`, outboxBefore)
	if len(outbox) != len(mailed) {
		t.Errorf("mail for %d users, want %d (followers minus %d who want none)", len(outbox), len(mailed), len(quiet))
	}
	for u, k := range outbox {
		if !mailed[u] || k != 1 {
			t.Errorf("user %d: %d mails, want %d", u, k, map[bool]int{true: 1}[mailed[u]])
		}
	}
	for _, u := range quiet {
		if outbox[u] != 0 {
			t.Errorf("user %d wants no mail and got %d", u, outbox[u])
		}
	}
	if count(t, w.s, `SELECT count(*) FROM notifications WHERE user_id = ? AND kind = ?`, gone, forum.NoteResponse) != 0 || outbox[gone] != 0 {
		t.Error("the user who stopped following was told of the answer")
	}
	checkCounters(t, w.s)
}

// TestStore_ReplyNotifiesParentAuthor: a reply tells the author of the comment
// it answers, once; replying to yourself tells no one.
func TestStore_ReplyNotifiesParentAuthor(t *testing.T) {
	w := newWorld(t)
	p := w.openProposal(t, "답글 알림 제안")
	other := newUser(t, w.s, "replier")
	top := w.comment(t, p.ID, w.author.ID, 0, "첫 의견")
	w.comment(t, p.ID, w.author.ID, top.ID, "내가 단 답글")
	if n, _ := w.s.UnreadNotifications(ctx, w.author.ID); n != 0 {
		t.Fatalf("self-reply notified: %d", n)
	}
	w.comment(t, p.ID, other.ID, top.ID, "다른 사람의 답글")
	notes, err := w.s.Notifications(ctx, w.author.ID, 10)
	if err != nil || len(notes) != 1 || notes[0].Kind != forum.NoteReply {
		t.Fatalf("notifications %+v, %v; want one reply", notes, err)
	}
}
