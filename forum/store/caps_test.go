package store

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store/storetest"
)

// TestStore_CapHoldsUnderConcurrency fires 50 writes of each capped activity
// at once: exactly the cap is stored, every other write fails with a
// *CapError and leaves nothing, and a row from before the cap's period does
// not count.
func TestStore_CapHoldsUnderConcurrency(t *testing.T) {
	const parallel, max = 50, 7
	w := newWorld(t)
	u := w.member(t, forum.RoleCitizen, "spender")
	// Items to support and report, one each per write.
	targets := make([]*forum.Proposal, parallel+1)
	for i := range targets {
		targets[i] = w.openProposal(t, fmt.Sprint("대상 ", i))
	}
	// Yesterday's activity: one of each, before the cap's period.
	w.clock.advance(-2 * time.Hour)
	w.proposeBy(t, u.ID, "어제 제안")
	w.comment(t, targets[0].ID, u.ID, 0, "어제 댓글")
	if _, err := w.s.Support(ctx, targets[parallel].ID, u.ID, nil); err != nil {
		t.Fatal(err)
	}
	w.report(t, forum.ItemProposal, targets[parallel].ID, u.ID, 0)
	w.clock.advance(2 * time.Hour)
	limit := &Cap{Max: max, Since: w.clock.now().Add(-time.Hour)}

	for _, tc := range []struct {
		a     Activity
		write func(i int) error
	}{
		{ActivityProposals, func(i int) error {
			_, err := w.s.CreateProposal(ctx, NewProposal{AuthorID: u.ID, Cap: limit,
				Input: forum.ProposalInput{Title: fmt.Sprint("제안 ", i), Body: "본문", CategoryID: w.category, MinistryID: w.ministry},
				Body:  html("본문"), SponsorToken: fmt.Sprint("cap-token-", i)}, 0)
			return err
		}},
		{ActivityComments, func(i int) error {
			_, err := w.s.CreateComment(ctx, NewComment{Subject: forum.ProposalSubject(targets[0].ID), AuthorID: u.ID, Cap: limit,
				Input: forum.CommentInput{Stance: forum.StanceFor, Body: fmt.Sprint("댓글 ", i)}, Body: html("댓글")})
			return err
		}},
		{ActivitySupports, func(i int) error {
			_, err := w.s.Support(ctx, targets[i].ID, u.ID, limit)
			return err
		}},
		{ActivityReports, func(i int) error {
			_, err := w.s.Report(ctx, forum.Report{Kind: forum.ItemProposal, ItemID: targets[i].ID, ReporterID: u.ID, Reason: "spam"}, 0, limit)
			return err
		}},
	} {
		t.Run(string(tc.a), func(t *testing.T) {
			errs := make([]error, parallel)
			var wg sync.WaitGroup
			for i := range parallel {
				wg.Go(func() { errs[i] = tc.write(i) })
			}
			wg.Wait()
			refused := 0
			for _, err := range errs {
				var ce *CapError
				switch {
				case err == nil:
				case errors.As(err, &ce) && ce.Activity == tc.a && ce.Max == max:
					refused++
				default:
					t.Errorf("write: %v, want nil or a %s CapError", err, tc.a)
				}
			}
			if refused != parallel-max {
				t.Errorf("%d writes refused, want %d", refused, parallel-max)
			}
			if n, err := w.s.CountSince(ctx, u.ID, tc.a, limit.Since); err != nil || n != max {
				t.Errorf("%s stored since the cap's start = %d %v, want %d", tc.a, n, err, max)
			}
			if n, err := w.s.CountSince(ctx, u.ID, tc.a, limit.Since.Add(-24*time.Hour)); err != nil || n != max+1 {
				t.Errorf("%s stored in all = %d %v, want %d (the cap + yesterday's)", tc.a, n, err, max+1)
			}
		})
	}
	// A refused write left nothing behind: no orphan revision, review item or event.
	if n := count(t, w.s, `SELECT count(*) FROM proposal_revisions r JOIN proposals p ON p.id = r.proposal_id WHERE p.author_id = ?`, u.ID); n != max+1 {
		t.Errorf("revisions of u's proposals = %d, want %d", n, max+1)
	}
	if n := count(t, w.s, `SELECT count(*) FROM review_items`); n != max+1 {
		t.Errorf("review items = %d, want one per stored report (%d)", n, max+1)
	}
	checkCounters(t, w.s)

	// Supporting again what u already supports spends nothing, so the cap does not refuse it.
	var supported int64
	if err := w.s.DB().QueryRow(`SELECT proposal_id FROM supports WHERE user_id = ? AND created_at >= ? LIMIT 1`, u.ID, limit.Since.Unix()).Scan(&supported); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.Support(ctx, supported, u.ID, limit); err != nil {
		t.Errorf("support again at the cap: %v, want nil", err)
	}
	// A nil cap is no cap (staff).
	if _, err := w.s.Support(ctx, targets[parallel-1].ID, u.ID, nil); err != nil && !errors.Is(err, forum.ErrInvalidState) {
		t.Errorf("uncapped support: %v", err)
	}
}

// TestStore_CapCountUsesIndex checks that the count a cap runs reads an index
// on (user, created_at), so it costs O(log n) in the user's history.
func TestStore_CapCountUsesIndex(t *testing.T) {
	if storetest.Postgres() {
		// On empty tables PostgreSQL may take comments_author_state, which
		// also starts with the author, for the comments: 5,000 comments by
		// one author over time and fresh statistics show which index the
		// planner takes when the author's history is long.
		w := newWorld(t)
		p := w.openProposal(t, "긴 이력")
		if _, err := w.s.DB().Exec(`INSERT INTO comments (proposal_id, depth, author_id, stance, body_src, body_html, created_at, updated_at)
			SELECT ?, 1, ?, 'for', 'x', 'x', i, i FROM generate_series(1, 5000) AS i`, p.ID, w.author.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.DB().Exec(`ANALYZE comments`); err != nil {
			t.Fatal(err)
		}
		for a, ix := range map[Activity]string{ActivityProposals: "proposals_author", ActivityComments: "comments_author",
			ActivitySupports: "supports_user", ActivityReports: "reports_reporter"} {
			plan := pgPlan(t, w.s, spendSQL(a), w.author.ID, 4990, 11)
			t.Logf("%s: %s", a, plan)
			pgUsesIndexes(t, string(a)+" cap count", plan, ix)
			if !strings.Contains(plan, "Index Cond: ") || !strings.Contains(plan[strings.Index(plan, "Index Cond: "):], "created_at >=") {
				t.Errorf("%s cap count does not search the index by created_at:\n%s", a, plan)
			}
		}
		return
	}
	s := openTest(t, nil)
	for _, a := range []Activity{ActivityProposals, ActivityComments, ActivitySupports, ActivityReports} {
		plan := queryPlan(t, s, spendSQL(a), 1, 0, 11)
		got := strings.Join(plan, "; ")
		t.Logf("%s: %s", a, got)
		if !strings.Contains(got, "USING COVERING INDEX") || !strings.Contains(got, "created_at>?") {
			t.Errorf("%s cap count plan = %q, want a covering index search on the user and created_at", a, got)
		}
	}
}
