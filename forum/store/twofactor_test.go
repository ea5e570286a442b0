package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
)

// TestStore_RevokeRoleKeepsAnAdmin: two admins taking each other's role at
// once leave one admin, because the count is read inside the write.
func TestStore_RevokeRoleKeepsAnAdmin(t *testing.T) {
	s := openTest(t, newClock().now)
	ctx := context.Background()
	var admins [2]*forum.User
	for i := range admins {
		u, err := s.CreateUser(ctx, forum.User{Role: forum.RoleAdmin, Name: "관리자" + string(rune('가'+i)), Email: string(rune('a'+i)) + "@example.org"}, "x")
		if err != nil {
			t.Fatal(err)
		}
		admins[i] = enrol(t, s, u)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range admins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.RevokeRole(ctx, admins[i], admins[1-i].ID, "left_post")
		}()
	}
	wg.Wait()
	ok, last := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, forum.ErrLastAdmin):
			last++
		default:
			t.Fatalf("revoke: %v", err)
		}
	}
	if n := count(t, s, `SELECT count(*) FROM users WHERE role = 'admin'`); ok != 1 || last != 1 || n != 1 {
		t.Fatalf("%d revoked, %d refused as the last admin, %d admins left; want 1, 1, 1", ok, last, n)
	}
}

// TestStore_PassSecondFactorIsAtomic: a wrong code leaves the pending
// session and spends nothing; a right one replaces the pending session with
// a full one in the same transaction, and cannot be spent twice.
func TestStore_PassSecondFactorIsAtomic(t *testing.T) {
	clk := newClock()
	s := openTest(t, clk.now)
	ctx := context.Background()
	u := newUser(t, s, "이중 인증")
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	if err := s.EnableSecondFactor(ctx, u.ID, secret, 0, []string{forum.RecoveryCodeHash("abcd-efgh-jkmn")}, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.EnableSecondFactor(ctx, u.ID, secret, 0, nil, ""); !errors.Is(err, forum.ErrConflict) {
		t.Fatalf("enrolling twice: %v", err)
	}
	pending := NewSession{TokenHash: "pending", UserID: u.ID, CSRF: "c", TTL: time.Minute, PendingMFA: true}
	if err := s.CreateSession(ctx, pending); err != nil {
		t.Fatal(err)
	}
	full := func(h string) NewSession { return NewSession{TokenHash: h, CSRF: "c", TTL: time.Hour} }
	if _, err := s.PassSecondFactor(ctx, "pending", "000000", full("full")); !errors.Is(err, forum.ErrSecondFactorWrong) {
		t.Fatalf("wrong code: %v", err)
	}
	if sess, err := s.SessionByToken(ctx, "pending"); err != nil || !sess.PendingMFA {
		t.Fatalf("the pending session after a wrong code: %+v %v", sess, err)
	}
	if n := count(t, s, `SELECT count(*) FROM users WHERE id = ? AND totp_last_step = 0`, u.ID); n != 1 {
		t.Fatal("a wrong code moved the last step")
	}
	code, _ := forum.TOTPCode(secret, clk.now())
	got, err := s.PassSecondFactor(ctx, "pending", code, full("full"))
	if err != nil || got.ID != u.ID {
		t.Fatalf("right code: %v", err)
	}
	if _, err := s.SessionByToken(ctx, "pending"); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("the pending session outlived the code: %v", err)
	}
	if sess, err := s.SessionByToken(ctx, "full"); err != nil || sess.PendingMFA {
		t.Fatalf("the full session: %+v %v", sess, err)
	}
	if _, err := s.PassSecondFactor(ctx, "full", code, full("again")); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("a full session passed again: %v", err)
	}
	if err := s.CheckSecondFactor(ctx, u.ID, code); !errors.Is(err, forum.ErrSecondFactorWrong) {
		t.Errorf("the spent code again: %v", err)
	}
	if err := s.CheckSecondFactor(ctx, u.ID, "ABCD EFGH JKMN"); err != nil {
		t.Errorf("the recovery code: %v", err)
	}
	if err := s.CheckSecondFactor(ctx, u.ID, "abcd-efgh-jkmn"); !errors.Is(err, forum.ErrSecondFactorWrong) {
		t.Errorf("the recovery code again: %v", err)
	}
}
