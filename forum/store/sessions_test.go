package store

import (
	"bytes"
	"errors"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
)

// signIn stores a session for userID under token and returns the token.
func signIn(tb testing.TB, s *Store, userID int64, token string) string {
	tb.Helper()
	if err := s.CreateSession(ctx, NewSession{TokenHash: token, UserID: userID, CSRF: "csrf-" + token, TTL: time.Hour}); err != nil {
		tb.Fatal(err)
	}
	return token
}

func wantSession(tb testing.TB, s *Store, token string, live bool) {
	tb.Helper()
	_, err := s.SessionByToken(ctx, token)
	switch {
	case live && err != nil:
		tb.Errorf("session %s ended: %v", token, err)
	case !live && !errors.Is(err, forum.ErrNotFound):
		tb.Errorf("session %s: err %v, want it ended", token, err)
	}
}

// A ban signs the account out everywhere; a suspension leaves it signed in
// (to read and appeal), and other accounts keep their sessions.
func TestStore_BanEndsSessions(t *testing.T) {
	w := newRoleWorld(t)
	signIn(t, w.s, w.citizen.ID, "citizen-1")
	signIn(t, w.s, w.citizen.ID, "citizen-2")
	signIn(t, w.s, w.author.ID, "author-1")
	if err := w.s.Suspend(ctx, w.moderator, w.citizen.ID, w.clock.now().Add(time.Hour), moderation.HideSpam); err != nil {
		t.Fatal(err)
	}
	wantSession(t, w.s, "citizen-1", true)
	if err := w.s.Suspend(ctx, w.admin, w.citizen.ID, time.Time{}, moderation.HideIllegal); err != nil {
		t.Fatal(err)
	}
	wantSession(t, w.s, "citizen-1", false)
	wantSession(t, w.s, "citizen-2", false)
	wantSession(t, w.s, "author-1", true)
}

// Setting a password ends every other session of the account, keeps the
// one that made the change, and touches no other account.
func TestStore_SetPasswordEndsOtherSessions(t *testing.T) {
	w := newWorld(t)
	other := newUser(t, w.s, "other")
	signIn(t, w.s, w.author.ID, "here")
	signIn(t, w.s, w.author.ID, "stolen")
	signIn(t, w.s, other.ID, "other")
	if err := w.s.SetPassword(ctx, w.author.ID, "new-hash", "here"); err != nil {
		t.Fatal(err)
	}
	wantSession(t, w.s, "here", true)
	wantSession(t, w.s, "stolen", false)
	wantSession(t, w.s, "other", true)
	if _, hash, err := w.s.UserByEmail(ctx, w.author.Email); err != nil || hash != "new-hash" {
		t.Fatalf("password hash %q, %v", hash, err)
	}
	if err := w.s.SetPassword(ctx, w.author.ID, "newer-hash", ""); err != nil {
		t.Fatal(err)
	}
	wantSession(t, w.s, "here", false)
	if err := w.s.SetPassword(ctx, 999999, "x", ""); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("unknown user: %v", err)
	}
}

