package web

import (
	"bytes"
	"html/template"
	"strconv"

	"github.com/e-people/e-people/forum"
	"github.com/gofiber/fiber/v2"
)

type tally struct{ For, Against, Neutral int }

// thread is a comment thread as the page and the live channel draw it.
type thread struct {
	Subject     forum.Subject
	Path        string           // the page of the proposal or debate
	Open        bool             // takes comments and votes
	NotYet      bool             // will take comments later (an upcoming debate): neither closed nor waiting for a first comment
	Roots       []*forum.Comment // the top-level comments on this page, with their replies
	Page, Pages int              // this page of top-level comments (from 1), and how many there are
	Total       int              // top-level comments in the whole thread
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
	t.Tally, t.BestFor, t.BestAgainst = e.tally, e.bestFor, e.bestAgainst
	// A link to one comment (?comment=, or the reply form of ?reply=) opens
	// the page that holds it; otherwise ?page=, else the first.
	page, _ := strconv.Atoi(c.Query("page"))
	target, _ := strconv.ParseInt(c.Query("comment"), 10, 64)
	if target == 0 {
		target = t.ReplyTo
	}
	if p, ok := e.pageOf(t.Order, target); ok {
		page = p
	}
	t.paginate(e.roots[t.Order], page)
	if t.User != nil {
		if t.Votes, err = s.store.Votes(c.UserContext(), subject, t.User.ID); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// threadPageSize is how many top-level comments, each with its replies,
// one page of a thread shows.
const threadPageSize = 50

// pageOf returns the page that holds comment id in order.
func (e *threadEntry) pageOf(order forum.CommentOrder, id int64) (int, bool) {
	root, ok := e.rootOf[id]
	if !ok {
		return 0, false
	}
	return e.place[order][root]/threadPageSize + 1, true
}

// paginate keeps the top-level comments of page (clamped to the pages
// there are) out of all.
func (t *thread) paginate(all []*forum.Comment, page int) {
	t.Total = len(all)
	t.Pages = max(1, (len(all)+threadPageSize-1)/threadPageSize)
	t.Page = min(max(page, 1), t.Pages)
	t.Roots = all[(t.Page-1)*threadPageSize : min(t.Page*threadPageSize, len(all))]
}

// pageURL links to page n of the thread in its order, for readers without script.
func (t *thread) pageURL(n int) string {
	return t.Path + "?order=" + string(t.Order) + "&page=" + strconv.Itoa(n) + "#comments"
}

// PrevURL links to the page before this one.
func (t *thread) PrevURL() string { return t.pageURL(t.Page - 1) }

// NextURL links to the page after this one.
func (t *thread) NextURL() string { return t.pageURL(t.Page + 1) }

// MoreURL is where script fetches the comments of the next page alone.
func (t *thread) MoreURL() string {
	return t.Path + "/comments?order=" + string(t.Order) + "&page=" + strconv.Itoa(t.Page+1)
}

// NextCount is how many top-level comments the next page holds.
func (t *thread) NextCount() int {
	return min(threadPageSize, t.Total-t.Page*threadPageSize)
}

// CommentHref links to comment id from this page: its anchor when the page
// shows it, else the page that does.
func (t *thread) CommentHref(id int64) string {
	anchor := "#c" + strconv.FormatInt(id, 10)
	if p, ok := t.entry.pageOf(t.Order, id); !ok || p == t.Page {
		return anchor
	}
	return t.Path + "?order=" + string(t.Order) + "&comment=" + strconv.FormatInt(id, 10) + anchor
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

// sendThread answers with before, the comments of t and after. A guest's
// page of comments is kept whole, and so is its compressed form: a client
// that takes gzip gets a stream made from it (threadgzip.go), which the
// compress middleware leaves alone; everyone else's page is written from
// the fragments.
func (s *Server) sendThread(c *fiber.Ctx, status int, lang string, t *thread, before, after []byte) error {
	var sl *slot
	if t.keepable() {
		var err error
		if sl, err = s.slotFor(lang, t); err != nil {
			return err
		}
	}
	buf := s.views.bufs.Get().(*bytes.Buffer)
	defer s.views.bufs.Put(buf)
	buf.Reset()
	switch {
	case sl != nil && c.Request().Header.HasAcceptEncoding("gzip"):
		s.threads.writeGzip(buf, before, sl, after, []byte(template.HTMLEscapeString(t.CSRF)))
		c.Set(fiber.HeaderContentEncoding, "gzip")
	case sl != nil:
		buf.Grow(len(before) + len(sl.raw) + len(after))
		buf.Write(before)
		buf.Write(sl.raw)
		buf.Write(after)
	default:
		buf.Write(before)
		if err := s.writeThread(buf, lang, t); err != nil {
			return err
		}
		buf.Write(after)
	}
	c.Vary(fiber.HeaderAcceptEncoding)
	c.Status(status)
	c.Response().SetBody(buf.Bytes()) // copies into the response's own buffer
	return nil
}

// handleProposalThread answers one page of a proposal's comments alone,
// for the page's script to add in place.
func (s *Server) handleProposalThread(c *fiber.Ctx) error {
	p, v, err := s.proposalFor(c, paramID(c))
	if err != nil {
		return err
	}
	if v == forum.Withheld {
		return forum.ErrNotFound
	}
	return s.threadPart(c, forum.ProposalSubject(p.ID), p.TakesComments())
}

// handleDebateThread answers one page of a debate's comments alone.
func (s *Server) handleDebateThread(c *fiber.Ctx) error {
	d, err := s.store.Debate(c.UserContext(), paramID(c))
	if err != nil {
		return err
	}
	return s.threadPart(c, forum.DebateSubject(d.ID), d.TakesComments())
}

// threadPart writes the comments of the page asked for, then the pager
// that follows them.
func (s *Server) threadPart(c *fiber.Ctx, subject forum.Subject, open bool) error {
	t, err := s.thread(c, subject, open)
	if err != nil {
		return err
	}
	lang := s.lang(c)
	pager, err := s.views.partial(lang, "thread-pager", t)
	if err != nil {
		return err
	}
	htmlHeaders(c)
	return s.sendThread(c, fiber.StatusOK, lang, t, nil, pager)
}
