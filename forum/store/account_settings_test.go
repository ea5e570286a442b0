package store

import (
	"errors"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
)

// A reset changes nothing until a live token is used, and then sets the
// password, ends every session and burns the account's other reset links
// together; a token works once and for an hour.
func TestStore_ResetPassword(t *testing.T) {
	w := newWorld(t)
	u := w.author
	signIn(t, w.s, u.ID, "phone")
	signIn(t, w.s, u.ID, "laptop")
	if err := w.s.RequestPasswordReset(ctx, u.Email, "first"); err != nil {
		t.Fatal(err)
	}
	if err := w.s.RequestPasswordReset(ctx, u.Email, "second"); err != nil {
		t.Fatal(err)
	}
	if err := w.s.RequestPasswordReset(ctx, "nobody@example.kr", "third"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, w.s, `SELECT count(*) FROM account_tokens`); n != 2 {
		t.Fatalf("%d tokens, want 2 (none for an unknown address)", n)
	}
	if _, err := w.s.ResetPassword(ctx, forum.TokenHash("unknown"), "new-hash"); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("unknown token: %v, want ErrNotFound", err)
	}
	wantSession(t, w.s, "phone", true)
	got, err := w.s.ResetPassword(ctx, forum.TokenHash("first"), "new-hash")
	if err != nil || got.ID != u.ID {
		t.Fatalf("reset: %+v, %v", got, err)
	}
	if _, hash, _ := w.s.UserByEmail(ctx, u.Email); hash != "new-hash" {
		t.Errorf("hash %q after the reset", hash)
	}
	wantSession(t, w.s, "phone", false)
	wantSession(t, w.s, "laptop", false)
	if _, err := w.s.ResetPassword(ctx, forum.TokenHash("second"), "other-hash"); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("the account's other reset link still works: %v", err)
	}

	if err := w.s.RequestPasswordReset(ctx, u.Email, "late"); err != nil {
		t.Fatal(err)
	}
	w.clock.advance(ResetTokenTTL + time.Second)
	if _, err := w.s.PasswordResetUser(ctx, forum.TokenHash("late")); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("expired token: %v, want ErrNotFound", err)
	}
}

// An address change that another account's address has overtaken changes
// nothing, tells nobody and leaves the link as it was.
func TestStore_ChangeEmailTakenSince(t *testing.T) {
	w := newWorld(t)
	if err := w.s.RequestEmailChange(ctx, w.author.ID, "wanted@example.kr", "tok"); err != nil {
		t.Fatal(err)
	}
	if err := w.s.RequestEmailChange(ctx, w.author.ID, w.author.Email, "own"); !errors.Is(err, forum.ErrEmailTaken) {
		t.Errorf("an address already in use: %v, want ErrEmailTaken", err)
	}
	acctUserWithEmail(t, w.s, "wanted@example.kr")
	if _, _, err := w.s.ChangeEmail(ctx, forum.TokenHash("tok")); !errors.Is(err, forum.ErrEmailTaken) {
		t.Fatalf("taken since: %v, want ErrEmailTaken", err)
	}
	if u, _ := w.s.User(ctx, w.author.ID); u.Email != w.author.Email {
		t.Errorf("address %s after a refused change", u.Email)
	}
	if n := count(t, w.s, `SELECT count(*) FROM outbox WHERE kind = ?`, MailEmailChanged); n != 0 {
		t.Errorf("%d mails about a change that did not happen", n)
	}
	if n := count(t, w.s, `SELECT count(*) FROM account_tokens WHERE used_at IS NULL AND purpose = ?`, TokenChangeEmail); n != 1 {
		t.Errorf("%d live change links, want the refused one kept", n)
	}
	for i := 1; i < EmailChangesPerDay; i++ {
		if err := w.s.RequestEmailChange(ctx, w.author.ID, "more@example.kr", "more"+string(rune('a'+i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.s.RequestEmailChange(ctx, w.author.ID, "more@example.kr", "one-too-many"); !errors.Is(err, forum.ErrRateLimited) {
		t.Errorf("request past the daily limit: %v, want ErrRateLimited", err)
	}
}

func acctUserWithEmail(tb testing.TB, s *Store, email string) {
	tb.Helper()
	if _, err := s.CreateUser(ctx, forum.User{Role: forum.RoleCitizen, Name: "late comer", Email: email}, "hash"); err != nil {
		tb.Fatal(err)
	}
}
