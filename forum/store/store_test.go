package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store/storetest"
)

func userVersion(tb testing.TB, path string) int {
	tb.Helper()
	db := rawOpen(tb, path, "mode=ro")
	var v int
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		tb.Fatal(err)
	}
	db.Close()
	return v
}

func TestOpen_CreatesSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dir", "forum.db")
	s, err := Open(ctx, path, readSchema(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := userVersion(t, path); got != Version() {
		t.Errorf("user_version = %d, want %d", got, Version())
	}
	// Reopening an up-to-date database changes nothing and works.
	s = openTestAt(t, path, nil)
	if _, err := s.CreateMinistry(ctx, forum.Ministry{Slug: "moe", NameKO: "교육부", NameEN: "Education"}); err != nil {
		t.Errorf("write after reopen: %v", err)
	}
}

func TestOpen_RefusesNewerDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "forum.db")
	s, err := Open(ctx, path, readSchema(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db := rawOpen(t, path, "")
	if _, err := db.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, Version()+1)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err = Open(ctx, path, readSchema(t), Options{})
	if err == nil {
		s.Close()
		t.Fatal("Open accepted a database newer than the binary")
	}
	if !strings.Contains(err.Error(), "newer") {
		t.Errorf("error %q does not say the database is newer", err)
	}
}

func TestOpen_RefusesForeignDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	db := rawOpen(t, path, "")
	if _, err := db.Exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(ctx, path, readSchema(t), Options{})
	if err == nil {
		s.Close()
		t.Fatal("Open accepted a non-empty database without a schema version")
	}
	// The foreign database is left as it was.
	db = rawOpen(t, path, "")
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'proposals'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("Open wrote into a foreign database: proposals tables %d, %v", n, err)
	}
}

func TestStore_Users(t *testing.T) {
	s := openTest(t, nil)
	u, err := s.CreateUser(ctx, forum.User{Role: forum.RoleCitizen, Name: "홍길동", Email: "  Hong@Example.KR "}, "argon-hash")
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "hong@example.kr" || u.Status != forum.UserActive || u.ID == 0 {
		t.Errorf("created user = %+v", u)
	}
	_, err = s.CreateUser(ctx, forum.User{Role: forum.RoleCitizen, Name: "다른 사람", Email: "HONG@example.kr"}, "h2")
	wantErr(t, err, forum.ErrEmailTaken)
	if n := count(t, s, `SELECT count(*) FROM users`); n != 1 {
		t.Errorf("users = %d after a refused duplicate, want 1", n)
	}

	got, hash, err := s.UserByEmail(ctx, "hong@EXAMPLE.kr")
	if err != nil || got.ID != u.ID || hash != "argon-hash" || got.Name != "홍길동" {
		t.Errorf("UserByEmail = %+v, %q, %v", got, hash, err)
	}
	_, _, err = s.UserByEmail(ctx, "nobody@example.kr")
	wantErr(t, err, forum.ErrNotFound)
	_, err = s.User(ctx, 999)
	wantErr(t, err, forum.ErrNotFound)

	m, _ := places(t, s, "mois")
	off, err := s.CreateUser(ctx, forum.User{Role: forum.RoleOfficial, MinistryID: m, Name: "공무원", Email: "official@korea.kr"}, "h")
	if err != nil || off.MinistryID != m {
		t.Errorf("create official = %+v, %v", off, err)
	}
	if _, err := s.CreateUser(ctx, forum.User{Role: forum.RoleOfficial, Name: "소속 없음", Email: "x@korea.kr"}, "h"); err == nil {
		t.Error("an official without a ministry was accepted")
	}
}

