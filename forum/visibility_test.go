package forum

import (
	"testing"
	"time"
)

func TestProposal_VisibilityTo(t *testing.T) {
	author := &User{ID: 1, Role: RoleCitizen, Status: UserActive}
	citizen := &User{ID: 2, Role: RoleCitizen, Status: UserActive}
	official := &User{ID: 3, Role: RoleOfficial, Status: UserActive, MinistryID: 9}
	mod := &User{ID: 4, Role: RoleModerator, Status: UserActive, TwoFactor: true}
	admin := &User{ID: 5, Role: RoleAdmin, Status: UserActive, TwoFactor: true}
	bannedMod := &User{ID: 6, Role: RoleModerator, Status: UserBanned, TwoFactor: true}
	published := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	type want struct{ guest, citizen, official, author, mod, admin, bannedMod Visibility }
	for _, tc := range []struct {
		name      string
		status    ProposalStatus
		published bool
		state     ModState
		want      want
	}{
		{"draft", StatusDraft, false, ModVisible, want{Unseen, Unseen, Unseen, Seen, Unseen, Unseen, Unseen}},
		{"gathering", StatusGathering, false, ModVisible, want{Unseen, Unseen, Unseen, Seen, Seen, Seen, Unseen}},
		{"gathering held", StatusGathering, false, ModHeld, want{Unseen, Unseen, Unseen, Seen, Seen, Seen, Unseen}},
		{"withdrawn before publishing", StatusWithdrawn, false, ModVisible, want{Unseen, Unseen, Unseen, Seen, Seen, Seen, Unseen}},
		{"open", StatusOpen, true, ModVisible, want{Seen, Seen, Seen, Seen, Seen, Seen, Seen}},
		{"open held", StatusOpen, true, ModHeld, want{Withheld, Withheld, Withheld, Seen, Seen, Seen, Withheld}},
		{"open hidden", StatusOpen, true, ModHidden, want{Withheld, Withheld, Withheld, Seen, Seen, Seen, Withheld}},
		{"answered hidden", StatusAnswered, true, ModHidden, want{Withheld, Withheld, Withheld, Seen, Seen, Seen, Withheld}},
		{"withdrawn after publishing", StatusWithdrawn, true, ModVisible, want{Seen, Seen, Seen, Seen, Seen, Seen, Seen}},
		{"withdrawn after publishing, hidden", StatusWithdrawn, true, ModHidden, want{Withheld, Withheld, Withheld, Seen, Seen, Seen, Withheld}},
		{"closed", StatusClosed, true, ModVisible, want{Seen, Seen, Seen, Seen, Seen, Seen, Seen}},
	} {
		p := &Proposal{AuthorID: author.ID, Status: tc.status, ModState: tc.state}
		if tc.published {
			p.PublishedAt = published
		}
		// Staff without a confirmed second factor have no staff powers yet:
		// they see what a citizen sees.
		for _, u := range []*User{{ID: 7, Role: RoleModerator, Status: UserActive}, {ID: 8, Role: RoleAdmin, Status: UserActive}} {
			if got, want := p.VisibilityTo(u), p.VisibilityTo(citizen); got != want {
				t.Errorf("%s: an unenrolled %s sees %v, want a citizen's %v", tc.name, u.Role, got, want)
			}
		}
		got := want{p.VisibilityTo(nil), p.VisibilityTo(citizen), p.VisibilityTo(official), p.VisibilityTo(author),
			p.VisibilityTo(mod), p.VisibilityTo(admin), p.VisibilityTo(bannedMod)}
		if got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
		// Public is what a guest may read whole, and an answer is seen as its proposal.
		if p.Public() != (p.VisibilityTo(nil) == Seen) {
			t.Errorf("%s: Public() = %v, guest sees %v", tc.name, p.Public(), p.VisibilityTo(nil))
		}
		if ResponseVisibility(p, citizen) != p.VisibilityTo(citizen) {
			t.Errorf("%s: an answer is seen otherwise than its proposal", tc.name)
		}
	}
}

func TestProposal_SponsorableBy(t *testing.T) {
	author := &User{ID: 1}
	other := &User{ID: 2}
	for _, tc := range []struct {
		status         ProposalStatus
		state          ModState
		author, others bool
	}{
		{StatusGathering, ModVisible, true, true},
		{StatusGathering, ModHeld, true, false}, // a held proposal is co-sponsored by no one
		{StatusGathering, ModHidden, true, false},
		{StatusDraft, ModVisible, false, false},
		{StatusOpen, ModVisible, false, false},
	} {
		p := &Proposal{AuthorID: author.ID, Status: tc.status, ModState: tc.state}
		if p.SponsorableBy(author) != tc.author || p.SponsorableBy(other) != tc.others || p.SponsorableBy(nil) != tc.others {
			t.Errorf("%s/%s: author %v others %v, want %v %v", tc.status, tc.state, p.SponsorableBy(author), p.SponsorableBy(other), tc.author, tc.others)
		}
	}
}

func TestComment_VisibilityTo(t *testing.T) {
	author := &User{ID: 1, Role: RoleCitizen, Status: UserActive}
	citizen := &User{ID: 2, Role: RoleCitizen, Status: UserActive}
	mod := &User{ID: 4, Role: RoleModerator, Status: UserActive, TwoFactor: true}
	type want struct{ guest, citizen, author, mod Visibility }
	for _, tc := range []struct {
		name   string
		status CommentStatus
		state  ModState
		thread Visibility
		want   want
	}{
		{"shown", CommentVisible, ModVisible, Seen, want{Seen, Seen, Seen, Seen}},
		{"held", CommentVisible, ModHeld, Seen, want{Withheld, Withheld, Seen, Seen}},
		{"hidden", CommentVisible, ModHidden, Seen, want{Withheld, Withheld, Seen, Seen}},
		{"deleted", CommentDeleted, ModVisible, Seen, want{Withheld, Withheld, Withheld, Withheld}},
		{"under a withheld thread", CommentVisible, ModVisible, Withheld, want{Unseen, Unseen, Unseen, Unseen}},
		{"under an unseen thread", CommentVisible, ModVisible, Unseen, want{Unseen, Unseen, Unseen, Unseen}},
	} {
		c := &Comment{AuthorID: author.ID, Status: tc.status, ModState: tc.state}
		got := want{c.VisibilityTo(nil, tc.thread), c.VisibilityTo(citizen, tc.thread), c.VisibilityTo(author, tc.thread), c.VisibilityTo(mod, tc.thread)}
		if got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
		if c.TakesInteraction() != (tc.status == CommentVisible && tc.state == ModVisible) {
			t.Errorf("%s: TakesInteraction = %v", tc.name, c.TakesInteraction())
		}
	}
}
