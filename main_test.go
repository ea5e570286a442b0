package main

import (
	"bufio"
	"context"
	"database/sql"
	"io"
	"net"
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
		if err == nil || !strings.Contains(string(out), "추측하기 쉬운 비밀번호입니다.") || strings.Contains(string(out), "err.") {
			t.Fatalf("weak password %q accepted or refused for another reason, or with a raw key: %v %s", weak, err, out)
		}
	}
	resetSecondFactorByCommand(t, bin, db)
	backup := filepath.Join(dir, "backup.db")
	if out, err := exec.Command(bin, "backup", "-db", db, backup).CombinedOutput(); err != nil {
		t.Fatalf("backup: %v %s", err, out)
	}
	if fi, err := os.Stat(backup); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode: %v %v, want 0600 (it holds every account's personal data)", fi.Mode(), err)
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

// TestBinary_CommandLine: help lists the subcommands and starts nothing; an
// unknown first word is refused with the usage (exit 2) and starts no
// server; each subcommand's -h lists its own flags only; version names the
// module and the Go release; admin create speaks in sentences; the README's
// example works on a fresh database (a ministry first, then its official);
// a backup of a database that is not there is refused.
func TestBinary_CommandLine(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin, err := binary.Build()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// run runs the binary in dir with a deadline (an unknown word that
	// served would never return), and returns stdout, stderr and the exit status.
	run := func(args ...string) (string, string, int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "EPEOPLE_ADDR=127.0.0.1:1") // were a server started, it would fail at once, not serve
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if ctx.Err() != nil {
			t.Fatalf("epeople %v did not return", args)
		}
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return stdout.String(), stderr.String(), code
	}
	commands := []string{"serve", "admin", "backup", "bench", "migrate", "version", "help"}
	for _, h := range []string{"help", "-h", "--help"} {
		out, errOut, code := run(h)
		if code != 0 || errOut != "" {
			t.Errorf("epeople %s: exit %d, stderr %q", h, code, errOut)
		}
		for _, c := range commands {
			if !regexp.MustCompile(`(?m)^  ` + c + ` +\S`).MatchString(out) {
				t.Errorf("epeople %s does not list %q with its line:\n%s", h, c, out)
			}
		}
	}
	for _, word := range []string{"foo", "serv", "start"} {
		out, errOut, code := run(word)
		if code != 2 || out != "" || !strings.Contains(errOut, `unknown command "`+word+`"`) || !strings.Contains(errOut, "usage: epeople COMMAND") {
			t.Errorf("epeople %s: exit %d, stdout %q, stderr %q; want 2 and the usage on stderr", word, code, out, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); err == nil {
		t.Errorf("help or an unknown command created the default database")
	}
	// Each -h: exit 0, its own flags, none of serve's it does not take.
	for _, tc := range []struct {
		args          []string
		want, notWant []string
	}{
		{[]string{"serve", "-h"}, []string{"-addr", "-db", "-smtp-url", "-base-url"}, nil},
		{[]string{"backup", "-h"}, []string{"usage: epeople backup", "-db"}, []string{"-addr", "-smtp-url", "-demo"}},
		{[]string{"admin", "create", "-h"}, []string{"-role", "-email", "-ministry", "-db", "-password-denylist"}, []string{"-addr", "-smtp-url", "-demo"}},
		{[]string{"admin", "ministry", "-h"}, []string{"-slug", "-name-ko", "-name-en", "-db"}, []string{"-addr", "-role"}},
		{[]string{"admin", "reset-2fa", "-h"}, []string{"-email", "-db"}, []string{"-addr", "-role"}},
		{[]string{"migrate", "-h"}, []string{"-from", "-to", "-batch"}, []string{"-addr", "-db ", "-smtp-url"}},
		{[]string{"help", "backup"}, []string{"usage: epeople backup"}, []string{"-addr"}},
	} {
		out, errOut, code := run(tc.args...)
		all := out + errOut
		if code != 0 {
			t.Errorf("epeople %v: exit %d: %s", tc.args, code, all)
		}
		for _, w := range tc.want {
			if !strings.Contains(all, w) {
				t.Errorf("epeople %v: missing %q:\n%s", tc.args, w, all)
			}
		}
		for _, w := range tc.notWant {
			if strings.Contains(all, w) {
				t.Errorf("epeople %v lists %q, a flag it does not take:\n%s", tc.args, w, all)
			}
		}
	}
	out, _, code := run("version")
	if code != 0 || !strings.Contains(out, "github.com/e-people/e-people") || !regexp.MustCompile(`(?m)^go1\.\d+`).MatchString(out) ||
		!strings.Contains(out, "revision ") {
		t.Errorf("epeople version: exit %d:\n%s", code, out)
	}

	// The README's example on a fresh database: the official's ministry
	// does not exist yet, and the refusal says how to make it.
	db := filepath.Join(dir, "fresh.db")
	official := []string{"admin", "create", "-db", db, "-role", "official", "-ministry", "mohw", "-email", "kim@mohw.go.kr",
		"-password", "an official passphrase", "-name", "김하늘"}
	_, errOut, code := run(official...)
	if code != 1 || !strings.Contains(errOut, "epeople admin ministry -slug mohw") {
		t.Errorf("an official of a ministry not yet made: exit %d: %s", code, errOut)
	}
	_, errOut, code = run("admin", "ministry", "-db", db, "-slug", "Bad Slug", "-name-ko", "", "-name-en", "Ministry of Health and Welfare")
	if code != 1 || !strings.Contains(errOut, "-slug: 주소 이름은") || !strings.Contains(errOut, "-name-ko: 한국어 이름을") || strings.Contains(errOut, "err.") {
		t.Errorf("a ministry with a bad slug and no Korean name: exit %d: %s", code, errOut)
	}
	if out, errOut, code := run("admin", "ministry", "-db", db, "-slug", "mohw", "-name-ko", "보건복지부", "-name-en", "Ministry of Health and Welfare"); code != 0 || !strings.Contains(out, "created ministry") {
		t.Fatalf("admin ministry: exit %d: %s%s", code, out, errOut)
	}
	if _, errOut, code := run("admin", "ministry", "-db", db, "-slug", "mohw", "-name-ko", "보건복지부", "-name-en", "Health"); code != 1 || !strings.Contains(errOut, "이미 다른 부처가 쓰는 주소 이름입니다.") {
		t.Errorf("a second ministry on the same slug: exit %d: %s", code, errOut)
	}
	if out, errOut, code := run(official...); code != 0 || !strings.Contains(out, "created official") {
		t.Fatalf("the README's official example: exit %d: %s%s", code, out, errOut)
	}
	_, errOut, code = run("admin", "create", "-db", db, "-role", "citizen", "-email", "kim@mohw.go.kr", "-password", "a citizen passphrase", "-name", "시민")
	if code != 1 || !strings.Contains(errOut, "이미 가입된 이메일입니다.") || !strings.Contains(errOut, "already") {
		t.Errorf("an address already taken: exit %d: %s", code, errOut)
	}
	_, errOut, code = run("admin", "create", "-db", db, "-role", "citizen", "-email", "c@example.org", "-password", "short", "-name", "시민")
	if code != 1 || !strings.Contains(errOut, "비밀번호는 10자 이상이어야 합니다.") || !strings.Contains(errOut, "10 characters") || strings.Contains(errOut, "err.") {
		t.Errorf("a short password: exit %d: %s", code, errOut)
	}

	// A backup of a database that is not there is refused, and writes nothing.
	missing, copyPath := filepath.Join(dir, "typo.db"), filepath.Join(dir, "copy.db")
	if _, errOut, code := run("backup", "-db", missing, copyPath); code != 1 || !strings.Contains(errOut, "no database at -db") {
		t.Errorf("backup of a missing database: exit %d: %s", code, errOut)
	}
	for _, p := range []string{missing, copyPath} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("backup of a missing database created %s", p)
		}
	}
	if _, _, code := run("backup", "-db", db); code != 2 {
		t.Errorf("backup without a PATH: exit %d, want 2", code)
	}
}

// TestBinary_PortInUse: a port already taken is reported first and alone:
// no setup link, no database opened, no "store is closed".
func TestBinary_PortInUse(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin, err := binary.Build()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	db := filepath.Join(t.TempDir(), "e.db")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "-db", db, "-addr", ln.Addr().String())
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatal("serve on a port in use did not return")
	}
	if err == nil {
		t.Fatal("serve on a port in use exited 0")
	}
	if stdout.String() != "" {
		t.Errorf("printed before failing: %q", stdout.String())
	}
	if e := stderr.String(); !strings.Contains(e, "listen on "+ln.Addr().String()) || !strings.Contains(e, "address already in use") ||
		strings.Contains(e, "closed") || strings.Count(strings.TrimSpace(e), "\n") != 0 {
		t.Errorf("stderr %q: want one line saying the port is in use", e)
	}
	if _, err := os.Stat(db); err == nil {
		t.Errorf("the database was opened (created) though the port was in use")
	}
}
