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

	"github.com/e-people/e-people/forum/e2e"
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
