package store

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/mattn/go-sqlite3"
)

// Sessions are read on every request, and change seldom: a cache keeps the
// answer of SessionByToken so that a request costs no SQLite read for its
// session. Revocation must still be seen at once: signing out, signing out
// everywhere, a new password, a suspension, a new role or tier. Rather than
// trusting every writer of those tables to say so, the writer connection's
// update hook tells the committer of every row a batch writes to users or
// sessions (inserts, updates and deletes, foreign-key cascades included),
// and the committer bumps a generation after such a batch commits and
// before any of its callers is answered. A cached session is used only while
// the generation it was read at is current; a reader takes the generation
// before it reads, so a read that raced a commit is never used after it.
// The touch of a session's last-seen time is the one write to those tables
// that does not bump it: the cache keeps that time itself. Another process
// writing the same database (`epeople admin …` while the server runs) is not
// seen by the hook: an entry is also used for sessionCacheTTL at most.

const (
	sessionCacheSize = 8192            // entries; the cache is emptied when full
	sessionCacheTTL  = 5 * time.Second // how long another process's write may go unseen
)

// sessionCache is safe for concurrent use.
type sessionCache struct {
	gen atomic.Uint64 // bumped after a commit that wrote users or sessions

	mu      sync.Mutex
	entries map[string]cachedSession // by token hash
	hits    atomic.Int64
}

type cachedSession struct {
	sess Session
	user forum.User
	gen  uint64
	read time.Time // when it was read from SQLite
}

// get returns a copy of the session cached for tokenHash, if it was read at generation gen, the current one.
func (c *sessionCache) get(tokenHash string, gen uint64) (*Session, bool) {
	c.mu.Lock()
	e, ok := c.entries[tokenHash]
	c.mu.Unlock()
	if !ok || e.gen != gen || time.Since(e.read) >= sessionCacheTTL {
		return nil, false
	}
	c.hits.Add(1)
	return e.copy(), true
}

// put caches sess, read at generation gen (taken before the read).
func (c *sessionCache) put(tokenHash string, sess *Session, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= sessionCacheSize {
		c.entries = make(map[string]cachedSession)
	}
	c.entries[tokenHash] = cachedSession{sess: *sess, user: *sess.User, gen: gen, read: time.Now()}
}

// seen records that the session was touched at sess.LastSeen, if it is still cached at gen.
func (c *sessionCache) seen(tokenHash string, sess *Session, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[tokenHash]; ok && e.gen == gen {
		e.sess.LastSeen = sess.LastSeen
		c.entries[tokenHash] = e
	}
}

func (e cachedSession) copy() *Session {
	s, u := e.sess, e.user
	s.User = &u
	return &s
}

// watchWrites registers the update hook that marks a batch as one that
// changed users or sessions (committer.accountsWritten).
func (c *committer) watchWrites() error {
	return c.conn.Raw(func(dc any) error {
		conn, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("the writer is a %T, not a SQLite connection", dc)
		}
		conn.RegisterUpdateHook(func(_ int, _, table string, _ int64) {
			if (table == "users" || table == "sessions") && !c.touching {
				c.accountsWritten = true
			}
		})
		return nil
	})
}
