package store

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
)

func TestStore_Comments(t *testing.T) {
	w := newWorld(t)
	p := w.openProposal(t, "토론할 제안")
	otherP := w.openProposal(t, "다른 제안")
	topic := forum.ProposalTopic(p.ID)
	u, v := newUser(t, w.s, "u"), newUser(t, w.s, "v")

	var c1, c2, c3 *forum.Comment
	expectEvents(t, w.s, func() { c1 = w.comment(t, p.ID, u.ID, 0, "최상위 의견") }, ev{forum.EventCommentCreated, topic})
	c2 = w.comment(t, p.ID, v.ID, c1.ID, "답글")
	c3 = w.comment(t, p.ID, u.ID, c2.ID, "답글의 답글")
	for i, c := range []*forum.Comment{c1, c2, c3} {
		if c.Depth != i+1 || c.ProposalID != p.ID || c.Status != forum.CommentVisible {
			t.Errorf("comment %d = depth %d, proposal %d, %s", i+1, c.Depth, c.ProposalID, c.Status)
		}
	}
	if c2.ParentID != c1.ID || c3.ParentID != c2.ID || c1.ParentID != 0 {
		t.Errorf("parents = %d %d %d", c1.ParentID, c2.ParentID, c3.ParentID)
	}

	post := func(proposal, parent int64) error {
		_, err := w.s.CreateComment(ctx, NewComment{Subject: forum.ProposalSubject(proposal), AuthorID: v.ID,
			Input: forum.CommentInput{ParentID: parent, Stance: forum.StanceAgainst, Body: "반대"}, Body: html("반대")})
		return err
	}
	expectEvents(t, w.s, func() {
		wantInvalid(t, post(p.ID, c3.ID), "err.too_deep")
		wantInvalid(t, post(otherP.ID, c1.ID), "err.parent_missing")
		wantInvalid(t, post(p.ID, 9999), "err.parent_missing")
		wantErr(t, post(9999, 0), forum.ErrNotFound)
	})
	if got, _ := w.s.Proposal(ctx, p.ID); got.Comments != 3 {
		t.Errorf("comment_count = %d, want 3", got.Comments)
	}

	// Edit: only the author, only within 15 minutes.
	rules := forum.DefaultRules
	expectEvents(t, w.s, func() {
		_, err := w.s.EditComment(ctx, c1.ID, v.ID, "남의 글", html("남의 글"), rules, nil)
		wantErr(t, err, forum.ErrForbidden)
	})
	w.clock.advance(15 * time.Minute)
	var edited *forum.Comment
	var err error
	expectEvents(t, w.s, func() {
		edited, err = w.s.EditComment(ctx, c1.ID, u.ID, "고친 의견", html("고친 의견"), rules, nil)
	},
		ev{forum.EventCommentUpdated, topic})
	if err != nil || edited.BodySrc != "고친 의견" || !edited.UpdatedAt.Equal(w.clock.now()) {
		t.Errorf("edit at 15 minutes = %+v, %v", edited, err)
	}
	w.clock.advance(time.Second)
	_, err = w.s.EditComment(ctx, c1.ID, u.ID, "늦은 수정", html("늦은 수정"), rules, nil)
	wantErr(t, err, forum.ErrInvalidState)

	// Delete the middle comment: a placeholder stays and its reply keeps its place.
	expectEvents(t, w.s, func() {
		_, err := w.s.DeleteComment(ctx, c2.ID, u.ID)
		wantErr(t, err, forum.ErrForbidden)
	})
	var deleted *forum.Comment
	expectEvents(t, w.s, func() { deleted, err = w.s.DeleteComment(ctx, c2.ID, v.ID) }, ev{forum.EventCommentDeleted, topic})
	if err != nil || deleted.Status != forum.CommentDeleted || deleted.BodySrc != "" || !deleted.Body.IsZero() {
		t.Errorf("deleted = %+v, %v", deleted, err)
	}
	_, err = w.s.DeleteComment(ctx, c2.ID, v.ID)
	wantErr(t, err, forum.ErrInvalidState)
	wantInvalid(t, post(p.ID, c2.ID), "err.parent_missing") // no reply under a placeholder
	_, err = w.s.VoteComment(ctx, c2.ID, u.ID, 1)
	wantErr(t, err, forum.ErrInvalidState)

	all, err := w.s.Comments(ctx, forum.ProposalSubject(p.ID))
	if err != nil || len(all) != 3 {
		t.Fatalf("Comments = %d, %v", len(all), err)
	}
	if all[2].ID != c3.ID || all[2].ParentID != c2.ID || all[2].BodySrc != "답글의 답글" || all[2].Status != forum.CommentVisible {
		t.Errorf("the reply under the deleted comment = %+v", all[2])
	}
	roots := forum.Thread(all)
	if len(roots) != 1 || len(roots[0].Replies) != 1 || roots[0].Replies[0].ID != c2.ID || len(roots[0].Replies[0].Replies) != 1 {
		t.Errorf("thread shape is wrong after delete")
	}
	if got, _ := w.s.Proposal(ctx, p.ID); got.Comments != 2 {
		t.Errorf("comment_count after delete = %d, want 2", got.Comments)
	}
	mine, err := w.s.UserComments(ctx, v.ID, 10)
	if err != nil || len(mine) != 0 {
		t.Errorf("UserComments of v = %d, %v; the deleted one must not show", len(mine), err)
	}
	mine, err = w.s.UserComments(ctx, u.ID, 10)
	if err != nil || len(mine) != 2 || mine[0].SubjectTitle != "토론할 제안" {
		t.Errorf("UserComments of u = %+v, %v", mine, err)
	}

	// No comments once the proposal is no longer open.
	if err := w.s.Withdraw(ctx, otherP.ID, w.author.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, post(otherP.ID, 0), forum.ErrInvalidState)
	gathering := w.propose(t, "모집 중", false, 5)
	wantErr(t, post(gathering.ID, 0), forum.ErrInvalidState)
	checkCounters(t, w.s)
}