func TestStore_Sessions(t *testing.T) {
	c := newClock()
	s := openTest(t, c.now)
	u := newUser(t, s, "citizen")
	if err := s.CreateSession(ctx, NewSession{TokenHash: "tok-hash", UserID: u.ID, CSRF: "csrf-1", TTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	sess, err := s.SessionByToken(ctx, "tok-hash")
	if err != nil || sess.User.ID != u.ID || sess.CSRF != "csrf-1" || !sess.ExpiresAt.Equal(c.now().Add(time.Hour)) {
		t.Fatalf("SessionByToken = %+v, %v", sess, err)
	}
	_, err = s.SessionByToken(ctx, "other")
	wantErr(t, err, forum.ErrNotFound)

	c.advance(time.Hour - time.Second)
	if _, err := s.SessionByToken(ctx, "tok-hash"); err != nil {
		t.Errorf("session a second before expiry: %v", err)
	}
	c.advance(2 * time.Second)
	_, err = s.SessionByToken(ctx, "tok-hash")
	wantErr(t, err, forum.ErrNotFound)

	// A new session sweeps expired ones.
	if err := s.CreateSession(ctx, NewSession{TokenHash: "tok-2", UserID: u.ID, CSRF: "csrf-2", TTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT count(*) FROM sessions`); n != 1 {
		t.Errorf("sessions = %d, want the expired one swept", n)
	}
	if err := s.DeleteSession(ctx, "tok-2"); err != nil {
		t.Fatal(err)
	}
	_, err = s.SessionByToken(ctx, "tok-2")
	wantErr(t, err, forum.ErrNotFound)
}

func TestStore_CreateFirstAdmin(t *testing.T) {
	s := openTest(t, nil)
	if err := s.SetSetupToken(ctx, "setup-hash"); err != nil {
		t.Fatal(err)
	}
	admin := forum.User{Name: "관리자", Email: "admin@example.kr", Role: forum.RoleCitizen}
	_, err := s.CreateFirstAdmin(ctx, "wrong-hash", admin, "h")
	wantErr(t, err, forum.ErrForbidden)

	u, err := s.CreateFirstAdmin(ctx, "setup-hash", admin, "h")
	if err != nil || u.Role != forum.RoleAdmin {
		t.Fatalf("CreateFirstAdmin = %+v, %v", u, err)
	}
	admin.Email = "second@example.kr"
	_, err = s.CreateFirstAdmin(ctx, "setup-hash", admin, "h")
	wantErr(t, err, forum.ErrForbidden)
	if n, err := s.CountUsers(ctx, forum.RoleAdmin); err != nil || n != 1 {
		t.Errorf("admins = %d, %v; want 1", n, err)
	}
	if v, err := s.Setting(ctx, setupTokenKey, "gone"); err != nil || v != "gone" {
		t.Errorf("setup token still stored: %q, %v", v, err)
	}
}

func TestStore_CreateFirstAdminKeepsTokenOnFailure(t *testing.T) {
	s := openTest(t, nil)
	newUser(t, s, "taken")
	var email string
	if err := s.DB().QueryRow(`SELECT email FROM users`).Scan(&email); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetupToken(ctx, "setup-hash"); err != nil {
		t.Fatal(err)
	}
	_, err := s.CreateFirstAdmin(ctx, "setup-hash", forum.User{Name: "관리자", Email: email}, "h")
	wantErr(t, err, forum.ErrEmailTaken)
	if v, _ := s.Setting(ctx, setupTokenKey, ""); v != "setup-hash" {
		t.Errorf("a failed first admin burned the token")
	}
}

func TestStore_Backup(t *testing.T) {
	w := newWorld(t)
	if w.s.pg { // a PostgreSQL database is backed up by its server's tools: Backup says so and writes nothing
		dest := filepath.Join(t.TempDir(), "copy.db")
		if err := w.s.Backup(ctx, dest); err == nil || !strings.Contains(err.Error(), "pg_dump") {
			t.Errorf("Backup on PostgreSQL = %v, want the advice to use pg_dump", err)
		}
		if _, err := os.Stat(dest); !os.IsNotExist(err) {
			t.Errorf("Backup on PostgreSQL left %s: %v", dest, err)
		}
		return
	}
	p := w.openProposal(t, "백업 중에도 지지")
	users := newUsers(t, w.s, 400)

	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	var writes int
	var writeErr error
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			support := w.s.Unsupport
			if (i/len(users))%2 == 0 {
				support = func(ctx context.Context, id, userID int64) (int, error) { return w.s.Support(ctx, id, userID, nil) }
			}
			if _, err := support(ctx, p.ID, users[i%len(users)]); err != nil {
				writeErr = err
				return
			}
			writes++
		}
	}()
	dest := filepath.Join(t.TempDir(), "backup", "copy.db")
	if err := os.MkdirAll(filepath.Dir(dest), 0o750); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	backupErr := w.s.Backup(ctx, dest)
	time.Sleep(20 * time.Millisecond)
	close(stop)
	wg.Wait()
	if backupErr != nil {
		t.Fatalf("Backup: %v", backupErr)
	}
	if writeErr != nil {
		t.Fatalf("writer during backup: %v", writeErr)
	}
	if writes == 0 {
		t.Error("the writer made no progress during the backup")
	}

	db := rawOpen(t, dest, "mode=ro")
	var check string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check of the copy = %q, %v", check, err)
	}
	var stored, rows int
	if err := db.QueryRow(`SELECT support_count, (SELECT count(*) FROM supports WHERE proposal_id = ?1) FROM proposals WHERE id = ?1`,
		p.ID).Scan(&stored, &rows); err != nil || stored != rows {
		t.Errorf("the copy is not a consistent snapshot: support_count %d, rows %d, %v", stored, rows, err)
	}
	db.Close()
	copyStore := openTestAt(t, dest, nil)
	checkCounters(t, copyStore)

	if err := w.s.Backup(ctx, dest); err == nil {
		t.Error("Backup overwrote an existing file")
	}
}

// TestStore_BusyIsUnavailable holds the write lock from another connection
// and expects a store write to give up with ErrUnavailable after its busy timeout.
func TestStore_BusyIsUnavailable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "forum.db")
	s := openTestAt(t, path, nil)
	places(t, s, "x")

	release := storetest.HoldWriteLock(t, path)
	start := time.Now()
	err := s.SetSetting(ctx, "k", "v")
	if !errors.Is(err, forum.ErrUnavailable) {
		t.Errorf("write under a held lock: %v, want ErrUnavailable", err)
	}
	if d := time.Since(start); d < 4*time.Second {
		t.Errorf("gave up after %v, before the 5 s busy timeout", d)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, "k", "v"); err != nil {
		t.Errorf("write after the lock was released: %v", err)
	}
	// Readers are not blocked by a writer in WAL mode.
	if _, err := s.Ministries(context.Background()); err != nil {
		t.Errorf("read: %v", err)
	}
}
