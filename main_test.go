package main

import (
	"bufio"
	"context"
	"database/sql"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/e-people/e-people/forum/demo"
	"github.com/e-people/e-people/forum/e2e"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/forum/store/storetest"
	"github.com/e-people/e-people/moderation"
	_ "github.com/mattn/go-sqlite3"
)

// binary builds the epeople binary once per test run; TestMain removes it.
var binary e2e.Builder

func TestMain(m *testing.M) {
	code := m.Run()
	binary.Cleanup()
	os.Exit(code)
}

// TestBinary_ServeAdminBackupShutdown drives the real binary: first start
// prints a setup link, admin create and backup work while it serves, and
// SIGTERM stops it cleanly.
func TestBinary_ServeAdminBackupShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin, err := binary.Build()
	if err != nil {
		t.Fatal(err)
	}
	addr, err := e2e.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "e.db")
	srv := exec.Command(bin, "serve", "-db", db, "-addr", addr)
	stdout, _ := srv.StdoutPipe()
	srv.Stderr = io.Discard
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Process.Kill()
	lines := bufio.NewScanner(stdout)
	var setup string
	for lines.Scan() {
		if m := regexp.MustCompile(`http://\S+/setup/\S+`).FindString(lines.Text()); m != "" {
			setup = m
		}
		if strings.Contains(lines.Text(), "serving at") {
			break
		}
	}
	if setup == "" {
		t.Fatal("no setup link printed on first start")
	}
	go io.Copy(io.Discard, stdout)
	res, err := http.Get(setup)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("setup page: %v %v", err, res)
	}
	res.Body.Close()

	out, err := exec.Command(bin, "admin", "create", "-db", db, "-role", "moderator", "-email", "Mod@Example.org",
		"-password", "a moderator passphrase", "-name", "류지혜").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "created moderator") {
		t.Fatalf("admin create: %v %s", err, out)
	}
	out, err = exec.Command(bin, "admin", "create", "-db", db, "-role", "official", "-email", "o@example.org",
		"-password", "an official passphrase", "-name", "김하늘").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "-ministry") {
		t.Fatalf("official without ministry accepted: %s", out)
	}
	out, err = exec.Command(bin, "admin", "create", "-db", db, "-role", "citizen", "-email", "c@example.org",
		"-password", "short", "-name", "시민").CombinedOutput()
	if err == nil {
		t.Fatalf("short password accepted: %s", out)
	}
	for _, weak := range []string{"aaaaaaaaaa", "0000000000", "sihyeon12345"} {
		out, err = exec.Command(bin, "admin", "create", "-db", db, "-role", "citizen", "-email", "sihyeon@example.org",
			"-password", weak, "-name", "Sihyeon Kim").CombinedOutput()
		if err == nil || !strings.Contains(string(out), "err.password_weak") {
			t.Fatalf("weak password %q accepted or refused for another reason: %v %s", weak, err, out)
		}
	}
	resetSecondFactorByCommand(t, bin, db)
	backup := filepath.Join(dir, "backup.db")
	if out, err := exec.Command(bin, "backup", "-db", db, backup).CombinedOutput(); err != nil {
		t.Fatalf("backup: %v %s", err, out)
	}
	bdb, err := sql.Open("sqlite3", backup)
	if err != nil {
		t.Fatal(err)
	}
	var check, email string
	if err := bdb.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("backup integrity: %v %s", err, check)
	}
	if err := bdb.QueryRow(`SELECT email FROM users WHERE role = 'moderator'`).Scan(&email); err != nil || email != "mod@example.org" {
		t.Fatalf("backup lacks the moderator: %v %q", err, email)
	}
	bdb.Close()

	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- srv.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("server did not stop after SIGTERM")
	}
	if _, err := os.Stat(db + "-wal"); err == nil {
		if fi, _ := os.Stat(db + "-wal"); fi.Size() != 0 {
			t.Errorf("write-ahead log not checkpointed at shutdown: %d bytes", fi.Size())
		}
	}
}

// resetSecondFactorByCommand: `epeople admin reset-2fa` refuses an account
// without a second factor, and clears an enrolled one's (key, recovery
// codes, sessions) with an admin's row in the moderation log.
func resetSecondFactorByCommand(t *testing.T, bin, db string) {
	t.Helper()
	out, err := exec.Command(bin, "admin", "reset-2fa", "-db", db, "-email", "mod@example.org").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "no second factor") {
		t.Fatalf("reset-2fa without a second factor: %v %s", err, out)
	}
	w, err := sql.Open("sqlite3", "file:"+db+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Exec(`UPDATE users SET totp_secret = 'JBSWY3DPEHPK3PXP', totp_enabled_at = 1, totp_last_step = 7 WHERE email = 'mod@example.org';
		INSERT INTO recovery_codes (user_id, code_hash) SELECT id, 'h' FROM users WHERE email = 'mod@example.org'`); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command(bin, "admin", "reset-2fa", "-db", db, "-email", "Mod@Example.org").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "reset the second factor of moderator") {
		t.Fatalf("reset-2fa: %v %s", err, out)
	}
	var left int
	var role, action string
	if err := w.QueryRow(`SELECT (SELECT count(*) FROM users WHERE email = 'mod@example.org' AND totp_secret = '' AND totp_enabled_at IS NULL AND totp_last_step IS NULL)
		+ (SELECT count(*) FROM recovery_codes)`).Scan(&left); err != nil || left != 1 {
		t.Fatalf("after reset-2fa: %v, cleared-and-no-codes check %d, want 1", err, left)
	}
	if err := w.QueryRow(`SELECT actor_role, action FROM moderation_actions ORDER BY id DESC LIMIT 1`).Scan(&role, &action); err != nil ||
		role != "admin" || action != "second_factor_reset" {
		t.Fatalf("log row of reset-2fa: %v %s %s", err, role, action)
	}
}

// TestBinary_Migrate runs `epeople migrate` on the demo forum: it copies
// and verifies, a second run copies nothing and verifies again, a row
// changed in PostgreSQL afterwards fails the verification with a non-zero
// exit, and the wrong kind of database is refused.
func TestBinary_Migrate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin, err := binary.Build()
	if err != nil {
		t.Fatal(err)
	}
	pg, err := storetest.StartPostgres()
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Stop()
	db := filepath.Join(t.TempDir(), "e.db")
	ctx := context.Background()
	st, err := store.Open(ctx, db, schemaSQL, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, st, moderation.NewRenderer(), demo.Options{BenchmarkComments: 50}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	for run := 1; run <= 2; run++ {
		out, err := exec.Command(bin, "migrate", "-from", db, "-to", pg.URL, "-batch", "40").CombinedOutput()
		m := regexp.MustCompile(`(?m)^comments +(\d+) of (\d+) rows$`).FindSubmatch(out)
		if err != nil || !strings.Contains(string(out), "verified: every row") || m == nil || string(m[1]) != string(m[2]) || string(m[1]) == "0" {
			t.Fatalf("migrate, run %d: %v\n%s", run, err, out)
		}
	}
	target, err := sql.Open("pgx", pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	if _, err := target.Exec(`UPDATE proposals SET title = 'changed after the copy' WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "migrate", "-from", db, "-to", pg.URL).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "proposals: 1 rows differ") || !strings.Contains(string(out), `"changed after the copy" in the target`) {
		t.Fatalf("migrate onto a changed copy: %v\n%s", err, out)
	}
	out, err = exec.Command(bin, "migrate", "-from", pg.URL, "-to", db).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "usage: epeople migrate") {
		t.Fatalf("migrate from PostgreSQL to SQLite: %v\n%s", err, out)
	}
}
