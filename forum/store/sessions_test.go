package store

import (
	"bytes"
	"errors"
	"testing"
	"time"

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
