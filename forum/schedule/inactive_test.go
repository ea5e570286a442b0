package schedule

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
)

// TestScheduler_RetiresInactiveAccounts runs the scheduler over a year of
// an injected clock: the notice goes out once when due, and the account is
// anonymised after the notice period, while the last administrator is only
// told.
func TestScheduler_RetiresInactiveAccounts(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	st := openStore(t, filepath.Join(t.TempDir(), "s.db"), c)
	citizen, err := st.CreateUser(ctx, forum.User{Role: forum.RoleCitizen, Name: "오래 쉰 시민", Email: "idle@example.org", Lang: "en"}, "x")
	if err != nil {
		t.Fatal(err)
	}
	admin, err := st.CreateUser(ctx, forum.User{Role: forum.RoleAdmin, Name: "유일한 관리자", Email: "admin@example.org"}, "x")
	if err != nil {
		t.Fatal(err)
	}
	set := st.Settings()
	s := New(st, c.now, nil)
	notices := func() int {
		ms, err := st.Outbox(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range ms {
			if m.Kind == store.MailInactiveNotice {
				n++
			}
		}
		return n
	}
	c.add(set.InactiveAfter - set.InactiveNotice - time.Minute)
	if _, err := s.RunOnce(ctx); err != nil || notices() != 0 {
		t.Fatalf("a minute early: %d notices, %v", notices(), err)
	}
	c.add(2 * time.Minute)
	for range 2 {
		if _, err := s.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := notices(); n != 2 {
		t.Fatalf("%d notices, want one for each account", n)
	}
	c.add(set.InactiveNotice)
	if _, err := s.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int64]bool{citizen.ID: true, admin.ID: false} {
		u, err := st.User(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if u.Deleted != want || (want && (u.Name != "" || u.Email == "idle@example.org")) {
			t.Errorf("user %d: deleted %v, name %q, e-mail %q; want deleted %v", id, u.Deleted, u.Name, u.Email, want)
		}
	}
}
