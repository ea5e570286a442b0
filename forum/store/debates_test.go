package store

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
)

func (w *world) debate(tb testing.TB, q string, opens, closes time.Duration) *forum.Debate {
	tb.Helper()
	now := w.clock.now()
	d, err := w.s.CreateDebate(ctx, NewDebate{HostID: w.author.ID, Background: html(q),
		Input: forum.DebateInput{Question: q, Background: q, OpensAt: now.Add(opens), ClosesAt: now.Add(closes), MinistryID: w.ministry}})
	if err != nil {
		tb.Fatalf("create debate: %v", err)
	}
	return d
}

func TestDebate_ScheduleWithInjectedClock(t *testing.T) {
	w := newWorld(t)
	now := w.debate(t, "지금 여는 토론", 0, time.Hour)
	later := w.debate(t, "내일 여는 토론", 24*time.Hour, 48*time.Hour)
	if now.Status != forum.DebateOpen || later.Status != forum.DebateUpcoming {
		t.Fatalf("statuses %s, %s", now.Status, later.Status)
	}
	next, ok, err := w.s.NextDebateChange(ctx)
	if err != nil || !ok || !next.Equal(now.ClosesAt) {
		t.Fatalf("next change %v %v %v, want %v", next, ok, err, now.ClosesAt)
	}
	// Arguments only while open.
	c, err := w.s.CreateComment(ctx, NewComment{Subject: forum.DebateSubject(now.ID), AuthorID: w.author.ID,
		Input: forum.CommentInput{Stance: forum.StanceAgainst, Body: "반대합니다"}, Body: html("반대합니다")})
	if err != nil || c.DebateID != now.ID || c.ProposalID != 0 {
		t.Fatalf("argument: %v %+v", err, c)
	}
	if _, err := w.s.CreateComment(ctx, NewComment{Subject: forum.DebateSubject(later.ID), AuthorID: w.author.ID,
		Input: forum.CommentInput{Stance: forum.StanceFor, Body: "일러요"}, Body: html("일러요")}); !errors.Is(err, forum.ErrInvalidState) {
		t.Fatalf("argument in upcoming debate: %v", err)
	}
	if _, err := w.s.Conclude(ctx, now.ID, "결론", html("결론")); !errors.Is(err, forum.ErrInvalidState) {
		t.Fatalf("conclusion while open: %v", err)
	}
	before := lastEventID(t, w.s)
	w.clock.advance(time.Hour)
	if o, c, err := w.s.AdvanceDebates(ctx); err != nil || o != 0 || c != 1 {
		t.Fatalf("advance at close: opened %d closed %d %v", o, c, err)
	}
	if o, c, err := w.s.AdvanceDebates(ctx); err != nil || o+c != 0 {
		t.Fatalf("advance twice is not idempotent: %d %d %v", o, c, err)
	}
	evs, err := w.s.EventsAfter(ctx, []string{forum.DebateTopic(now.ID)}, false, before, 10)
	if err != nil || len(evs) != 1 || evs[0].Type != forum.EventDebateClosed || !evs[0].Public {
		t.Fatalf("close event: %v %+v", err, evs)
	}
	if string(evs[0].Data) == "" || !strings.Contains(string(evs[0].Data), `"against":1`) {
		t.Errorf("close event lacks the tally: %s", evs[0].Data)
	}
	if _, err := w.s.VoteComment(ctx, c.ID, newUser(t, w.s, "late voter").ID, 1); !errors.Is(err, forum.ErrInvalidState) {
		t.Errorf("vote in closed debate: %v", err)
	}
	d, err := w.s.Conclude(ctx, now.ID, "**결론**", html("결론"))
	if err != nil || d.ConcludedAt.IsZero() || d.ConclusionSrc != "**결론**" {
		t.Fatalf("conclude: %v %+v", err, d)
	}

	// A restart after downtime catches up: the later debate's whole window passed.
	path := filepath.Join(t.TempDir(), "restart.db")
	s1, err := Open(ctx, path, readSchema(t), Options{Now: w.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := places(t, s1, "r")
	host := newUser(t, s1, "host")
	d1, err := s1.CreateDebate(ctx, NewDebate{HostID: host.ID, Input: forum.DebateInput{Question: "재시작 시험", OpensAt: w.clock.now().Add(time.Hour),
		ClosesAt: w.clock.now().Add(2 * time.Hour), MinistryID: m}})
	if err != nil {
		t.Fatal(err)
	}
	s1.Close()
	w.clock.advance(72 * time.Hour)
	s2, err := Open(ctx, path, readSchema(t), Options{Now: w.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if o, c, err := s2.AdvanceDebates(ctx); err != nil || o != 1 || c != 1 {
		t.Fatalf("catch-up: opened %d closed %d %v", o, c, err)
	}
	if d, _ := s2.Debate(ctx, d1.ID); d.Status != forum.DebateClosed {
		t.Fatalf("after catch-up: %s", d.Status)
	}
	if _, ok, _ := s2.NextDebateChange(ctx); ok {
		t.Error("a change is still scheduled")
	}
	if err := s2.CheckCounters(ctx); err != nil {
		t.Error(err)
	}
	list, err := w.s.Debates(ctx, DebateQuery{})
	if err != nil || len(list) != 2 || list[0].ID != later.ID {
		t.Fatalf("list: %v %d", err, len(list))
	}
}

func TestEvents_PublicAndReplay(t *testing.T) {
	w := newWorld(t)
	gathering := w.propose(t, "모집 중인 제안", false, 3)
	open := w.openProposal(t, "공개된 제안")
	w.comment(t, open.ID, w.author.ID, 0, "공개 의견")
	all, err := w.s.EventsAfter(ctx, nil, true, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range all {
		if e.Topic == forum.ProposalTopic(gathering.ID) {
			t.Errorf("event %s of a proposal gathering sponsors is in the public feed", e.Type)
		}
	}
	if len(all) < 2 {
		t.Fatalf("feed has %d events", len(all))
	}
	own, err := w.s.EventsAfter(ctx, []string{forum.ProposalTopic(gathering.ID)}, false, 0, 100)
	if err != nil || len(own) == 0 || own[0].Public {
		t.Fatalf("gathering topic: %v %+v", err, own)
	}
	page, err := w.s.EventsAfter(ctx, nil, true, all[0].ID, 1)
	if err != nil || len(page) != 1 || page[0].ID != all[1].ID {
		t.Fatalf("after/limit: %v %+v", err, page)
	}
	if none, _ := w.s.EventsAfter(ctx, nil, false, 0, 10); len(none) != 0 {
		t.Error("an empty filter matched events")
	}
	min, _ := w.s.MinEventID(ctx)
	last, _ := w.s.LastEventID(ctx)
	if min != 1 || last != lastEventID(t, w.s) {
		t.Errorf("min %d last %d", min, last)
	}
}
