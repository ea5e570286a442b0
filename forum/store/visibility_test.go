package store

import (
	"testing"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
)

// TestPublicProposalSQL holds the SQL rule equal to forum.Proposal.Public for
// every status, moderation state and publication: one rule, two spellings.
func TestPublicProposalSQL(t *testing.T) {
	w := newWorld(t)
	statuses := []forum.ProposalStatus{forum.StatusDraft, forum.StatusGathering, forum.StatusOpen, forum.StatusClosed,
		forum.StatusWithdrawn, forum.StatusAwaiting, forum.StatusAnswered, forum.StatusReferred}
	states := []forum.ModState{forum.ModVisible, forum.ModHeld, forum.ModHidden}
	want := map[int64]bool{}
	for _, st := range statuses {
		for _, ms := range states {
			for _, published := range []bool{false, true} {
				p := w.propose(t, "공개 규칙 "+string(st)+" "+string(ms), true, 1)
				err := w.s.write(ctx, func(x *tx) error {
					pub := any(nil)
					if published {
						pub = x.now.Unix()
					}
					_, err := x.ExecContext(ctx, `UPDATE proposals SET status = ?, mod_state = ?, published_at = ? WHERE id = ?`, st, ms, pub, p.ID)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				got, err := w.s.Proposal(ctx, p.ID)
				if err != nil {
					t.Fatal(err)
				}
				want[p.ID] = got.Public()
			}
		}
	}
	rows, err := w.s.DB().Query(`SELECT p.id, ` + publicProposal + ` FROM proposals p`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n, public := 0, 0
	for rows.Next() {
		var id int64
		var sqlPublic bool
		if err := rows.Scan(&id, &sqlPublic); err != nil {
			t.Fatal(err)
		}
		if sqlPublic != want[id] {
			t.Errorf("proposal %d: SQL says public=%v, forum says %v", id, sqlPublic, want[id])
		}
		n++
		if sqlPublic {
			public++
		}
	}
	// Visible only: the 5 public statuses with or without a publication date, and withdrawn after publishing.
	if n != len(statuses)*len(states)*2 || public != 11 {
		t.Errorf("checked %d proposals, %d public; want %d and 11", n, public, len(statuses)*len(states)*2)
	}
}

// A held proposal gathers no co-sponsors: today's link could open it while held.
func TestStore_SponsorHeldProposal(t *testing.T) {
	w := newRoleWorld(t)
	p, err := w.s.CreateProposal(ctx, NewProposal{AuthorID: w.author.ID,
		Input: forum.ProposalInput{Title: "보류된 제안", Body: "본문", CategoryID: w.category, MinistryID: w.ministry},
		Body:  html("본문"), SponsorToken: "held-token", Hold: []string{"new_account"}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != forum.StatusGathering || p.ModState != forum.ModHeld {
		t.Fatalf("proposal is %s/%s, want gathering/held", p.Status, p.ModState)
	}
	_, err = w.s.Sponsor(ctx, p.ID, w.citizen.ID, "held-token", 1)
	wantErr(t, err, forum.ErrInvalidState)
	if got, _ := w.s.Proposal(ctx, p.ID); got.Status != forum.StatusGathering || got.Sponsors != 0 {
		t.Errorf("after a refused co-sponsor: %s with %d sponsors", got.Status, got.Sponsors)
	}
	// Approved, it gathers again.
	if err := w.s.Restore(ctx, w.moderator, forum.ItemProposal, p.ID); err != nil {
		t.Fatal(err)
	}
	got, err := w.s.Sponsor(ctx, p.ID, w.citizen.ID, "held-token", 1)
	if err != nil || got.Status != forum.StatusOpen {
		t.Fatalf("sponsor after approval: %v, status %v", err, got)
	}
}

// A held or hidden comment takes no replies and no votes, and tells its
// author of none.
func TestStore_NoInteractionUnderWithheldComment(t *testing.T) {
	w := newRoleWorld(t)
	p := w.openProposal(t, "답글 규칙")
	held := w.heldComment(t, p.ID, w.citizen.ID, "보류된 의견", "links")
	hidden := w.comment(t, p.ID, w.citizen.ID, 0, "숨길 의견")
	if err := w.s.Hide(ctx, w.moderator, forum.ItemComment, hidden.ID, moderation.HideSpam); err != nil {
		t.Fatal(err)
	}
	before := count(t, w.s, `SELECT count(*) FROM notifications WHERE user_id = ?`, w.citizen.ID)
	for _, c := range []*forum.Comment{held, hidden} {
		_, err := w.s.CreateComment(ctx, NewComment{Subject: forum.ProposalSubject(p.ID), AuthorID: w.reporter.ID,
			Input: forum.CommentInput{ParentID: c.ID, Stance: forum.StanceFor, Body: "답글"}, Body: html("답글")})
		wantInvalid(t, err, "err.parent_missing")
		_, err = w.s.VoteComment(ctx, c.ID, w.reporter.ID, 1)
		wantErr(t, err, forum.ErrInvalidState)
	}
	if n := count(t, w.s, `SELECT count(*) FROM comments WHERE parent_id IN (?, ?)`, held.ID, hidden.ID); n != 0 {
		t.Errorf("%d replies stored under withheld comments", n)
	}
	if n := count(t, w.s, `SELECT count(*) FROM comment_votes WHERE comment_id IN (?, ?)`, held.ID, hidden.ID); n != 0 {
		t.Errorf("%d votes stored on withheld comments", n)
	}
	if n := count(t, w.s, `SELECT count(*) FROM notifications WHERE user_id = ?`, w.citizen.ID); n != before {
		t.Errorf("the author got %d notifications about withheld comments", n-before)
	}
}

// While an appeal on a hidden comment waits, its author can neither edit nor
// blank it: the appeal is judged on the text that was hidden.
func TestStore_NoChangeUnderPendingAppeal(t *testing.T) {
	w := newRoleWorld(t)
	p := w.openProposal(t, "이의 제기 규칙")
	c := w.comment(t, p.ID, w.citizen.ID, 0, "숨겨질 원문")
	if err := w.s.Hide(ctx, w.moderator, forum.ItemComment, c.ID, moderation.HideOffensive); err != nil {
		t.Fatal(err)
	}
	if err := w.s.FileAppeal(ctx, w.citizen.ID, forum.ItemComment, c.ID, "부당합니다"); err != nil {
		t.Fatal(err)
	}
	_, err := w.s.EditComment(ctx, c.ID, w.citizen.ID, "바꾼 글", html("바꾼 글"), forum.DefaultRules, nil)
	wantErr(t, err, forum.ErrInvalidState)
	_, err = w.s.DeleteComment(ctx, c.ID, w.citizen.ID)
	wantErr(t, err, forum.ErrInvalidState)
	got, err := w.s.Comment(ctx, c.ID)
	if err != nil || got.BodySrc != "숨겨질 원문" || got.Status != forum.CommentVisible {
		t.Fatalf("comment under appeal changed: %v %+v", err, got)
	}
	// Once decided, the author may blank it again.
	var appealID int64
	if err := w.s.DB().QueryRow(`SELECT id FROM appeals WHERE item_id = ?`, c.ID).Scan(&appealID); err != nil {
		t.Fatal(err)
	}
	if err := w.s.DecideAppeal(ctx, w.admin, appealID, false, "유지"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.DeleteComment(ctx, c.ID, w.citizen.ID); err != nil {
		t.Errorf("delete after the appeal was decided: %v", err)
	}
}

// Comments under a hidden proposal leave their author's public profile, and
// events on a hidden proposal's topic leave the public feed.
func TestStore_HiddenProposalLeavesPublicReads(t *testing.T) {
	w := newRoleWorld(t)
	p := w.openProposal(t, "숨길 제안")
	w.comment(t, p.ID, w.citizen.ID, 0, "숨길 제안 아래 의견")
	if got, _ := w.s.UserComments(ctx, w.citizen.ID, 10); len(got) != 1 {
		t.Fatalf("profile lists %d comments before hiding, want 1", len(got))
	}
	if err := w.s.Hide(ctx, w.moderator, forum.ItemProposal, p.ID, moderation.HideSpam); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.s.UserComments(ctx, w.citizen.ID, 10); len(got) != 0 {
		t.Errorf("profile lists %d comments under a hidden proposal: %+v", len(got), got[0].SubjectTitle)
	}
	last := lastEventID(t, w.s)
	if _, err := w.s.Unsupport(ctx, p.ID, w.citizen.ID); err != nil && !isNotFound(err) {
		t.Logf("unsupport: %v", err)
	}
	if err := w.s.SetLock(ctx, w.moderator, forum.ProposalSubject(p.ID), true); err != nil {
		t.Fatal(err)
	}
	if n := count(t, w.s, `SELECT count(*) FROM events WHERE id > ? AND topic = ? AND public = 1`, last, forum.ProposalTopic(p.ID)); n != 0 {
		t.Errorf("%d public events on a hidden proposal's topic", n)
	}
	if n := count(t, w.s, `SELECT count(*) FROM events WHERE id > ? AND topic = ?`, last, forum.ProposalTopic(p.ID)); n == 0 {
		t.Errorf("locking wrote no event on the proposal's topic: the check above proves nothing")
	}
}
