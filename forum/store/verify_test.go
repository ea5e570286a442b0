package store

import (
	"errors"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
)

// register stores a registered citizen with its consent and verification
// link, and returns it.
func register(tb testing.TB, s *Store, name, token string) *forum.User {
	tb.Helper()
	n := userSeq.Add(1)
	u, err := s.Register(ctx, NewCitizen{User: forum.User{Name: name, Email: name + itoa64(n) + "@example.kr", Lang: "en"},
		PasswordHash: "hash", Consent: forum.PrivacyNoticeVersion, VerifyToken: token})
	if err != nil {
		tb.Fatalf("register %s: %v", name, err)
	}
	return u
}

// Registering stores the account (registered, in its language), its
// privacy consent and one verification mail; without consent nothing is.
func TestStore_RegisterStoresConsentAndMail(t *testing.T) {
	w := newWorld(t)
	if _, err := w.s.Register(ctx, NewCitizen{User: forum.User{Name: "none", Email: "none@example.kr"}, PasswordHash: "h", VerifyToken: "t0"}); err == nil {
		t.Fatal("registered without consent")
	}
	u := register(t, w.s, "citizen", "tok-1")
	if u.Tier != forum.TierRegistered || u.Lang != "en" || u.Role != forum.RoleCitizen {
		t.Fatalf("account: %+v", u)
	}
	if n := count(t, w.s, `SELECT count(*) FROM consents WHERE user_id = ? AND kind = 'privacy' AND version = ?`, u.ID, forum.PrivacyNoticeVersion); n != 1 {
		t.Errorf("%d consents", n)
	}
	if n := count(t, w.s, `SELECT count(*) FROM users WHERE email = 'none@example.kr'`); n != 0 {
		t.Errorf("an account without consent was kept")
	}
	ms, err := w.s.Outbox(ctx, 10)
	if err != nil || len(ms) != 1 || ms[0].Kind != MailVerifyEmail || ms[0].Address != u.Email {
		t.Fatalf("outbox: %+v %v", ms, err)
	}
	// The raw token stays only until the mail is sent; the database keeps its hash.
	if n := count(t, w.s, `SELECT count(*) FROM account_tokens WHERE token_hash = ?`, forum.TokenHash("tok-1")); n != 1 {
		t.Errorf("token hash stored %d times", n)
	}
	if err := w.s.MarkMailSent(ctx, ms[0].ID); err != nil {
		t.Fatal(err)
	}
	if n := count(t, w.s, `SELECT count(*) FROM outbox WHERE data LIKE '%tok-1%'`); n != 0 {
		t.Error("the raw token stays in the outbox after sending")
	}
}

// A verification link works once, within 24 hours, and moves the account's
// supports into the counted figure; a support that lifts the figure to the
// threshold opens the answer period. Counters match their rows throughout.
func TestStore_VerifyEmailMovesFiguresAndCrossesThreshold(t *testing.T) {
	w := newWorld(t)
	if err := w.s.SetSettings(ctx, map[string]string{forum.SettingSupportThreshold: "2", "tier_support": "registered"}); err != nil {
		t.Fatal(err)
	}
	p := w.openProposal(t, "도서관 야간 개방")
	verified := newUser(t, w.s, "verified")
	fresh := register(t, w.s, "fresh", "tok-fresh")
	late := register(t, w.s, "late", "tok-late")
	for _, id := range []int64{verified.ID, fresh.ID, late.ID} {
		if _, err := w.s.Support(ctx, p.ID, id, nil); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := w.s.Proposal(ctx, p.ID)
	if got.Supports != 1 || got.UnverifiedSupports != 2 || got.Status.AwaitsAnswer() {
		t.Fatalf("before: %d + %d unverified, %s", got.Supports, got.UnverifiedSupports, got.Status)
	}
	if u, err := w.s.VerifyEmail(ctx, "tok-fresh"); err != nil || u.ID != fresh.ID || u.Tier != forum.TierEmailVerified {
		t.Fatalf("verify: %+v %v", u, err)
	}
	got, _ = w.s.Proposal(ctx, p.ID)
	if got.Supports != 2 || got.UnverifiedSupports != 1 || !got.Status.AwaitsAnswer() {
		t.Fatalf("after: %d + %d unverified, %s", got.Supports, got.UnverifiedSupports, got.Status)
	}
	if _, err := w.s.VerifyEmail(ctx, "tok-fresh"); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("a used link: %v", err)
	}
	w.clock.advance(VerifyTokenTTL + time.Second)
	if _, err := w.s.VerifyEmail(ctx, "tok-late"); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("an expired link: %v", err)
	}
	if _, err := w.s.VerifyEmail(ctx, "no-such-token"); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("an unknown link: %v", err)
	}
	// Back down: the figures move the other way.
	if _, err := w.s.SetTier(ctx, fresh.ID, forum.TierRegistered); err != nil {
		t.Fatal(err)
	}
	got, _ = w.s.Proposal(ctx, p.ID)
	if got.Supports != 1 || got.UnverifiedSupports != 2 {
		t.Errorf("after un-verifying: %d + %d unverified", got.Supports, got.UnverifiedSupports)
	}
	if err := w.s.CheckCounters(ctx); err != nil {
		t.Error(err)
	}
}

