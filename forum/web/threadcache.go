package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"hash/maphash"
	"html/template"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
)

// The pages of proposals and debates draw their comment threads from a
// cache, so that a page with 1,000 comments costs copying bytes, not
// executing a template 1,000 times or reading 1,000 rows.
//
// Two levels, each invalidated exactly when what it holds changes:
//   - per subject, the comments as last read, dropped when an event on the
//     subject's topic says a comment or the thread changed (the store
//     publishes every committed change to a comment as such an event), and
//     all of them when an author's role changes (reset);
//   - per comment, its HTML for each language, kind of viewer (guest,
//     member, moderator) and open or closed thread, reused only while the
//     comment is at the version it was drawn at and its author's name and
//     role are as they were (fragPrint).
//
// The version is the comment row's, which the database increments on every
// change to the row (a trigger in schema.sql), so no list of the fields the
// template reads is kept here, and a template change cannot go stale: the
// templates are parsed once at start-up, and the cache lives in memory.
// What the "comment-open" template reads from outside the comment's row is
// the author's name and role (from users: both are in the fragPrint; a new
// role also resets the cache) and the thread and viewer: the language, the
// viewer's kind and whether the thread is open are in the key; the thread's
// page follows from the comment's subject, which never changes. A comment is
// never deleted (it stays as a placeholder), so its id names one row for
// the life of the database.
//
// What differs from one viewer to the next is never cached: the viewer's own
// comments, the comments they voted on and the one they are replying to are
// drawn for them; the CSRF token in a fragment's forms is a random marker
// replaced by the viewer's token as the page is written.
//
// The thread template leaves a random slot where the comments go, and
// Server.page writes the comments there (see writeThread), with the markup
// between comments drawn from its own partials (threadMarkup), so that all
// of it lives in views/partials.html.

const (
	threadCacheSubjects = 256      // subjects kept; all are dropped beyond this
	threadCacheBytes    = 24 << 20 // fragment bytes kept; all are dropped beyond this
)

// threadCache is safe for concurrent use.
type threadCache struct {
	csrf string // stands for the viewer's CSRF token in fragments
	slot string // stands for the comment list in a rendered page

	mu       sync.Mutex
	subjects map[forum.Subject]*threadEntry
	gens     map[forum.Subject]uint64 // bumped when a subject's comments change
	epoch    uint64                   // bumped when everything is dropped
	frags    map[fragKey]*fragment
	size     int                      // bytes in frags
	markups  map[string]*threadMarkup // by language
	slots    map[slotKey]*slot        // pages of comments as guests see them (threadgzip.go)
	slotSize int                      // bytes in slots
	seed     maphash.Seed
	parts    map[uint64]*deflatedPart // parts of pages around the comments, compressed (threadgzip.go)
	partSize int                      // bytes in parts

	drawn atomic.Int64 // fragments drawn (cache misses), for tests and profiles
	// fragments reused (hits); subjects' comments served from the cache and read from the store
	reused, threadHits, threadReads atomic.Int64
	pageHits, pageDrawn             atomic.Int64 // a guest's page of comments kept whole (threadgzip.go), used or drawn
}

// threadEntry is one subject's comments, read once and shared read-only by
// every request until an event drops it.
type threadEntry struct {
	roots map[forum.CommentOrder][]*forum.Comment
	// rootOf names the top-level comment each comment hangs under, and
	// place the index of each top-level comment in each order, so that a
	// link to any comment finds its page.
	rootOf               map[int64]int64
	place                map[forum.CommentOrder]map[int64]int
	tally                tally
	bestFor, bestAgainst *forum.Comment
	authors              uint64 // a hash of every comment's author name and role, for the ETag
}

// viewerClass is what a cached fragment may depend on about its viewer.
type viewerClass uint8

const (
	classGuest viewerClass = iota
	classMember
	classModerator
)

type fragKey struct {
	id    int64
	lang  string
	class viewerClass
	open  bool
}

// fragment is one comment's HTML, split where the viewer's CSRF token goes.
type fragment struct {
	print fragPrint
	parts [][]byte
}

// fragPrint is what a fragment was drawn from besides its key: the version
// of the comment's row, and what the template reads from outside that row.
type fragPrint struct {
	version    int64
	authorName string
	authorRole forum.Role
}

func printOf(c *forum.Comment) fragPrint {
	return fragPrint{version: c.Version, authorName: c.AuthorName, authorRole: c.AuthorRole}
}

func newThreadCache() *threadCache {
	return &threadCache{csrf: "csrf" + randomHex(), slot: "thread" + randomHex(),
		subjects: map[forum.Subject]*threadEntry{}, gens: map[forum.Subject]uint64{}, frags: map[fragKey]*fragment{},
		markups: map[string]*threadMarkup{}, slots: map[slotKey]*slot{}, seed: maphash.MakeSeed(), parts: map[uint64]*deflatedPart{}}
}

