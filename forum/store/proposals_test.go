package store

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
)

func TestStore_CreateProposal(t *testing.T) {
	w := newWorld(t)
	topic := func(id int64) string { return forum.ProposalTopic(id) }

	var draft *forum.Proposal
	expectEvents(t, w.s, func() { draft = w.propose(t, "초안으로 둔 제안", true, 5) },
		ev{forum.EventProposalCreated, topic(1)})
	if draft.Status != forum.StatusDraft || draft.Revisions != 1 || !draft.PublishedAt.IsZero() || draft.AuthorName != "author" {
		t.Errorf("draft = %+v", draft)
	}

	var gathering *forum.Proposal
	expectEvents(t, w.s, func() { gathering = w.propose(t, "공동발의 모집 제안", false, 5) },
		ev{forum.EventProposalCreated, topic(2)}, ev{forum.EventProposalStatus, topic(2)})
	if gathering.Status != forum.StatusGathering || !gathering.PublishedAt.IsZero() {
		t.Errorf("submitted = %+v", gathering)
	}

	var open *forum.Proposal
	expectEvents(t, w.s, func() { open = w.openProposal(t, "바로 공개되는 제안") },
		ev{forum.EventProposalCreated, topic(3)}, ev{forum.EventProposalStatus, topic(3)}, ev{forum.EventProposalStatus, topic(3)})
	if open.Status != forum.StatusOpen || !open.PublishedAt.Equal(w.clock.now()) {
		t.Errorf("threshold 0 = %+v, want open and published now", open)
	}

	// Submitting the draft: only its author, only once.
	other := newUser(t, w.s, "other")
	expectEvents(t, w.s, func() { wantErr(t, w.s.Submit(ctx, draft.ID, other.ID, 5), forum.ErrForbidden) })
	expectEvents(t, w.s, func() {
		if err := w.s.Submit(ctx, draft.ID, w.author.ID, 5); err != nil {
			t.Fatal(err)
		}
	}, ev{forum.EventProposalStatus, topic(draft.ID)})
	expectEvents(t, w.s, func() { wantErr(t, w.s.Submit(ctx, draft.ID, w.author.ID, 5), forum.ErrInvalidState) })
	wantErr(t, w.s.Submit(ctx, 999, w.author.ID, 5), forum.ErrNotFound)

	// A missing category is the author's mistake, not a server error.
	_, err := w.s.CreateProposal(ctx, NewProposal{AuthorID: w.author.ID,
		Input: forum.ProposalInput{Title: "없는 분야", Body: "본문", CategoryID: 999, MinistryID: w.ministry}}, 0)
	wantInvalid(t, err, "err.category_required")
	if n := count(t, w.s, `SELECT count(*) FROM proposals`); n != 3 {
		t.Errorf("proposals = %d, a refused create left rows behind", n)
	}
	_, err = w.s.Proposal(ctx, 999)
	wantErr(t, err, forum.ErrNotFound)
	checkCounters(t, w.s)
}

func TestStore_Sponsor(t *testing.T) {
	w := newWorld(t)
	const threshold = 2
	p := w.propose(t, "공동발의가 필요한 제안", false, threshold)
	topic := forum.ProposalTopic(p.ID)
	b, c, d := newUser(t, w.s, "b"), newUser(t, w.s, "c"), newUser(t, w.s, "d")

	expectEvents(t, w.s, func() {
		_, err := w.s.Sponsor(ctx, p.ID, b.ID, "wrong-token", threshold)
		wantErr(t, err, forum.ErrNotFound)
		_, err = w.s.Sponsor(ctx, p.ID, b.ID, "", threshold)
		wantErr(t, err, forum.ErrNotFound)
		_, err = w.s.Sponsor(ctx, 999, b.ID, p.SponsorToken, threshold)
		wantErr(t, err, forum.ErrNotFound)
		_, err = w.s.Sponsor(ctx, p.ID, w.author.ID, p.SponsorToken, threshold)
		wantErr(t, err, forum.ErrForbidden)
	})

	var got *forum.Proposal
	var err error
	expectEvents(t, w.s, func() { got, err = w.s.Sponsor(ctx, p.ID, b.ID, p.SponsorToken, threshold) },
		ev{forum.EventProposalSponsored, topic})
	if err != nil || got.Sponsors != 1 || got.Status != forum.StatusGathering {
		t.Fatalf("first sponsor = %+v, %v", got, err)
	}
	expectEvents(t, w.s, func() { got, err = w.s.Sponsor(ctx, p.ID, b.ID, p.SponsorToken, threshold) })
	if err != nil || got.Sponsors != 1 {
		t.Errorf("sponsoring twice = %d sponsors, %v; want 1", got.Sponsors, err)
	}

	w.clock.advance(time.Hour)
	expectEvents(t, w.s, func() { got, err = w.s.Sponsor(ctx, p.ID, c.ID, p.SponsorToken, threshold) },
		ev{forum.EventProposalSponsored, topic}, ev{forum.EventProposalStatus, topic})
	if err != nil || got.Sponsors != 2 || got.Status != forum.StatusOpen || !got.PublishedAt.Equal(w.clock.now()) {
		t.Fatalf("sponsor reaching the threshold = %+v, %v", got, err)
	}
	expectEvents(t, w.s, func() {
		_, err = w.s.Sponsor(ctx, p.ID, d.ID, p.SponsorToken, threshold)
		wantErr(t, err, forum.ErrInvalidState)
	})
	if n := count(t, w.s, `SELECT count(*) FROM sponsors WHERE proposal_id = ?`, p.ID); n != 2 {
		t.Errorf("sponsor rows = %d, want 2", n)
	}
	v, err := w.s.ViewerState(ctx, p.ID, b.ID)
	if err != nil || !v.Sponsored || v.Supported {
		t.Errorf("ViewerState = %+v, %v", v, err)
	}

	// A draft cannot be sponsored.
	draft := w.propose(t, "초안", true, threshold)
	_, err = w.s.Sponsor(ctx, draft.ID, b.ID, draft.SponsorToken, threshold)
	wantErr(t, err, forum.ErrInvalidState)
	checkCounters(t, w.s)
}