// The server secret is made once, kept across restarts, and 32 bytes long.
func TestStore_ServerSecret(t *testing.T) {
	path := t.TempDir() + "/secret.db"
	s, err := Open(ctx, path, readSchema(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.ServerSecret(ctx)
	if err != nil || len(a) != 32 {
		t.Fatalf("secret %x, %v", a, err)
	}
	b, err := s.ServerSecret(ctx)
	if err != nil || !bytes.Equal(a, b) {
		t.Fatalf("second call: %x, %v; want %x", b, err, a)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := openTestAt(t, path, nil).ServerSecret(ctx)
	if err != nil || !bytes.Equal(a, c) {
		t.Fatalf("after reopen: %x, %v; want %x", c, err, a)
	}
	if bytes.Equal(a, make([]byte, 32)) {
		t.Fatal("secret is all zero")
	}
}

// A session keeps the device and address it signed in from; its owner's
// list shows the most recently seen first; a request stamps the session
// and the account as seen only once sessionTouchEvery has passed; one
// session ends by its id, never another account's, and "everywhere else"
// keeps the one that asked.
func TestStore_SessionsList(t *testing.T) {
	w := newWorld(t)
	other := newUser(t, w.s, "other")
	if err := w.s.CreateSession(ctx, NewSession{TokenHash: "phone", UserID: w.author.ID, CSRF: "c1", TTL: time.Hour,
		UserAgent: "Mozilla/5.0 (iPhone) " + string(bytes.Repeat([]byte("가"), 200)), IP: "203.0.113.7"}); err != nil {
		t.Fatal(err)
	}
	w.clock.advance(time.Minute)
	signIn(t, w.s, w.author.ID, "laptop")
	signIn(t, w.s, other.ID, "other-1")

	list, err := w.s.Sessions(ctx, w.author.ID)
	if err != nil || len(list) != 2 {
		t.Fatalf("Sessions = %d, %v; want the author's 2", len(list), err)
	}
	if list[0].CSRF != "csrf-laptop" || list[1].IP != "203.0.113.7" || len(list[1].UserAgent) > 300 || !utf8.ValidString(list[1].UserAgent) {
		t.Errorf("Sessions = [%+v %+v]; want the laptop first, the phone's address and its device cut to 300 bytes of whole characters", *list[0], *list[1])
	}
	phone := list[1]

	// Within sessionTouchEvery a request writes nothing; past it, it stamps now.
	w.clock.advance(sessionTouchEvery - 2*time.Minute)
	if s, err := w.s.SessionByToken(ctx, "phone"); err != nil || !s.LastSeen.Equal(phone.LastSeen) {
		t.Fatalf("phone seen again early: %v, %v; want last seen %v kept", s.LastSeen, err, phone.LastSeen)
	}
	w.clock.advance(2 * time.Minute)
	if s, err := w.s.SessionByToken(ctx, "phone"); err != nil || !s.LastSeen.Equal(w.clock.now()) {
		t.Fatalf("phone seen after %v: %v, %v; want now", sessionTouchEvery, s.LastSeen, err)
	}
	if got := count(t, w.s, `SELECT last_seen_at FROM users WHERE id = ?`, w.author.ID); int64(got) != w.clock.now().Unix() {
		t.Errorf("account last seen %d, want %d", got, w.clock.now().Unix())
	}

	if err := w.s.DeleteUserSession(ctx, other.ID, phone.ID); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("another account ends the phone's session: %v, want ErrNotFound", err)
	}
	wantSession(t, w.s, "phone", true)
	if err := w.s.DeleteUserSession(ctx, w.author.ID, phone.ID); err != nil {
		t.Fatal(err)
	}
	wantSession(t, w.s, "phone", false)
	signIn(t, w.s, w.author.ID, "tablet")
	if err := w.s.DeleteOtherSessions(ctx, w.author.ID, "laptop"); err != nil {
		t.Fatal(err)
	}
	wantSession(t, w.s, "laptop", true)
	wantSession(t, w.s, "tablet", false)
	wantSession(t, w.s, "other-1", true)
}

// TestSessionCache: a session is read from SQLite once and then from the
// cache (on PostgreSQL, every time: a write of another node is seen), and every write to the account or its sessions is seen by the very
// next lookup: a new name, a suspension, signing out; the touch of its
// last-seen time is the one write that keeps the cache.
func TestSessionCache(t *testing.T) {
	w := newRoleWorld(t)
	token := signIn(t, w.s, w.citizen.ID, "cached")
	lookup := func() *Session {
		t.Helper()
		sess, err := w.s.SessionByToken(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		return sess
	}
	// fromCache is the cache's hits after one more lookup than hits counts:
	// one more on SQLite; on PostgreSQL, where other nodes write sessions
	// too, none.
	fromCache := func(hits int64) int64 {
		if w.s.pg {
			return hits
		}
		return hits + 1
	}
	lookup()
	hits := w.s.sessions.hits.Load()
	first := lookup()
	if w.s.sessions.hits.Load() != fromCache(hits) {
		t.Fatalf("the second lookup of a session: %d from the cache, want %d", w.s.sessions.hits.Load()-hits, fromCache(hits)-hits)
	}
	if w.s.pg { // another node renames the account: the next lookup here sees it
		if _, err := w.s.DB().Exec(`UPDATE users SET name = ? WHERE id = ?`, "다른노드", w.citizen.ID); err != nil {
			t.Fatal(err)
		}
		if got := lookup(); got.User.Name != "다른노드" {
			t.Fatalf("a name written by another node: the session says %q", got.User.Name)
		}
		if _, err := w.s.DB().Exec(`UPDATE users SET name = ? WHERE id = ?`, w.citizen.Name, w.citizen.ID); err != nil {
			t.Fatal(err)
		}
	}
	first.User.Name = "바뀐 이름" // a caller's copy: the cache keeps its own
	if got := lookup(); got.User.Name != w.citizen.Name {
		t.Fatalf("a caller changed the cached session: name %q", got.User.Name)
	}

	if err := w.s.SetUserName(ctx, w.citizen.ID, "새이름시민"); err != nil {
		t.Fatal(err)
	}
	if got := lookup(); got.User.Name != "새이름시민" {
		t.Errorf("after a new name the session says %q", got.User.Name)
	}
	if err := w.s.Suspend(ctx, w.moderator, w.citizen.ID, w.clock.now().Add(time.Hour), moderation.HideSpam); err != nil {
		t.Fatal(err)
	}
	if got := lookup(); got.User.Status != forum.UserSuspended {
		t.Errorf("after a suspension the session's account is %q", got.User.Status)
	}

	gen := w.s.sessions.gen.Load()
	w.clock.advance(sessionTouchEvery + time.Minute)
	touched := lookup()
	if !touched.LastSeen.Equal(w.clock.now()) || w.s.sessions.gen.Load() != gen {
		t.Errorf("the touch: last seen %v (now %v), generation %d → %d; want the time kept and the cache too",
			touched.LastSeen, w.clock.now(), gen, w.s.sessions.gen.Load())
	}
	hits = w.s.sessions.hits.Load()
	if again := lookup(); !again.LastSeen.Equal(w.clock.now()) || w.s.sessions.hits.Load() != fromCache(hits) {
		t.Errorf("after the touch: last seen %v from the cache %v", again.LastSeen, w.s.sessions.hits.Load() != hits)
	}

	if err := w.s.DeleteSession(ctx, token); err != nil {
		t.Fatal(err)
	}
	wantSession(t, w.s, token, false)
}

// TestSessionCache_Expiry: a cached session ends at its expiry without a write.
func TestSessionCache_Expiry(t *testing.T) {
	w := newWorld(t)
	token := signIn(t, w.s, w.author.ID, "expiring")
	wantSession(t, w.s, token, true)
	w.clock.advance(time.Hour)
	wantSession(t, w.s, token, false)
}
