package store

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/e-people/e-people/forum"
)

// TestVoteBatch_InBulk runs the vote group's step directly: new, changed,
// withdrawn and repeated votes on the same and other comments are applied
// in bulk with the counters and one event each, refusals are answered
// without writing, and an account's second vote is left to run alone.
func TestVoteBatch_InBulk(t *testing.T) {
	w := newWorld(t)
	p := w.openProposal(t, "투표할 제안")
	users := newUsers(t, w.s, 5)
	c1 := w.comment(t, p.ID, w.author.ID, 0, "첫째 의견")
	c2 := w.comment(t, p.ID, users[4], 0, "둘째 의견")
	if _, err := w.s.VoteComment(ctx, c2.ID, users[2], 1); err != nil {
		t.Fatal(err)
	}
	var published []string
	w.s.SetNotify(func(evs []forum.Event) {
		for _, e := range evs {
			var d forum.CommentVotedEvent
			if err := json.Unmarshal(e.Data, &d); err != nil || e.Type != forum.EventCommentVoted || e.Topic != forum.ProposalTopic(p.ID) || !e.Public {
				t.Errorf("event %+v: %v", e, err)
			}
			published = append(published, fmt.Sprintf("%d:%d/%d", d.CommentID, d.Up, d.Down))
		}
	})
	items := []any{
		&voteReq{id: c1.ID, userID: users[0], value: 1},
		&voteReq{id: c1.ID, userID: users[1], value: -1},
		&voteReq{id: c2.ID, userID: users[0], value: -1},         // the account's second vote
		&voteReq{id: c2.ID, userID: users[2], value: -1},         // changed from +1
		&voteReq{id: c2.ID, userID: users[3], value: 0},          // nothing to take back
		&voteReq{id: c2.ID, userID: users[4], value: 1},          // the author's own comment
		&voteReq{id: c2.ID + 100, userID: w.author.ID, value: 1}, // no such comment
	}
	var answers []error
	var alone []int
	if err := w.s.write(ctx, func(t *tx) error {
		var err error
		answers, alone, err = runVotes(w.s, t, items)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(alone) != "[2]" || answers[0] != nil || answers[1] != nil || answers[3] != nil || answers[4] != nil {
		t.Errorf("alone %v, answers %v", alone, answers)
	}
	wantErr(t, answers[5], forum.ErrForbidden)
	wantErr(t, mapErr(answers[6]), forum.ErrNotFound)
	if fmt.Sprint(published) != "["+fmt.Sprintf("%d:1/0 %d:1/1 %d:0/1", c1.ID, c1.ID, c2.ID)+"]" {
		t.Errorf("published %v", published)
	}
	got1, _ := w.s.Comment(ctx, c1.ID)
	got2, _ := w.s.Comment(ctx, c2.ID)
	if got1.Up != 1 || got1.Down != 1 || got2.Up != 0 || got2.Down != 1 {
		t.Errorf("counts %d/%d and %d/%d", got1.Up, got1.Down, got2.Up, got2.Down)
	}
	checkCounters(t, w.s)
}

// TestVoteBatch_Parallel: votes sent at once, while an earlier write holds
// the committer so that they meet in batches, are each answered with their
// own comment's counts; an account voting on the same comment from many
// requests at once still has one vote, and the counters equal the rows.
func TestVoteBatch_Parallel(t *testing.T) {
	w := newWorld(t)
	p := w.openProposal(t, "여럿이 투표할 제안")
	users := newUsers(t, w.s, 40)
	comments := []*forum.Comment{w.comment(t, p.ID, w.author.ID, 0, "하나"), w.comment(t, p.ID, w.author.ID, 0, "둘")}
	release := make(chan struct{})
	held := make(chan struct{})
	go func() {
		_ = w.s.write(ctx, func(*tx) error { close(held); <-release; return nil })
	}()
	<-held
	var wg sync.WaitGroup
	errs := make(chan error, 60)
	for i, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := comments[i%2]
			value := 1 - 2*(i%3/2) // +1, +1, -1, ...
			got, err := w.s.VoteComment(ctx, c.ID, u, value)
			if err == nil && got.ID != c.ID {
				err = fmt.Errorf("vote on %d answered with comment %d", c.ID, got.ID)
			}
			errs <- err
		}()
	}
	for range 20 { // one account, one comment, twenty requests at once
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := w.s.VoteComment(ctx, comments[0].ID, users[0], 1)
			errs <- err
		}()
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := count(t, w.s, `SELECT count(*) FROM comment_votes WHERE user_id = ?`, users[0]); n != 1 {
		t.Errorf("votes of users[0] = %d, want 1", n)
	}
	if n := count(t, w.s, `SELECT count(*) FROM comment_votes`); n != len(users) {
		t.Errorf("votes = %d, want %d", n, len(users))
	}
	checkCounters(t, w.s)
}