func TestStore_Support(t *testing.T) {
	w := newWorld(t)
	gathering := w.propose(t, "모집 중", false, 3)
	p := w.openProposal(t, "지지를 받는 제안")
	topic := forum.ProposalTopic(p.ID)
	u, v := newUser(t, w.s, "u"), newUser(t, w.s, "v")

	expectEvents(t, w.s, func() {
		_, err := w.s.Support(ctx, gathering.ID, u.ID, nil)
		wantErr(t, err, forum.ErrInvalidState)
		_, err = w.s.Unsupport(ctx, gathering.ID, u.ID)
		wantErr(t, err, forum.ErrInvalidState)
		_, err = w.s.Support(ctx, 999, u.ID, nil)
		wantErr(t, err, forum.ErrNotFound)
	})
	steps := []struct {
		name   string
		user   int64
		on     bool
		want   int
		events int
	}{
		{"u supports", u.ID, true, 1, 1},
		{"u again", u.ID, true, 1, 0},
		{"v supports", v.ID, true, 2, 1},
		{"u takes back", u.ID, false, 1, 1},
		{"u takes back again", u.ID, false, 1, 0},
		{"u supports anew", u.ID, true, 2, 1},
	}
	for _, st := range steps {
		var want []ev
		for range st.events {
			want = append(want, ev{forum.EventProposalSupported, topic})
		}
		expectEvents(t, w.s, func() {
			var n int
			var err error
			if st.on {
				n, err = w.s.Support(ctx, p.ID, st.user, nil)
			} else {
				n, err = w.s.Unsupport(ctx, p.ID, st.user)
			}
			if err != nil || n != st.want {
				t.Errorf("%s: count %d, %v; want %d", st.name, n, err, st.want)
			}
		}, want...)
	}
	if n := count(t, w.s, `SELECT count(*) FROM supports WHERE proposal_id = ? AND user_id = ?`, p.ID, u.ID); n != 1 {
		t.Errorf("u's support rows = %d, want 1", n)
	}
	if vs, _ := w.s.ViewerState(ctx, p.ID, u.ID); !vs.Supported {
		t.Error("ViewerState does not show u's support")
	}
	if err := w.s.Withdraw(ctx, p.ID, w.author.ID); err != nil {
		t.Fatal(err)
	}
	_, err := w.s.Support(ctx, p.ID, u.ID, nil)
	wantErr(t, err, forum.ErrInvalidState)
	checkCounters(t, w.s)
}