// A fresh link may be asked for once a minute and five times a day, the
// registration's included; an old link keeps working.
func TestStore_ResendVerificationLimits(t *testing.T) {
	w := newWorld(t)
	u := register(t, w.s, "citizen", "tok-0")
	if err := w.s.ResendVerification(ctx, u.ID, "tok-1"); !errors.Is(err, forum.ErrRateLimited) {
		t.Fatalf("within the minute: %v", err)
	}
	for i := 1; i < VerifyResendPerDay; i++ {
		w.clock.advance(VerifyResendGap + time.Second)
		if err := w.s.ResendVerification(ctx, u.ID, "tok-"+itoa64(int64(i))); err != nil {
			t.Fatalf("resend %d: %v", i, err)
		}
	}
	w.clock.advance(time.Hour)
	if err := w.s.ResendVerification(ctx, u.ID, "tok-x"); !errors.Is(err, forum.ErrRateLimited) {
		t.Fatalf("past the daily limit: %v", err)
	}
	if n := count(t, w.s, `SELECT count(*) FROM outbox WHERE user_id = ?`, u.ID); n != VerifyResendPerDay {
		t.Errorf("%d mails, want %d", n, VerifyResendPerDay)
	}
	if _, err := w.s.VerifyEmail(ctx, "tok-0"); err != nil {
		t.Fatalf("the first link: %v", err)
	}
	w.clock.advance(24 * time.Hour)
	if err := w.s.ResendVerification(ctx, u.ID, "tok-y"); !errors.Is(err, forum.ErrInvalidState) {
		t.Errorf("a verified account: %v", err)
	}
}

// One person, one identity-verified account; an administrator's decisions
// are audited, and revoking frees the identity.
func TestStore_IdentityOnePersonAndAdminAudit(t *testing.T) {
	w := newWorld(t)
	a, b := newUser(t, w.s, "a"), newUser(t, w.s, "b")
	if err := w.s.SetIdentity(ctx, a.ID, "test", "hash-1"); err != nil {
		t.Fatal(err)
	}
	if err := w.s.SetIdentity(ctx, b.ID, "test", "hash-1"); !errors.Is(err, forum.ErrIdentityTaken) {
		t.Fatalf("second account, same person: %v", err)
	}
	if u, _ := w.s.User(ctx, b.ID); u.Tier != forum.TierEmailVerified {
		t.Errorf("refused account's tier: %s", u.Tier)
	}
	admin, err := w.s.CreateUser(ctx, forum.User{Role: forum.RoleAdmin, Name: "admin", Email: "admin@example.kr", Tier: forum.TierEmailVerified}, "h")
	if err != nil {
		t.Fatal(err)
	}
	admin = enrol(t, w.s, admin)
	if err := w.s.AdminSetIdentity(ctx, admin, b.ID, true, "made up"); err == nil {
		t.Error("a reason outside the list was taken")
	}
	if err := w.s.AdminSetIdentity(ctx, b, a.ID, false, "identity_mistake"); !errors.Is(err, forum.ErrForbidden) {
		t.Errorf("a citizen revoking: %v", err)
	}
	if err := w.s.AdminSetIdentity(ctx, admin, a.ID, false, "identity_mistake"); err != nil {
		t.Fatal(err)
	}
	if err := w.s.SetIdentity(ctx, b.ID, "test", "hash-1"); err != nil {
		t.Fatalf("the freed identity: %v", err)
	}
	if err := w.s.AdminSetIdentity(ctx, admin, a.ID, true, "identity_in_person"); err != nil {
		t.Fatal(err)
	}
	if err := w.s.AdminSetIdentity(ctx, admin, a.ID, true, "identity_in_person"); !errors.Is(err, forum.ErrInvalidState) {
		t.Errorf("granting twice: %v", err)
	}
	if n := count(t, w.s, `SELECT count(*) FROM moderation_actions WHERE item_kind = 'user' AND item_id = ? AND actor_role = 'admin'
		AND ((action = 'identity_revoked' AND reason_code = 'identity_mistake' AND before_state = 'identity_verified' AND after_state = 'email_verified')
		  OR (action = 'identity_verified' AND reason_code = 'identity_in_person' AND after_state = 'identity_verified'))`, a.ID); n != 2 {
		t.Errorf("%d audit rows, want 2", n)
	}
}
