package forum

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestCanMerge is the rule of who may merge what, whole: every role, and
// every status of both proposals.
func TestCanMerge(t *testing.T) {
	const ministry, other = 1, 2
	staff := func(role Role, m int64) *User {
		return &User{ID: 9, Role: role, MinistryID: m, Status: UserActive, TwoFactor: true}
	}
	prop := func(id int64, s ProposalStatus, m int64) *Proposal {
		return &Proposal{ID: id, Status: s, MinistryID: m, ModState: ModVisible}
	}
	a, b := prop(1, StatusOpen, ministry), prop(2, StatusOpen, ministry)
	noFactor := staff(RoleModerator, 0)
	noFactor.TwoFactor = false
	suspended := staff(RoleAdmin, 0)
	suspended.Status = UserSuspended
	for _, tc := range []struct {
		name string
		u    *User
		into *Proposal
		from *Proposal
		key  string // "" when allowed
	}{
		{"guest", nil, a, b, "err.merge_forbidden"},
		{"citizen", &User{ID: 3, Role: RoleCitizen, Status: UserActive}, a, b, "err.merge_forbidden"},
		{"moderator", staff(RoleModerator, 0), a, b, ""},
		{"admin", staff(RoleAdmin, 0), a, b, ""},
		{"moderator without second factor", noFactor, a, b, "err.merge_forbidden"},
		{"suspended admin", suspended, a, b, "err.merge_forbidden"},
		{"official of the ministry", staff(RoleOfficial, ministry), a, b, ""},
		{"official of another ministry", staff(RoleOfficial, other), a, b, "err.merge_forbidden"},
		{"official, B elsewhere", staff(RoleOfficial, ministry), a, prop(2, StatusOpen, other), "err.merge_forbidden"},
		{"moderator, B elsewhere", staff(RoleModerator, 0), a, prop(2, StatusOpen, other), ""},
		{"itself", staff(RoleModerator, 0), a, a, "err.merge_same"},
		{"B merged", staff(RoleModerator, 0), a, &Proposal{ID: 2, Status: StatusClosed, MinistryID: 1, MergedInto: 5}, "err.proposal_merged"},
		{"A merged", staff(RoleModerator, 0), &Proposal{ID: 1, Status: StatusClosed, MinistryID: 1, MergedInto: 5}, b, "err.merge_into_merged"},
		{"B hidden", staff(RoleModerator, 0), a, &Proposal{ID: 2, Status: StatusOpen, MinistryID: 1, ModState: ModHidden}, "err.merge_from_state"},
		{"A held", staff(RoleModerator, 0), &Proposal{ID: 1, Status: StatusOpen, MinistryID: 1, ModState: ModHeld}, b, "err.merge_into_state"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkRefusal(t, CanMerge(tc.u, tc.into, tc.from), tc.key)
		})
	}
	fromOK := map[ProposalStatus]bool{StatusOpen: true, StatusAwaiting: true, StatusClosed: true}
	intoOK := map[ProposalStatus]bool{StatusOpen: true, StatusAwaiting: true, StatusAnswered: true, StatusReferred: true}
	mod := staff(RoleModerator, 0)
	for _, s := range ProposalStatuses() {
		t.Run("from "+string(s), func(t *testing.T) {
			key := "err.merge_from_state"
			if fromOK[s] {
				key = ""
			}
			checkRefusal(t, CanMerge(mod, a, prop(2, s, ministry)), key)
		})
		t.Run("into "+string(s), func(t *testing.T) {
			key := "err.merge_into_state"
			if intoOK[s] {
				key = ""
			}
			checkRefusal(t, CanMerge(mod, prop(1, s, ministry), b), key)
		})
	}
}

func checkRefusal(t *testing.T, err error, key string) {
	t.Helper()
	var r *Refusal
	switch {
	case key == "" && err != nil:
		t.Errorf("refused: %v", err)
	case key != "" && (!errors.As(err, &r) || r.Key != key):
		t.Errorf("error = %v, want refusal %s", err, key)
	}
}

// TestMerge_UndoWindowAndReason: a merge can be undone for 7 days, not a
// second later nor twice, and its reason is required and bounded.
func TestMerge_UndoWindowAndReason(t *testing.T) {
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	m := &Merge{CreatedAt: at}
	if !m.UndoableAt(at.Add(MergeUndoWindow - time.Second)) {
		t.Error("not undoable within the window")
	}
	if m.UndoableAt(at.Add(MergeUndoWindow)) {
		t.Error("undoable after the window")
	}
	m.UndoneAt = at.Add(time.Hour)
	if m.UndoableAt(at.Add(2 * time.Hour)) {
		t.Error("undoable twice")
	}
	if r, err := CheckMergeReason("  중복 제안  "); err != nil || r != "중복 제안" {
		t.Errorf("CheckMergeReason = %q, %v", r, err)
	}
	for in, key := range map[string]string{" \n ": "err.merge_reason_required", strings.Repeat("가", MergeReasonMax+1): "err.merge_reason_long"} {
		var ve *ValidationError
		if _, err := CheckMergeReason(in); !errors.As(err, &ve) || ve.Key != key {
			t.Errorf("CheckMergeReason(%.10q) = %v, want %s", in, err, key)
		}
	}
}