func TestStore_VoteComment(t *testing.T) {
	w := newWorld(t)
	p := w.openProposal(t, "투표")
	author, u, v := newUser(t, w.s, "writer"), newUser(t, w.s, "u"), newUser(t, w.s, "v")
	c := w.comment(t, p.ID, author.ID, 0, "의견")
	topic := forum.ProposalTopic(p.ID)

	expectEvents(t, w.s, func() {
		_, err := w.s.VoteComment(ctx, c.ID, author.ID, 1)
		wantErr(t, err, forum.ErrForbidden)
		_, err = w.s.VoteComment(ctx, 9999, u.ID, 1)
		wantErr(t, err, forum.ErrNotFound)
		_, err = w.s.VoteComment(ctx, c.ID, u.ID, 2)
		wantInvalid(t, err, "err.bad_vote")
	})
	for _, st := range []struct {
		name     string
		user     int64
		value    int
		up, down int
		changed  bool
	}{
		{"u up", u.ID, 1, 1, 0, true},
		{"u up again", u.ID, 1, 1, 0, false},
		{"u changes to down", u.ID, -1, 0, 1, true},
		{"v down", v.ID, -1, 0, 2, true},
		{"u removes", u.ID, 0, 0, 1, true},
		{"u removes again", u.ID, 0, 0, 1, false},
		{"u down", u.ID, -1, 0, 2, true},
		{"v changes to up", v.ID, 1, 1, 1, true},
		{"u changes to up", u.ID, 1, 2, 0, true},
		{"v removes", v.ID, 0, 1, 0, true},
	} {
		var want []ev
		if st.changed {
			want = []ev{{forum.EventCommentVoted, topic}}
		}
		expectEvents(t, w.s, func() {
			got, err := w.s.VoteComment(ctx, c.ID, st.user, st.value)
			if err != nil || got.Up != st.up || got.Down != st.down {
				t.Errorf("%s: %d up %d down, %v; want %d %d", st.name, got.Up, got.Down, err, st.up, st.down)
			}
		}, want...)
		checkCounters(t, w.s)
	}
	vs, err := w.s.ViewerState(ctx, p.ID, u.ID)
	if err != nil || vs.Votes[c.ID] != 1 {
		t.Errorf("ViewerState votes = %v, %v", vs.Votes, err)
	}
}

