package web

import (
	"strconv"

	"github.com/e-people/e-people/forum"
	"github.com/gofiber/fiber/v2"
)

type tally struct{ For, Against, Neutral int }

// thread is a comment thread as the page and the live channel draw it.
type thread struct {
	Subject     forum.Subject
	Path        string // the page of the proposal or debate
	Open        bool   // takes comments and votes
	Roots       []*forum.Comment
	BestFor     *forum.Comment
	BestAgainst *forum.Comment
	Tally       tally
	Order       forum.CommentOrder
	Votes       map[int64]int // the viewer's votes
	ReplyTo     int64         // the comment whose reply form is open
	Form        formState     // the comment form, when it came back with errors
	User        *forum.User
	Moderator   bool // the viewer may moderate: show the moderation links
	CSRF        string
	// Live marks a comment drawn once for every viewer of a live push: no
	// per-viewer state; member-only controls are hidden by script for guests.
	Live bool
	// Slot marks where the page writes the comments (threadcache.go).
	Slot  string
	entry *threadEntry

	// CommentNeed is the tier the viewer lacks to comment: the page says so
	// instead of the form.
	CommentNeed forum.Tier
}

// thread loads the comments of a proposal or debate for the viewer.
func (s *Server) thread(c *fiber.Ctx, subject forum.Subject, open bool) (*thread, error) {
	t := &thread{Subject: subject, Path: subject.Path(), Open: open, Order: forum.OrderBest, User: currentUser(c)}
	t.Moderator = forum.IsModerator(t.User)
	t.CSRF, _ = c.Locals("csrf").(string)
	t.CommentNeed = s.tierNeed(t.User, forum.ActionComment)
	if c.Query("order") == string(forum.OrderNewest) {
		t.Order = forum.OrderNewest
	}
	t.ReplyTo, _ = strconv.ParseInt(c.Query("reply"), 10, 64)
	e, err := s.threads.entry(c.UserContext(), s.store, subject)
	if err != nil {
		return nil, err
	}
	t.entry, t.Slot = e, s.threads.slot
	t.Tally, t.BestFor, t.BestAgainst, t.Roots = e.tally, e.bestFor, e.bestAgainst, e.roots[t.Order]
	if t.User != nil {
		if t.Votes, err = s.store.Votes(c.UserContext(), subject, t.User.ID); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func countStances(flat []*forum.Comment) tally {
	var t tally
	for _, cm := range flat {
		if !cm.Shown() {
			continue
		}
		switch cm.Stance {
		case forum.StanceFor:
			t.For++
		case forum.StanceAgainst:
			t.Against++
		default:
			t.Neutral++
		}
	}
	return t
}
