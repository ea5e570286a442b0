package store

import (
	"testing"

	"github.com/e-people/e-people/forum"
)

// TestStatusListsSQL holds every SQL list of states equal to the domain rule
// it spells, for every state: one rule, two spellings.
func TestStatusListsSQL(t *testing.T) {
	s := openTest(t, nil)
	for _, tc := range []struct {
		name string
		list string
		rule func(forum.ProposalStatus) bool
	}{
		{"supportWindowStatuses", supportWindowStatuses, forum.ProposalStatus.InSupportWindow},
		{"awaitingStatuses", awaitingStatuses, forum.ProposalStatus.AwaitsAnswer},
		{"answeredStatuses", answeredStatuses, forum.ProposalStatus.Answered},
		{"publicStatuses", publicStatuses, forum.ProposalStatus.Public},
	} {
		n := 0
		for _, st := range forum.ProposalStatuses() {
			var in bool
			if err := s.DB().QueryRow(`SELECT ? IN (`+tc.list+`)`, st).Scan(&in); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if want := tc.rule(st); in != want {
				t.Errorf("%s: %s in the SQL list = %v, the rule says %v", tc.name, st, in, want)
			}
			if in {
				n++
			}
		}
		if n == 0 {
			t.Errorf("%s selects no state", tc.name)
		}
	}
	// activeUser is a condition on users u rather than a list of states.
	for _, st := range []forum.UserStatus{forum.UserActive, forum.UserSuspended, forum.UserBanned} {
		var active bool
		if err := s.DB().QueryRow(`SELECT `+activeUser+` FROM (SELECT ? AS status) u`, st).Scan(&active); err != nil {
			t.Fatalf("activeUser: %v", err)
		}
		if want := (&forum.User{Status: st}).Active(); active != want {
			t.Errorf("activeUser: a %s account is active in SQL = %v, forum.User.Active says %v", st, active, want)
		}
	}
}