func randomHex() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("thread cache: no randomness: %v", err)) // crypto/rand does not fail on Linux
	}
	return hex.EncodeToString(b[:])
}

// invalidate drops the subjects that events say changed. Support and
// sponsor counts do not show in a thread and leave it be.
func (tc *threadCache) invalidate(events []forum.Event) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	for _, e := range events {
		if e.Type == forum.EventProposalSupported || e.Type == forum.EventProposalSponsored {
			continue
		}
		kind, idText, _ := strings.Cut(e.Topic, ":")
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil || (kind != string(forum.KindProposal) && kind != string(forum.KindDebate)) {
			continue
		}
		subject := forum.Subject{Kind: forum.SubjectKind(kind), ID: id}
		delete(tc.subjects, subject)
		tc.gens[subject]++
		for k, sl := range tc.slots {
			if k.subject == subject {
				delete(tc.slots, k)
				tc.slotSize -= sl.size()
			}
		}
	}
}

// reset drops everything: for changes that show in comments everywhere
// without an event on each thread, such as an author's new role.
func (tc *threadCache) reset() {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	tc.resetLocked()
}

func (tc *threadCache) resetLocked() {
	clear(tc.subjects)
	clear(tc.gens)
	clear(tc.frags)
	tc.size = 0
	clear(tc.slots)
	tc.slotSize = 0
	tc.epoch++
}

// entry returns subject's comments, reading them when they are not cached.
func (tc *threadCache) entry(ctx context.Context, st *store.Store, subject forum.Subject) (*threadEntry, error) {
	tc.mu.Lock()
	e, gen, epoch := tc.subjects[subject], tc.gens[subject], tc.epoch
	tc.mu.Unlock()
	if e != nil {
		tc.threadHits.Add(1)
		return e, nil
	}
	tc.threadReads.Add(1)
	flat, err := st.Comments(ctx, subject)
	if err != nil {
		return nil, err
	}
	e = newThreadEntry(flat)
	tc.mu.Lock()
	defer tc.mu.Unlock()
	// Keep it only if nothing changed while it was read: an older read must
	// not stand in for a newer change.
	if tc.gens[subject] == gen && tc.epoch == epoch {
		if len(tc.subjects) >= threadCacheSubjects {
			tc.resetLocked()
		}
		tc.subjects[subject] = e
	}
	return e, nil
}

func newThreadEntry(flat []*forum.Comment) *threadEntry {
	e := &threadEntry{tally: countStances(flat), roots: map[forum.CommentOrder][]*forum.Comment{},
		rootOf: make(map[int64]int64, len(flat)), place: map[forum.CommentOrder]map[int64]int{}}
	e.bestFor, e.bestAgainst = forum.BestArguments(flat)
	roots := forum.Thread(flat)
	var under func(root int64, cs []*forum.Comment)
	under = func(root int64, cs []*forum.Comment) {
		for _, c := range cs {
			e.rootOf[c.ID] = root
			under(root, c.Replies)
		}
	}
	for _, r := range roots {
		e.rootOf[r.ID] = r.ID
		under(r.ID, r.Replies)
	}
	for _, order := range []forum.CommentOrder{forum.OrderBest, forum.OrderNewest} {
		sorted := append([]*forum.Comment(nil), roots...)
		forum.SortRoots(sorted, order)
		e.roots[order] = sorted
		place := make(map[int64]int, len(sorted))
		for i, r := range sorted {
			place[r.ID] = i
		}
		e.place[order] = place
	}
	h := fnv.New64a()
	var n [8]byte
	for _, c := range flat {
		for _, s := range []string{c.AuthorName, string(c.AuthorRole)} {
			binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
			h.Write(n[:])
			h.Write([]byte(s))
		}
	}
	e.authors = h.Sum64()
	return e
}

// personal reports whether c must be drawn for this viewer alone.
func (t *thread) personal(c *forum.Comment) bool {
	if t.ReplyTo == c.ID {
		return true
	}
	return t.User != nil && (t.User.ID == c.AuthorID || t.Votes[c.ID] != 0)
}

func (t *thread) class() viewerClass {
	switch {
	case t.User == nil:
		return classGuest
	case t.Moderator:
		return classModerator
	}
	return classMember
}

