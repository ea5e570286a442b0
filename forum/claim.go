package forum

import "time"

// ClaimTTL is how long a moderator's claim on a review entry holds: while it
// holds, only the moderator who claimed the entry (or an administrator) may
// decide it; after it, anyone may claim the entry again. Half an hour is
// time enough to read a long thread and the author's record, short enough
// that an entry left by someone who walked away does not wait for long.
const ClaimTTL = 30 * time.Minute

// ClaimedError refuses a decision on a review entry that another moderator
// holds: it names who and until when. It matches ErrConflict.
type ClaimedError struct {
	By    string    // the display name of the moderator who holds it
	ByID  int64     // their account
	Until time.Time // when the claim lapses
}

// Error says who holds the claim, for logs.
func (e *ClaimedError) Error() string {
	return "claimed by " + e.By + " until " + e.Until.UTC().Format(time.RFC3339)
}

// Unwrap makes a ClaimedError match ErrConflict.
func (e *ClaimedError) Unwrap() error { return ErrConflict }

// ClaimHolds reports whether a moderator's claim on the entry holds at now.
func (it *ReviewItem) ClaimHolds(now time.Time) bool {
	return it.ClaimedBy != 0 && now.Before(it.ClaimUntil())
}

// ClaimUntil is when the entry's claim lapses; zero when it has none.
func (it *ReviewItem) ClaimUntil() time.Time {
	if it.ClaimedBy == 0 {
		return time.Time{}
	}
	return it.ClaimedAt.Add(ClaimTTL)
}
