package web

import (
	"bytes"
	"hash/fnv"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
)

// A guest's proposal or debate page is drawn from the database and the
// templates once, then served as drawn to every guest who asks for the same
// page in the same language, until anything is written: the entry carries
// the count of committed transactions it was drawn at (taken before the
// first read), and any later commit, of whatever, makes it stale. Entries
// also last guestPageTTL at most, since a page says how long ago things
// happened and how long is left. What differs between guests is their CSRF
// token: the page is kept split around it and joined with the viewer's.
// Signed-in viewers, and guests with a message to show (the flash cookie),
// are always drawn afresh.

const (
	guestPageTTL = time.Second
	guestPageMax = 64 // entries (a page is some 50-100 KiB); all are dropped beyond this
)

// guestPageKey is the Locals key under which a handler leaves a cacheable
// guest page's key and the commit count it read at.
const guestPageKey = "guest-page"

type guestPageSlot struct {
	key     string
	commits int64
}

// guestPage is one page as drawn, split around its viewer's CSRF token.
type guestPage struct {
	commits int64
	drawn   time.Time
	before  [][]byte // the page before the comments, split around the token
	after   [][]byte // and after them
	thread  thread   // the thread as drawn; its CSRF is the viewer's
	tag     uint64   // what the page's ETag is made of, without the token
	lang    string
}

// guestPages is safe for concurrent use.
type guestPages struct {
	mu      sync.Mutex
	entries map[string]*guestPage
	// served counts pages answered as kept, kept those drawn and kept.
	served, kept atomic.Int64
}

// guestPageFor marks c's page as one to keep, or serves it as kept: it
// reports whether c has been answered.
func (s *Server) guestPageFor(c *fiber.Ctx) (served bool, err error) {
	if currentUser(c) != nil || c.Cookies(flashCookie) != "" {
		return false, nil
	}
	key := s.lang(c) + " " + c.OriginalURL()
	commits := s.store.WriteStats().Transactions // before anything is read
	s.guest.mu.Lock()
	e := s.guest.entries[key]
	s.guest.mu.Unlock()
	if e == nil || e.commits != commits || s.cfg.Now().Sub(e.drawn) >= guestPageTTL {
		c.Locals(guestPageKey, guestPageSlot{key: key, commits: commits})
		return false, nil
	}
	s.guest.served.Add(1)
	token, _ := c.Locals("csrf").(string)
	tok := []byte(token)
	t := e.thread
	t.CSRF = token
	htmlHeaders(c)
	tag := guestETag(e.tag, tok)
	c.Set(fiber.HeaderETag, tag)
	if etagMatch(c.Get(fiber.HeaderIfNoneMatch), tag) {
		return true, c.SendStatus(fiber.StatusNotModified)
	}
	return true, s.sendThread(c, fiber.StatusOK, e.lang, &t, bytes.Join(e.before, tok), bytes.Join(e.after, tok))
}

// keepGuestPage keeps the page just drawn (body, with t's comments to go
// where t.Slot is), if its handler asked for it, and returns its ETag.
func (s *Server) keepGuestPage(c *fiber.Ctx, lang string, t *thread, body []byte, slotAt int) (tag string, kept bool) {
	slot, ok := c.Locals(guestPageKey).(guestPageSlot)
	if !ok || t.CSRF == "" {
		return "", false
	}
	tok := []byte(t.CSRF)
	e := &guestPage{commits: slot.commits, drawn: s.cfg.Now(), lang: lang, thread: *t,
		before: bytes.Split(bytes.Clone(body[:slotAt]), tok), after: bytes.Split(bytes.Clone(body[slotAt+len(t.Slot):]), tok)}
	e.thread.CSRF = ""
	// The tag of what the page is made of, without the token; guestETag adds the viewer's.
	h := fnv.New64a()
	h.Write([]byte(threadETag(bytes.ReplaceAll(body, tok, nil), lang, t)))
	e.tag = h.Sum64()
	s.guest.mu.Lock()
	defer s.guest.mu.Unlock()
	if s.guest.entries == nil || len(s.guest.entries) >= guestPageMax {
		s.guest.entries = make(map[string]*guestPage)
	}
	s.guest.entries[slot.key] = e
	s.guest.kept.Add(1)
	return guestETag(e.tag, tok), true
}

// guestETag is a kept page's ETag for the viewer with token: a page with
// another token is another page (its forms carry it).
func guestETag(tag uint64, token []byte) string {
	h := fnv.New64a()
	var b [8]byte
	for i := range b {
		b[i] = byte(tag >> (8 * i))
	}
	h.Write(b[:])
	h.Write(token)
	return `W/"g` + strconv.FormatUint(h.Sum64(), 36) + `"`
}