// fragment returns c's cached HTML for lang and the viewer's class,
// drawing it when it is missing or c has changed since.
func (tc *threadCache) fragment(r *renderer, lang string, t *thread, c *forum.Comment) (*fragment, error) {
	key := fragKey{id: c.ID, lang: lang, class: t.class(), open: t.Open}
	print := printOf(c)
	tc.mu.Lock()
	f := tc.frags[key]
	tc.mu.Unlock()
	if f != nil && f.print == print {
		tc.reused.Add(1)
		return f, nil
	}
	// Drawn as for any viewer of the class: a user who is no comment's author.
	anyone := &thread{Subject: t.Subject, Path: t.Path, Open: t.Open, Order: t.Order, CSRF: tc.csrf, Moderator: key.class == classModerator}
	if key.class != classGuest {
		anyone.User = &forum.User{ID: -1}
	}
	b, err := r.partial(lang, "comment-open", map[string]any{"C": c, "T": anyone})
	if err != nil {
		return nil, err
	}
	tc.drawn.Add(1)
	f = &fragment{print: print, parts: bytes.Split(b, []byte(tc.csrf))}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if old := tc.frags[key]; old != nil {
		tc.size -= fragmentSize(old)
	}
	if tc.size+len(b) > threadCacheBytes {
		clear(tc.frags)
		tc.size = 0
	}
	tc.frags[key] = f
	tc.size += fragmentSize(f)
	return f, nil
}

func fragmentSize(f *fragment) int {
	n := 0
	for _, p := range f.parts {
		n += len(p)
	}
	return n
}

// threadMarkup is the markup the "comment" template draws between comments,
// from the partials it calls for it.
type threadMarkup struct {
	repliesOpen, repliesClose, commentClose []byte
}

// markup returns the markup between comments in lang, drawing it on first use.
func (tc *threadCache) markup(r *renderer, lang string) (*threadMarkup, error) {
	tc.mu.Lock()
	m := tc.markups[lang]
	tc.mu.Unlock()
	if m != nil {
		return m, nil
	}
	m = &threadMarkup{}
	for name, b := range map[string]*[]byte{"replies-open": &m.repliesOpen, "replies-close": &m.repliesClose, "comment-close": &m.commentClose} {
		var err error
		if *b, err = r.partial(lang, name, nil); err != nil {
			return nil, err
		}
	}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	tc.markups[lang] = m
	return m, nil
}

// writeThread writes the comments of t, as the "comment" template would
// draw them, to w.
func (s *Server) writeThread(w *bytes.Buffer, lang string, t *thread) error {
	csrf := []byte(template.HTMLEscapeString(t.CSRF))
	m, err := s.threads.markup(s.views, lang)
	if err != nil {
		return err
	}
	var write func(c *forum.Comment) error
	write = func(c *forum.Comment) error {
		if t.personal(c) {
			b, err := s.views.partial(lang, "comment-open", map[string]any{"C": c, "T": t})
			if err != nil {
				return err
			}
			w.Write(b)
		} else {
			f, err := s.threads.fragment(s.views, lang, t, c)
			if err != nil {
				return err
			}
			for i, p := range f.parts {
				if i > 0 {
					w.Write(csrf)
				}
				w.Write(p)
			}
		}
		if len(c.Replies) > 0 {
			w.Write(m.repliesOpen)
			for _, r := range c.Replies {
				if err := write(r); err != nil {
					return err
				}
			}
			w.Write(m.repliesClose)
		}
		w.Write(m.commentClose)
		return nil
	}
	for _, c := range t.Roots {
		if err := write(c); err != nil {
			return err
		}
	}
	return nil
}

// threadETag is a weak validator (compression may change the bytes) of a thread page: a hash of the page
// around the thread (which carries the viewer's name and CSRF token) and of
// every input the comments are drawn from, in order.
func threadETag(page []byte, lang string, t *thread) string {
	h := fnv.New64a()
	h.Write(page)
	var n [8]byte
	num := func(v int64) {
		binary.LittleEndian.PutUint64(n[:], uint64(v))
		h.Write(n[:])
	}
	h.Write([]byte(lang))
	num(int64(t.class()))
	if t.Open {
		num(1)
	}
	if t.User != nil {
		num(t.User.ID)
	}
	num(t.ReplyTo)
	num(int64(t.entry.authors))
	var walk func(cs []*forum.Comment)
	walk = func(cs []*forum.Comment) {
		num(int64(len(cs)))
		for _, c := range cs {
			num(c.ID)
			num(c.Version)
			num(int64(t.Votes[c.ID]))
			walk(c.Replies)
		}
	}
	walk(t.Roots)
	return `W/"t` + strconv.FormatUint(h.Sum64(), 36) + `"`
}

// etagMatch reports whether an If-None-Match header names tag (weakly, as
// RFC 9110 compares for GET).
func etagMatch(header, tag string) bool {
	if header == "" {
		return false
	}
	if strings.TrimSpace(header) == "*" {
		return true
	}
	tag = strings.TrimPrefix(tag, "W/")
	for _, candidate := range strings.Split(header, ",") {
		if strings.TrimPrefix(strings.TrimSpace(candidate), "W/") == tag {
			return true
		}
	}
	return false
}
