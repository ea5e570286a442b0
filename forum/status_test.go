package forum

import (
	"strings"
	"testing"
)

// TestStatusRules lists what every proposal state allows. A change to a rule
// changes a row here, on purpose.
func TestStatusRules(t *testing.T) {
	rules := []struct {
		name string
		rule func(ProposalStatus) bool
	}{
		{"Public", ProposalStatus.Public},
		{"Draft", ProposalStatus.Draft},
		{"Withdrawn", ProposalStatus.Withdrawn},
		{"Submittable", ProposalStatus.Submittable},
		{"Withdrawable", ProposalStatus.Withdrawable},
		{"TakesSponsors", ProposalStatus.TakesSponsors},
		{"InSupportWindow", ProposalStatus.InSupportWindow},
		{"TakesSupport", ProposalStatus.TakesSupport},
		{"TakesComments", ProposalStatus.TakesComments},
		{"AwaitsAnswer", ProposalStatus.AwaitsAnswer},
		{"Answerable", ProposalStatus.Answerable},
		{"Answered", ProposalStatus.Answered},
		{"Routable", ProposalStatus.Routable},
		{"Closed", ProposalStatus.Closed},
	}
	// One column per rule above, in order; x allows.
	for _, tc := range []struct {
		status ProposalStatus
		allows string // Pub Dra Wdn Sub Wdr Spo Win Sup Com Awa Ans Ansd Rou Clo
	}{
		{StatusDraft, ". x . x x . . . . . . . . ."},
		{StatusGathering, ". . . . x x . . . . . . . ."},
		{StatusOpen, "x . . . x . x x x . . . x ."},
		{StatusAwaiting, "x . . . . . . x x x x . x ."},
		{StatusAnswered, "x . . . . . . . x . x x x ."},
		{StatusReferred, "x . . . . . . . x . x x x ."},
		{StatusClosed, "x . . . . . . . . . . . x x"},
		{StatusWithdrawn, ". . x . . . . . . . . . . ."},
		{"bogus", ". . . . . . . . . . . . . ."},
	} {
		cols := strings.Fields(tc.allows)
		if len(cols) != len(rules) {
			t.Fatalf("%s: %d columns for %d rules", tc.status, len(cols), len(rules))
		}
		for i, r := range rules {
			if got, want := r.rule(tc.status), cols[i] == "x"; got != want {
				t.Errorf("%s.%s() = %v, want %v", tc.status, r.name, got, want)
			}
		}
	}
	if got := len(ProposalStatuses()); got != 8 {
		t.Errorf("ProposalStatuses has %d states, the table above 8", got)
	}
	for _, s := range ProposalStatuses() {
		if !s.Valid() {
			t.Errorf("%s is listed but not Valid", s)
		}
	}
}

// TestProposal_TakesComments adds the lock and moderation to the state's rule.
func TestProposal_TakesComments(t *testing.T) {
	for _, tc := range []struct {
		p    Proposal
		want bool
	}{
		{Proposal{Status: StatusOpen, ModState: ModVisible}, true},
		{Proposal{Status: StatusReferred}, true},
		{Proposal{Status: StatusOpen, ModState: ModVisible, Locked: true}, false},
		{Proposal{Status: StatusOpen, ModState: ModHeld}, false},
		{Proposal{Status: StatusAnswered, ModState: ModHidden}, false},
		{Proposal{Status: StatusClosed, ModState: ModVisible}, false},
		{Proposal{Status: StatusGathering, ModState: ModVisible}, false},
	} {
		if got := tc.p.TakesComments(); got != tc.want {
			t.Errorf("%s, %s, locked %v: TakesComments = %v, want %v", tc.p.Status, tc.p.ModState, tc.p.Locked, got, tc.want)
		}
	}
}

// TestDebateStatusRules lists what every debate state allows.
func TestDebateStatusRules(t *testing.T) {
	if got := DebateStatuses(); len(got) != 3 || got[0] != DebateUpcoming || got[1] != DebateOpen || got[2] != DebateClosed {
		t.Errorf("DebateStatuses = %v, want upcoming, open, closed", got)
	}
	for _, tc := range []struct {
		status                          DebateStatus
		upcoming, comments, concludable bool
	}{
		{DebateUpcoming, true, false, false},
		{DebateOpen, false, true, false},
		{DebateClosed, false, false, true},
	} {
		s := tc.status
		if s.Upcoming() != tc.upcoming || s.TakesComments() != tc.comments || s.Concludable() != tc.concludable {
			t.Errorf("%s: Upcoming %v, TakesComments %v, Concludable %v; want %v, %v, %v", s,
				s.Upcoming(), s.TakesComments(), s.Concludable(), tc.upcoming, tc.comments, tc.concludable)
		}
		for _, locked := range []bool{false, true} {
			d := Debate{Status: s, Locked: locked}
			if got, want := d.TakesComments(), tc.comments && !locked; got != want {
				t.Errorf("%s, locked %v: Debate.TakesComments = %v, want %v", s, locked, got, want)
			}
		}
	}
}

// TestUser_ActiveAndCanAdminister: only an active account acts, and only an
// active administrator with a confirmed second factor administers; a guest
// (nil) does neither.
func TestUser_ActiveAndCanAdminister(t *testing.T) {
	for _, tc := range []struct {
		name               string
		u                  *User
		active, administer bool
	}{
		{"guest", nil, false, false},
		{"citizen", &User{Role: RoleCitizen, Status: UserActive}, true, false},
		{"official", &User{Role: RoleOfficial, Status: UserActive, TwoFactor: true}, true, false},
		{"moderator", &User{Role: RoleModerator, Status: UserActive, TwoFactor: true}, true, false},
		{"admin", &User{Role: RoleAdmin, Status: UserActive, TwoFactor: true}, true, true},
		{"admin without a second factor", &User{Role: RoleAdmin, Status: UserActive}, true, false},
		{"suspended admin", &User{Role: RoleAdmin, Status: UserSuspended, TwoFactor: true}, false, false},
		{"banned admin", &User{Role: RoleAdmin, Status: UserBanned, TwoFactor: true}, false, false},
	} {
		if got := tc.u.Active(); got != tc.active {
			t.Errorf("%s: Active() = %v, want %v", tc.name, got, tc.active)
		}
		if got := tc.u.CanAdminister(); got != tc.administer {
			t.Errorf("%s: CanAdminister() = %v, want %v", tc.name, got, tc.administer)
		}
	}
}