func TestStore_SupportParallel(t *testing.T) {
	w := newWorld(t)
	p := w.openProposal(t, "동시에 지지")
	u := newUser(t, w.s, "same")

	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Go(func() {
			if _, err := w.s.Support(ctx, p.ID, u.ID, nil); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("parallel support: %v", err)
	}
	got, _ := w.s.Proposal(ctx, p.ID)
	if n := count(t, w.s, `SELECT count(*) FROM supports WHERE proposal_id = ?`, p.ID); n != 1 || got.Supports != 1 {
		t.Errorf("100 parallel supports by one user: %d rows, support_count %d; want 1 and 1", n, got.Supports)
	}
	if n := count(t, w.s, `SELECT count(*) FROM events WHERE type = ? AND topic = ?`, forum.EventProposalSupported, forum.ProposalTopic(p.ID)); n != 1 {
		t.Errorf("supported events = %d, want 1", n)
	}

	p2 := w.openProposal(t, "백 명이 지지")
	users := newUsers(t, w.s, 100)
	errs = make(chan error, 100)
	for _, id := range users {
		wg.Go(func() {
			if _, err := w.s.Support(ctx, p2.ID, id, nil); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("parallel support: %v", err)
	}
	got, _ = w.s.Proposal(ctx, p2.ID)
	if n := count(t, w.s, `SELECT count(*) FROM supports WHERE proposal_id = ?`, p2.ID); n != 100 || got.Supports != 100 {
		t.Errorf("100 users in parallel: %d rows, support_count %d; want 100", n, got.Supports)
	}

	// Support and take back at random, all at once: the counter still agrees with the rows.
	for i, id := range users {
		wg.Go(func() {
			f := w.s.Unsupport
			if i%3 == 0 {
				f = func(ctx context.Context, id, userID int64) (int, error) { return w.s.Support(ctx, id, userID, nil) }
			}
			for range 3 {
				if _, err := f(ctx, p2.ID, id); err != nil {
					t.Errorf("toggle: %v", err)
				}
			}
		})
	}
	wg.Wait()
	got, _ = w.s.Proposal(ctx, p2.ID)
	if got.Supports != 34 {
		t.Errorf("support_count after toggling = %d, want 34", got.Supports)
	}
	// With 100 supports the author may still edit (issue 18): each
	// supporter is told, with the diff, and may withdraw.
	w.clock.advance(time.Minute)
	p3 := w.openProposal(t, "수정 잠금")
	for _, id := range users {
		if _, err := w.s.Support(ctx, p3.ID, id, nil); err != nil {
			t.Fatal(err)
		}
	}
	err := w.s.EditProposal(ctx, p3.ID, w.author.ID, forum.ProposalInput{Title: "고친 제목", Body: "고친 본문",
		CategoryID: w.category, MinistryID: w.ministry}, html("고친 본문"), forum.DefaultRules, nil)
	if err != nil {
		t.Errorf("edit with 100 supporters: %v", err)
	}
	checkCounters(t, w.s)
}

func TestStore_EditProposal(t *testing.T) {
	w := newWorld(t)
	p := w.openProposal(t, "처음 제목")
	topic := forum.ProposalTopic(p.ID)
	other := newUser(t, w.s, "other")
	in := func(title string) forum.ProposalInput {
		return forum.ProposalInput{Title: title, Body: title + " 본문", CategoryID: w.category, MinistryID: w.ministry}
	}
	rules := forum.DefaultRules

	expectEvents(t, w.s, func() {
		wantErr(t, w.s.EditProposal(ctx, p.ID, other.ID, in("남의 수정"), html("x"), rules, nil), forum.ErrForbidden)
		wantErr(t, w.s.EditProposal(ctx, 999, w.author.ID, in("없는 제안"), html("x"), rules, nil), forum.ErrNotFound)
	})
	w.clock.advance(10 * time.Minute)
	expectEvents(t, w.s, func() {
		if err := w.s.EditProposal(ctx, p.ID, w.author.ID, in("두 번째 제목"), html("둘"), rules, nil); err != nil {
			t.Fatal(err)
		}
	}, ev{forum.EventProposalEdited, topic})
	w.clock.advance(24 * time.Hour) // no window of time: an open proposal stays editable (issue 18)
	if err := w.s.EditProposal(ctx, p.ID, w.author.ID, in("세 번째 제목"), html("셋"), rules, nil); err != nil {
		t.Fatalf("edit a day later: %v", err)
	}

	got, err := w.s.Proposal(ctx, p.ID)
	if err != nil || got.Title != "세 번째 제목" || got.Revisions != 3 || got.Body.String() != "<p>셋</p>" {
		t.Errorf("after edits = %+v, %v", got, err)
	}
	revs, err := w.s.Revisions(ctx, p.ID)
	if err != nil || len(revs) != 3 {
		t.Fatalf("Revisions = %d, %v", len(revs), err)
	}
	for i, want := range []string{"처음 제목", "두 번째 제목", "세 번째 제목"} {
		if revs[i].Number != i+1 || revs[i].Title != want {
			t.Errorf("revision %d = %d %q, want %d %q", i, revs[i].Number, revs[i].Title, i+1, want)
		}
	}
	if !revs[1].CreatedAt.Equal(time.Date(2025, 3, 1, 9, 10, 0, 0, time.UTC)) {
		t.Errorf("revision 2 created at %v", revs[1].CreatedAt)
	}

	// A draft stays editable however old it is.
	draft := w.propose(t, "오래된 초안", true, 5)
	w.clock.advance(72 * time.Hour)
	if err := w.s.EditProposal(ctx, draft.ID, w.author.ID, in("초안 수정"), html("x"), rules, nil); err != nil {
		t.Errorf("edit an old draft: %v", err)
	}
	checkCounters(t, w.s)
}

func TestStore_Withdraw(t *testing.T) {
	w := newWorld(t)
	other := newUser(t, w.s, "other")
	for _, tc := range []struct {
		name  string
		draft bool
		thr   int
	}{{"draft", true, 5}, {"gathering", false, 5}, {"open", false, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			p := w.propose(t, "철회할 "+tc.name, tc.draft, tc.thr)
			topic := forum.ProposalTopic(p.ID)
			expectEvents(t, w.s, func() { wantErr(t, w.s.Withdraw(ctx, p.ID, other.ID), forum.ErrForbidden) })
			w.clock.advance(time.Minute)
			expectEvents(t, w.s, func() {
				if err := w.s.Withdraw(ctx, p.ID, w.author.ID); err != nil {
					t.Fatal(err)
				}
			}, ev{forum.EventProposalStatus, topic})
			got, _ := w.s.Proposal(ctx, p.ID)
			if got.Status != forum.StatusWithdrawn || !got.ClosedAt.Equal(w.clock.now()) {
				t.Errorf("withdrawn = %s closed %v", got.Status, got.ClosedAt)
			}
			expectEvents(t, w.s, func() { wantErr(t, w.s.Withdraw(ctx, p.ID, w.author.ID), forum.ErrInvalidState) })
		})
	}
	wantErr(t, w.s.Withdraw(ctx, 999, w.author.ID), forum.ErrNotFound)

	// Withdrawn and private proposals never reach the public list.
	page, err := w.s.ListProposals(ctx, ProposalQuery{})
	if err != nil || len(page.Proposals) != 0 {
		t.Errorf("public list = %d proposals, %v; want none", len(page.Proposals), err)
	}
	mine, err := w.s.UserProposals(ctx, w.author.ID, true)
	if err != nil || len(mine) != 3 {
		t.Errorf("private UserProposals = %d, %v", len(mine), err)
	}
	public, err := w.s.UserProposals(ctx, w.author.ID, false)
	if err != nil || len(public) != 0 {
		t.Errorf("public UserProposals = %d, %v", len(public), err)
	}
}

// TestStore_ReachMovesIndexStatus: a proposal that reaches its threshold
// stays in the search index with its thread, under its new status, and a
// comment that was not shown stays out of the index.
func TestStore_ReachMovesIndexStatus(t *testing.T) {
	w := newWorld(t)
	ansThresholds(t, w.s, 1, 30, 30)
	p := w.openProposal(t, "도서관 야간 개방")
	citizen := newUser(t, w.s, "citizen")
	shown := w.comment(t, p.ID, citizen.ID, 0, "도서관 찬성 의견")
	hidden := w.comment(t, p.ID, citizen.ID, 0, "도서관 숨길 의견")
	mod := w.member(t, forum.RoleModerator, "moderator")
	if err := w.s.Hide(ctx, mod, forum.ItemComment, hidden.ID, moderation.HideSpam); err != nil {
		t.Fatal(err)
	}
	pid, cid := "proposal:"+itoa(p.ID), "comment:"+itoa(shown.ID)
	open, awaiting := string(forum.StatusOpen), string(forum.StatusAwaiting)
	wantHits(t, w.s, SearchQuery{Text: "도서관", Status: open}, pid, cid)
	if n, err := w.s.Support(ctx, p.ID, citizen.ID, nil); err != nil || n != 1 {
		t.Fatalf("Support = %d, %v", n, err)
	}
	if got, _ := w.s.Proposal(ctx, p.ID); got.Status != forum.StatusAwaiting {
		t.Fatalf("status after the threshold = %s", got.Status)
	}
	wantHits(t, w.s, SearchQuery{Text: "도서관", Status: open})
	wantHits(t, w.s, SearchQuery{Text: "도서관", Status: awaiting}, pid, cid)
	wantHits(t, w.s, SearchQuery{Text: "숨길"})
}
