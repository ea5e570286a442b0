package forum

import (
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/e-people/e-people/moderation"
)

// Stance is the side a comment argues.
type Stance string

// Stances.
const (
	StanceFor     Stance = "for"
	StanceAgainst Stance = "against"
	StanceNeutral Stance = "neutral"
)

// Valid reports whether s is a defined stance.
func (s Stance) Valid() bool { return s == StanceFor || s == StanceAgainst || s == StanceNeutral }

// CommentStatus says whether a comment is shown.
type CommentStatus string

// Comment states. A deleted comment keeps its place in the thread as a placeholder.
const (
	CommentVisible CommentStatus = "visible"
	CommentDeleted CommentStatus = "deleted"
)

// SubjectKind says what a comment thread hangs under.
type SubjectKind string

// Subject kinds.
const (
	KindProposal SubjectKind = "proposal"
	KindDebate   SubjectKind = "debate"
)

// Subject is the proposal or debate a comment belongs to.
type Subject struct {
	Kind SubjectKind
	ID   int64
}

// ProposalSubject is the comment thread of proposal id.
func ProposalSubject(id int64) Subject { return Subject{KindProposal, id} }

// DebateSubject is the comment thread of debate id.
func DebateSubject(id int64) Subject { return Subject{KindDebate, id} }

// Topic is the live topic of the subject.
func (s Subject) Topic() string { return string(s.Kind) + ":" + strconv.FormatInt(s.ID, 10) }

// Path is the subject's page.
func (s Subject) Path() string { return "/" + string(s.Kind) + "s/" + strconv.FormatInt(s.ID, 10) }

// Comment is an argument or reply on a proposal or in a debate.
type Comment struct {
	ID         int64
	Lang       string // the language of the body (DetectLang; "" not known), for lang="…"
	ProposalID int64  // set for comments on a proposal
	DebateID   int64  // set for arguments in a debate
	ParentID   int64  // 0 for a top-level comment
	Depth      int    // 1 for top level, up to MaxCommentDepth
	AuthorID   int64
	AuthorName string
	AuthorRole Role
	Stance     Stance
	BodySrc    string
	Body       moderation.Sanitized
	Up         int
	Down       int
	Status     CommentStatus
	ModState   ModState
	ModReason  string // public reason code when hidden
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int64      // incremented by the database on every change; caches key on it
	Replies    []*Comment // filled when a thread is assembled
}

// Subject is the proposal or debate the comment belongs to.
func (c *Comment) Subject() Subject {
	if c.DebateID != 0 {
		return DebateSubject(c.DebateID)
	}
	return ProposalSubject(c.ProposalID)
}

// Score is the comment's net vote.
func (c *Comment) Score() int { return c.Up - c.Down }

// Edited reports whether the comment was changed after it was posted.
func (c *Comment) Edited() bool { return c.UpdatedAt.After(c.CreatedAt) }

// CanReply reports whether a reply may be posted under c.
func (c *Comment) CanReply() bool {
	return c.Depth < MaxCommentDepth && c.Shown()
}

// Shown reports whether the comment's text is shown to everyone.
func (c *Comment) Shown() bool { return !c.Deleted() && c.ModState.Visible() }

// Deleted reports whether the author deleted c; its place in the thread stays.
func (c *Comment) Deleted() bool { return c.Status == CommentDeleted }

// CommentInput is what a commenter writes.
type CommentInput struct {
	ParentID int64
	Stance   Stance
	Body     string
}

// Validate checks the input and returns every problem at once.
func (in CommentInput) Validate() error {
	var errs ValidationErrors
	if !in.Stance.Valid() {
		errs = append(errs, Invalid("stance", "err.stance_required"))
	}
	if strings.TrimSpace(in.Body) == "" {
		errs = append(errs, Invalid("body", "err.body_required"))
	} else if utf8.RuneCountInString(in.Body) > CommentBodyMax {
		errs = append(errs, Invalid("body", "err.body_too_long", CommentBodyMax))
	}
	return errs.Err()
}

// CanEditComment reports whether the author may still edit c at now.
func (r Rules) CanEditComment(c *Comment, now time.Time) bool {
	return c.Status == CommentVisible && now.Sub(c.CreatedAt) <= r.CommentEdit
}

// Thread arranges a flat list of comments, ordered as they should appear
// within each level, into top-level comments with nested replies.
func Thread(flat []*Comment) []*Comment {
	byID := make(map[int64]*Comment, len(flat))
	for _, c := range flat {
		c.Replies = nil
		byID[c.ID] = c
	}
	var roots []*Comment
	for _, c := range flat {
		if p, ok := byID[c.ParentID]; ok && c.ParentID != 0 {
			p.Replies = append(p.Replies, c)
		} else {
			roots = append(roots, c)
		}
	}
	return roots
}

// BestArguments returns the visible comments with the highest positive score
// arguing for and against, or nil where there is none. Ties go to the earlier.
func BestArguments(flat []*Comment) (bestFor, bestAgainst *Comment) {
	better := func(c, best *Comment) bool {
		return c.Shown() && c.Score() > 0 &&
			(best == nil || c.Score() > best.Score() || (c.Score() == best.Score() && c.ID < best.ID))
	}
	for _, c := range flat {
		switch {
		case c.Stance == StanceFor && better(c, bestFor):
			bestFor = c
		case c.Stance == StanceAgainst && better(c, bestAgainst):
			bestAgainst = c
		}
	}
	return bestFor, bestAgainst
}

// CommentOrder is how top-level comments are ordered; replies always read oldest first.
type CommentOrder string

// Comment orders.
const (
	OrderBest   CommentOrder = "best"
	OrderNewest CommentOrder = "newest"
)

// SortRoots orders top-level comments in place: best by score then age, or newest first.
func SortRoots(roots []*Comment, order CommentOrder) {
	sort.SliceStable(roots, func(i, j int) bool {
		a, b := roots[i], roots[j]
		if order == OrderNewest {
			return a.ID > b.ID
		}
		if a.Score() != b.Score() {
			return a.Score() > b.Score()
		}
		return a.ID < b.ID
	})
}