func TestStore_VoteCommentParallel(t *testing.T) {
	w := newWorld(t)
	p := w.openProposal(t, "동시 투표")
	c := w.comment(t, p.ID, w.author.ID, 0, "의견")
	u := newUser(t, w.s, "same")

	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			if _, err := w.s.VoteComment(ctx, c.ID, u.ID, 1); err != nil {
				t.Errorf("parallel vote: %v", err)
			}
		})
	}
	wg.Wait()
	got, _ := w.s.Comment(ctx, c.ID)
	if n := count(t, w.s, `SELECT count(*) FROM comment_votes WHERE comment_id = ?`, c.ID); n != 1 || got.Up != 1 || got.Down != 0 {
		t.Errorf("100 parallel up-votes by one user: %d rows, up %d down %d; want 1, 1, 0", n, got.Up, got.Down)
	}

	users := newUsers(t, w.s, 100)
	for i, id := range users {
		wg.Go(func() {
			value := 1
			if i%4 == 0 {
				value = -1
			}
			if _, err := w.s.VoteComment(ctx, c.ID, id, value); err != nil {
				t.Errorf("parallel vote: %v", err)
			}
		})
	}
	wg.Wait()
	got, _ = w.s.Comment(ctx, c.ID)
	if got.Up != 76 || got.Down != 25 {
		t.Errorf("after 100 voters: up %d down %d; want 76 and 25", got.Up, got.Down)
	}
	checkCounters(t, w.s)
}

func TestStore_CheckCountersFindsMismatches(t *testing.T) {
	w := newWorld(t)
	p := w.openProposal(t, "검사")
	c := w.comment(t, p.ID, newUser(t, w.s, "u").ID, 0, "의견")
	checkCounters(t, w.s)
	if _, err := w.s.DB().Exec(`UPDATE proposals SET support_count = 7, comment_count = 0 WHERE id = ?`, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.DB().Exec(`UPDATE comments SET down_count = 3 WHERE id = ?`, c.ID); err != nil {
		t.Fatal(err)
	}
	err := w.s.CheckCounters(ctx)
	if err == nil {
		t.Fatal("CheckCounters found nothing")
	}
	for _, want := range []string{"proposals.support_count", "proposals.comment_count", "comments.down_count"} {
		if !contains(err.Error(), want) {
			t.Errorf("CheckCounters error %q does not name %s", err, want)
		}
	}
	for _, notWant := range []string{"sponsor_count", "revision_count", "up_count"} {
		if contains(err.Error(), notWant) {
			t.Errorf("CheckCounters error %q names the correct %s", err, notWant)
		}
	}
}

// TestStore_CommentVersion follows a comment through every kind of change
// the store makes to it and expects its version to count each one, and a
// refused change or a change to another comment to leave it be.
func TestStore_CommentVersion(t *testing.T) {
	w := newWorld(t)
	p := w.openProposal(t, "버전을 세는 제안")
	u, v := newUser(t, w.s, "u"), newUser(t, w.s, "v")
	mod := w.member(t, forum.RoleModerator, "moderator")
	c := w.comment(t, p.ID, u.ID, 0, "처음 의견")
	other := w.comment(t, p.ID, v.ID, c.ID, "다른 의견")
	want := int64(1)
	check := func(what string) {
		t.Helper()
		got, err := w.s.Comment(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != want {
			t.Errorf("after %s: version %d, want %d", what, got.Version, want)
		}
	}
	check("create")
	steps := []struct {
		what    string
		changes bool
		do      func() error
	}{
		{"an up vote", true, func() error { _, err := w.s.VoteComment(ctx, c.ID, v.ID, 1); return err }},
		{"the same vote again", false, func() error { _, err := w.s.VoteComment(ctx, c.ID, v.ID, 1); return err }},
		{"a vote taken back", true, func() error { _, err := w.s.VoteComment(ctx, c.ID, v.ID, 0); return err }},
		{"a vote on another comment", false, func() error { _, err := w.s.VoteComment(ctx, other.ID, u.ID, -1); return err }},
		{"an edit", true, func() error {
			_, err := w.s.EditComment(ctx, c.ID, u.ID, "고친 의견", html("고친 의견"), forum.DefaultRules, nil)
			return err
		}},
		{"a refused edit", false, func() error {
			_, err := w.s.EditComment(ctx, c.ID, v.ID, "남의 글", html("남의 글"), forum.DefaultRules, nil)
			if errors.Is(err, forum.ErrForbidden) {
				return nil
			}
			return fmt.Errorf("edit by another: %v, want ErrForbidden", err)
		}},
		{"a hide", true, func() error { return w.s.Hide(ctx, mod, forum.ItemComment, c.ID, moderation.HideSpam) }},
		{"a restore", true, func() error { return w.s.Restore(ctx, mod, forum.ItemComment, c.ID) }},
		{"a delete", true, func() error { _, err := w.s.DeleteComment(ctx, c.ID, u.ID); return err }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.what, err)
		}
		if s.changes {
			want++
		}
		check(s.what)
	}
}
