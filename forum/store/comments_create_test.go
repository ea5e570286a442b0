package store

import (
	"context"
	"database/sql"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store/storetest"
)

// indexRow is a comment's row in the search index, or ok false when it has none.
func indexRow(tb testing.TB, s *Store, id int64) (row []any, ok bool) {
	tb.Helper()
	var kind, tokens, status string
	var item, ministry, created int64
	var category sql.NullInt64
	err := s.DB().QueryRow(`SELECT kind, item_id, tokens, status, ministry_id, category_id, created_at FROM search_index WHERE rowid = ?`,
		id*searchKindSlots+searchKinds[SearchComment]).Scan(&kind, &item, &tokens, &status, &ministry, &category, &created)
	if err == sql.ErrNoRows {
		return nil, false
	}
	if err != nil {
		tb.Fatal(err)
	}
	return []any{kind, item, tokens, status, ministry, category, created}, true
}

// TestCreateComment_WritesWhatReadingAndIndexingWould: CreateComment answers
// with the comment as the store reads it back, and leaves the search index
// as indexComment, the general re-indexer, would: for a comment on a
// proposal, a reply, an argument in a debate (no category) and a held
// comment (not searchable).
func TestCreateComment_WritesWhatReadingAndIndexingWould(t *testing.T) {
	w := newWorld(t)
	p := w.openProposal(t, "색인할 제안")
	d := w.debate(t, "색인할 토론", 0, time.Hour)
	u := newUser(t, w.s, "writer")
	top := w.comment(t, p.ID, u.ID, 0, "최상위 댓글 searchable")
	reply := w.comment(t, p.ID, w.author.ID, top.ID, "답글 searchable")
	arg, err := w.s.CreateComment(ctx, NewComment{Subject: forum.DebateSubject(d.ID), AuthorID: u.ID,
		Input: forum.CommentInput{Stance: forum.StanceAgainst, Body: "토론 의견"}, Body: html("토론 의견")})
	if err != nil {
		t.Fatal(err)
	}
	held := w.heldComment(t, p.ID, u.ID, "보류 댓글", "link")
	for _, c := range []*forum.Comment{top, reply, arg, held} {
		stored, err := w.s.Comment(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(c, stored) {
			t.Errorf("CreateComment returned\n%+v\nthe store reads\n%+v", c, stored)
		}
		row, indexed := indexRow(t, w.s, c.ID)
		if want := c.ModState == forum.ModVisible; indexed != want {
			t.Errorf("comment %d (%s) indexed = %v, want %v", c.ID, c.ModState, indexed, want)
		}
		if err := w.s.write(ctx, func(tx *tx) error { return indexComment(context.Background(), tx, c.ID) }); err != nil {
			t.Fatal(err)
		}
		again, indexedAgain := indexRow(t, w.s, c.ID)
		if indexedAgain != indexed || !reflect.DeepEqual(row, again) {
			t.Errorf("comment %d: index row %v (%v) after creating it, %v (%v) after re-indexing it", c.ID, row, indexed, again, indexedAgain)
		}
	}
	if row, _ := indexRow(t, w.s, arg.ID); row[5].(sql.NullInt64).Valid {
		t.Errorf("a debate's argument is filed under category %v", row[5])
	}
	if row, _ := indexRow(t, w.s, top.ID); row[5].(sql.NullInt64).Int64 != w.category || row[4].(int64) != w.ministry {
		t.Errorf("a proposal's comment is filed under ministry %v, category %v; want %d, %d", row[4], row[5], w.ministry, w.category)
	}
}

// TestCreateComment_ReadsByPrimaryKey: what CreateComment reads inside the
// write (the subject with its author, the parent) is a primary-key lookup,
// O(log n) in every table whatever anyone's history.
func TestCreateComment_ReadsByPrimaryKey(t *testing.T) {
	s := openTest(t, newClock().now)
	for name, q := range map[string]string{"proposal": proposalTargetSQL, "debate": debateTargetSQL,
		"parent of a proposal's comment": parentSQL("proposal_id"), "parent of an argument": parentSQL("debate_id")} {
		if storetest.Postgres() {
			keys := map[string][]string{"proposal": {"proposals_pkey", "users_pkey"}, "debate": {"debates_pkey", "users_pkey"}}[name]
			if keys == nil {
				keys = []string{"comments_pkey"}
			}
			pgUsesIndexes(t, name, pgPlan(t, s, q, 1, 1), keys...)
			continue
		}
		plan := queryPlan(t, s, q, 1, 1)
		t.Logf("%s: %s", name, strings.Join(plan, "; "))
		for _, step := range plan {
			if !strings.Contains(step, "USING INTEGER PRIMARY KEY (rowid=?)") {
				t.Errorf("%s: plan step %q is not a primary-key lookup", name, step)
			}
		}
	}
}

// TestAuthorFacts_OneStatementByIndexes: everything the content rules read
// before a post is one statement whose every step searches an index on the
// author (the texts by (author_id, created_at), the count by the covering
// (author_id, mod_state)): nothing scans a table or sorts a history.
func TestAuthorFacts_OneStatementByIndexes(t *testing.T) {
	s := openTest(t, newClock().now)
	if storetest.Postgres() {
		plan := pgPlan(t, s, authorFactsSQL, 1, 0, approvedBound)
		t.Log(plan)
		pgUsesIndexes(t, "the author's facts", plan, "comments_author", "proposals_author", "comments_author_state")
		if strings.Contains(plan, "Sort") {
			t.Errorf("the plan sorts:\n%s", plan)
		}
		return
	}
	plan := queryPlan(t, s, authorFactsSQL, 1, 0, approvedBound)
	all := strings.Join(plan, "\n")
	t.Log(all)
	for _, want := range []string{"comments USING INDEX comments_author (author_id=? AND created_at>?)",
		"proposals USING INDEX proposals_author (author_id=? AND created_at>?)", "COVERING INDEX comments_author_state (author_id=? AND mod_state=?)"} {
		if !strings.Contains(all, want) {
			t.Errorf("the plan does not search %s", want)
		}
	}
	for _, bad := range []string{"SCAN comments", "SCAN proposals", "TEMP B-TREE"} {
		if strings.Contains(all, bad) {
			t.Errorf("the plan has %q", bad)
		}
	}
}
