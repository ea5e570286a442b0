package web

import (
	"bytes"
	"strings"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/gofiber/fiber/v2"
)

// base is what every page's layout needs.
type base struct {
	Lang  string
	Title string
	User  *forum.User
	CSRF  string
	Path  string
	Flash string
	// LiveTopics, when set, makes the page subscribe to the live channel for
	// these topics, replaying from LiveSince, the last event it was drawn from.
	LiveTopics string
	LiveSince  int64
	Unread     int    // the viewer's unread notifications
	StaffNav   bool   // the viewer works the moderation queue
	SearchQ    string // the search text the header's search box keeps (the search page's)
}

func (s *Server) base(c *fiber.Ctx, title string) base {
	b := base{Lang: s.lang(c), Title: title, User: currentUser(c), Path: c.Path()}
	b.CSRF, _ = c.Locals("csrf").(string)
	if b.User != nil {
		// A failed count only hides the badge; the page itself still renders.
		b.Unread, _ = s.store.UnreadNotifications(c.UserContext(), b.User.ID)
		b.StaffNav = forum.IsModerator(b.User)
	}
	if f := c.Cookies(flashCookie); f != "" {
		if strings.HasPrefix(f, "flash.") {
			b.Flash = s.views.catalogs[b.Lang].T(f)
		}
		s.cookie(c, flashCookie, "", -1)
	}
	return b
}

// flash shows a message (a catalog key) on the next page the browser loads.
func (s *Server) flash(c *fiber.Ctx, key string) { s.cookie(c, flashCookie, key, time.Minute) }

// htmlHeaders are the headers of every HTML page: revalidated on every use,
// and drawn for the viewer's cookies and language.
func htmlHeaders(c *fiber.Ctx) {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Vary(fiber.HeaderCookie, fiber.HeaderAcceptLanguage)
}

// page renders a full page with the layout.
func (s *Server) page(c *fiber.Ctx, status int, name string, data any) error {
	lang := s.lang(c)
	body, err := s.views.render(lang, name, data)
	if err != nil {
		return err
	}
	htmlHeaders(c)
	// Write the comments into the slot the thread template left, if it
	// drew the thread at all.
	tp, ok := data.(threadPage)
	if !ok || tp.pageThread() == nil {
		return c.Status(status).Send(body)
	}
	t := tp.pageThread()
	i := bytes.Index(body, []byte(t.Slot))
	if i < 0 {
		return c.Status(status).Send(body)
	}
	// The ETag comes from what the page is made of, not from hashing a
	// megabyte of comments, and a match skips writing them at all.
	tag, kept := "", false
	if status == fiber.StatusOK {
		tag, kept = s.keepGuestPage(c, lang, t, body, i)
	}
	if !kept {
		tag = threadETag(body, lang, t)
	}
	c.Set(fiber.HeaderETag, tag)
	if status == fiber.StatusOK && etagMatch(c.Get(fiber.HeaderIfNoneMatch), tag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	return s.sendThread(c, status, lang, t, body[:i], body[i+len(t.Slot):])
}

// threadPage is a page that shows a comment thread.
type threadPage interface{ pageThread() *thread }

func (p proposalPage) pageThread() *thread { return p.Thread }
func (p debatePage) pageThread() *thread   { return p.Thread }

// localPath returns p if it is a path on this site, else "/": never an open
// redirect. Browsers drop tabs and line breaks anywhere in a URL and read a
// backslash as a slash, so "/\t/evil.example" would leave the site: p may
// hold no control character at all.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") ||
		strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "/"
	}
	return p
}
