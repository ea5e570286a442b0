package forum

// The strongest objection before a support ("consider the opposite", issue 18).
//
// Before a citizen's support of a proposal is recorded, the support step
// shows the strongest argument against it, and the strongest for it if
// there is one, and the citizen confirms having read them. The rule that
// picks them lives here, once:
//
//   - a candidate is a comment on the proposal (at any depth: a reply takes
//     its own stance on the proposal) with the stance against (or for);
//   - it must be readable by everyone: not deleted, not held or hidden by
//     moderation (Comment.VisibilityTo a guest, in a thread everyone sees);
//   - the strongest has the highest net score (up votes minus down votes,
//     Comment.Score), and of equal scores the earliest (lowest id).
//
// Unlike BestArguments, which headlines a thread and wants a positive
// score, any score qualifies: an argument against that readers voted down
// is still the strongest one there is, and the citizen should read it. When
// BestArguments finds an argument, StrongestArguments finds the same one,
// so the thread's headline and the support step never disagree. The net
// score, rather than a Wilson lower bound, is the order the thread's "best"
// tab shows, so the argument the citizen is sent to is the one on top there.

// Arguments is what the support step of a proposal shows: the strongest
// argument against it and the strongest for it, either nil when there is
// none.
type Arguments struct {
	Against *Comment
	For     *Comment
}

// StrongestArguments picks from a proposal's comments (in any order) the
// strongest argument against and the strongest for, by the rule above.
func StrongestArguments(comments []*Comment) Arguments {
	var a Arguments
	for _, c := range comments {
		switch {
		case c.Stance == StanceAgainst && stronger(c, a.Against):
			a.Against = c
		case c.Stance == StanceFor && stronger(c, a.For):
			a.For = c
		}
	}
	return a
}

// stronger reports whether c qualifies and beats best (nil: none yet).
func stronger(c, best *Comment) bool {
	if c.VisibilityTo(nil, Seen) != Seen {
		return false
	}
	return best == nil || c.Score() > best.Score() || (c.Score() == best.Score() && c.ID < best.ID)
}

// Objection reports whether a support must first show the arguments: there
// is an argument against. With none, a support is recorded at once.
func (a Arguments) Objection() bool { return a.Against != nil }

// Shows reports whether a citizen who was shown the arguments against and
// for with ids against and forID (0: none shown) was shown exactly these:
// a support confirmed on stale arguments is shown them again.
func (a Arguments) Shows(against, forID int64) bool {
	return argumentID(a.Against) == against && argumentID(a.For) == forID
}

// IDs returns the ids of the arguments against and for, 0 where there is none.
func (a Arguments) IDs() (against, forID int64) { return argumentID(a.Against), argumentID(a.For) }

func argumentID(c *Comment) int64 {
	if c == nil {
		return 0
	}
	return c.ID
}
