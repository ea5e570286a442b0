package forum

import "testing"

func TestStrongestArguments(t *testing.T) {
	c := func(id int64, stance Stance, up, down int) *Comment {
		return &Comment{ID: id, Stance: stance, Up: up, Down: down, Status: CommentVisible, ModState: ModVisible}
	}
	deleted := c(1, StanceAgainst, 50, 0)
	deleted.Status = CommentDeleted
	hidden := c(2, StanceAgainst, 40, 0)
	hidden.ModState = ModHidden
	held := c(3, StanceFor, 40, 0)
	held.ModState = ModHeld
	for _, tc := range []struct {
		name              string
		comments          []*Comment
		against, forID    int64
		objection, agrees bool // agrees: BestArguments finds the same against
	}{
		{"none", nil, 0, 0, false, true},
		{"neutral only", []*Comment{c(1, StanceNeutral, 9, 0)}, 0, 0, false, true},
		{"for only", []*Comment{c(4, StanceFor, 0, 0)}, 0, 4, false, true},
		{"a voted-down objection still counts", []*Comment{c(4, StanceAgainst, 0, 3)}, 4, 0, true, false},
		{"highest net score wins", []*Comment{c(4, StanceAgainst, 5, 0), c(5, StanceAgainst, 9, 2), c(6, StanceAgainst, 6, 6)}, 5, 0, true, true},
		{"a tie goes to the earlier", []*Comment{c(9, StanceAgainst, 3, 1), c(7, StanceAgainst, 2, 0), c(8, StanceFor, 1, 0), c(6, StanceFor, 1, 0)}, 7, 6, true, true},
		{"deleted, hidden and held never show", []*Comment{deleted, hidden, held, c(4, StanceAgainst, 1, 0), c(5, StanceFor, 0, 0)}, 4, 5, true, true},
		{"only unreadable objections: none", []*Comment{deleted, hidden}, 0, 0, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := StrongestArguments(tc.comments)
			if got, gotFor := a.IDs(); got != tc.against || gotFor != tc.forID {
				t.Errorf("StrongestArguments = against %d, for %d; want %d, %d", got, gotFor, tc.against, tc.forID)
			}
			if a.Objection() != tc.objection {
				t.Errorf("Objection() = %v, want %v", a.Objection(), tc.objection)
			}
			if !a.Shows(tc.against, tc.forID) || a.Shows(tc.against+100, tc.forID) || a.Shows(tc.against, tc.forID+100) {
				t.Errorf("Shows disagrees with the ids %d, %d", tc.against, tc.forID)
			}
			if _, best := BestArguments(tc.comments); best != nil && best != a.Against {
				t.Errorf("BestArguments says %d against, StrongestArguments %d", best.ID, argumentID(a.Against))
			} else if (best == a.Against) != tc.agrees {
				t.Errorf("BestArguments against = %v, want agreeing %v", best, tc.agrees)
			}
		})
	}
}
