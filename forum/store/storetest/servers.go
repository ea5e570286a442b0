package storetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the server's admin connections
)

// The tests of the store, the web app and the live hub run against SQLite,
// and again against PostgreSQL when EPEOPLE_TEST_DB=postgres (the Makefile
// runs both). PostgreSQL and NATS are real servers: the first test that needs
// one starts a private one, on a free loopback port, in a temporary folder,
// as an unprivileged user, and Main stops it when the package's tests end.
// EPEOPLE_TEST_POSTGRES (a postgres:// URL of a role that may create
// databases) and EPEOPLE_TEST_NATS (a nats:// URL) use running servers
// instead.

// Postgres reports whether this run of the tests is on PostgreSQL.
func Postgres() bool { return os.Getenv("EPEOPLE_TEST_DB") == "postgres" }

// Database returns where a test's store lives: a new SQLite file in a
// temporary folder, or on PostgreSQL a new, empty database (dropped when the
// test ends). Either is what store.Open takes.
func Database(tb testing.TB) string {
	tb.Helper()
	if !Postgres() {
		return filepath.Join(tb.TempDir(), "forum.db")
	}
	return NewPostgresDatabase(tb)
}

var dbSeq atomic.Int64

// NewPostgresDatabase creates an empty database on the test PostgreSQL
// server, whatever EPEOPLE_TEST_DB says, and returns its URL. It is dropped
// when the test ends.
func NewPostgresDatabase(tb testing.TB) string {
	tb.Helper()
	admin, err := postgresServer()
	if err != nil {
		tb.Fatalf("PostgreSQL for tests: %v", err)
	}
	name := fmt.Sprintf("t%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, dbSeq.Add(1))
	db, err := sql.Open("pgx", admin)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE DATABASE ` + name + ` TEMPLATE template0 ENCODING 'UTF8'`); err != nil {
		tb.Fatalf("create database %s: %v", name, err)
	}
	dropAtEnd(tb, admin, name)
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	return u.String()
}

// NATS returns the URL of the test NATS server (with JetStream), starting
// it the first time.
func NATS(tb testing.TB) string {
	tb.Helper()
	u, err := natsServer()
	if err != nil {
		tb.Fatalf("NATS for tests: %v", err)
	}
	return u
}

// Main runs a package's tests and then stops the servers they started. A
// package whose tests may use PostgreSQL or NATS calls it from TestMain.
func Main(m *testing.M) {
	os.Exit(Run(m))
}

// Run is Main for a TestMain that has more to clean up afterwards: it runs
// the tests, stops the servers they started and returns the exit code.
func Run(m *testing.M) int {
	code := m.Run()
	stopServers()
	return code
}

var (
	pgOnce  sync.Once
	pgURL   string
	pgErr   error
	natOnce sync.Once
	natURL  string
	natErr  error

	serversMu sync.Mutex
	servers   []*Server
)

func postgresServer() (string, error) {
	pgOnce.Do(func() {
		if u := os.Getenv("EPEOPLE_TEST_POSTGRES"); u != "" {
			pgURL = u
			return
		}
		var srv *Server
		srv, pgErr = StartPostgres()
		if pgErr == nil {
			pgURL = srv.URL
			track(srv)
		}
	})
	return pgURL, pgErr
}

func natsServer() (string, error) {
	natOnce.Do(func() {
		if u := os.Getenv("EPEOPLE_TEST_NATS"); u != "" {
			natURL = u
			return
		}
		var srv *Server
		srv, natErr = StartNATS(0)
		if natErr == nil {
			natURL = srv.URL
			track(srv)
		}
	})
	return natURL, natErr
}

func track(s *Server) {
	serversMu.Lock()
	defer serversMu.Unlock()
	servers = append(servers, s)
}

func stopServers() {
	serversMu.Lock()
	defer serversMu.Unlock()
	for _, s := range servers {
		_ = s.Stop()
	}
	servers = nil
}

// Server is a PostgreSQL or NATS server a test started.
type Server struct {
	URL  string // where clients connect
	Port int
	dir  string
	cmd  *exec.Cmd
	done chan struct{}
	args []string
	attr *syscall.SysProcAttr
	log  *os.File
}

// Stop ends the server and removes its folder.
func (s *Server) Stop() error {
	err := s.Kill(syscall.SIGTERM)
	return errors.Join(err, os.RemoveAll(s.dir))
}

// Kill sends sig to the server and waits for it to exit; its folder stays,
// so Restart can start it again on the same port with the same data.
func (s *Server) Kill(sig syscall.Signal) error {
	if s.cmd == nil {
		return nil
	}
	_ = s.cmd.Process.Signal(sig)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
	return nil
}

// Restart starts a stopped (killed) server again, on the same port with the
// same data, and waits until it takes connections.
func (s *Server) Restart() error {
	if s.cmd != nil {
		return errors.New("restart: the server is running")
	}
	return s.start()
}

func (s *Server) start() error {
	cmd := exec.Command(s.args[0], s.args[1:]...)
	cmd.SysProcAttr = s.attr
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", filepath.Base(s.args[0]), err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	go func(done chan struct{}) { _ = cmd.Wait(); close(done) }(s.done)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("%s exited at start; its log: %s", filepath.Base(s.args[0]), tail(s.log.Name()))
		default:
		}
		c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)), time.Second)
		if err == nil {
			c.Close()
			if strings.HasPrefix(s.URL, "postgres") {
				if err := pingPostgres(s.URL); err != nil {
					time.Sleep(50 * time.Millisecond)
					continue
				}
			}
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = s.Kill(syscall.SIGKILL)
	return fmt.Errorf("%s did not take connections within 60 s; its log: %s", filepath.Base(s.args[0]), tail(s.log.Name()))
}

func pingPostgres(u string) error {
	db, err := sql.Open("pgx", u)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// unprivileged returns the credentials to run a server as: the postgres
// account (or nobody) when the tests run as root, which PostgreSQL refuses
// to run as; nil otherwise.
func unprivileged(dir string) (*syscall.SysProcAttr, error) {
	attr := &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM, Setpgid: true}
	if os.Geteuid() != 0 {
		return attr, nil
	}
	var u *user.User
	var err error
	for _, name := range []string{"postgres", "nobody"} {
		if u, err = user.Lookup(name); err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("find an unprivileged account to run the server as: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Chown(p, uid, gid)
	}); err != nil {
		return nil, err
	}
	attr.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	return attr, nil
}

// postgresBin finds a PostgreSQL program: on PATH, or in Debian's
// /usr/lib/postgresql/N/bin (the newest N).
func postgresBin(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		a, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		b, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return a > b
	})
	for _, d := range dirs {
		if p := filepath.Join(d, name); fileExists(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found: install Debian's postgresql (make test does)", name)
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// StartPostgres starts a private PostgreSQL server: initdb into a new
// temporary folder, then postgres on a free loopback port, its socket in
// that folder, trusting local connections of the superuser "epeople". Its
// durability is relaxed (fsync off): tests check behaviour, not crashes of
// the machine.
func StartPostgres() (*Server, error) {
	initdb, err := postgresBin("initdb")
	if err != nil {
		return nil, err
	}
	postgres, err := postgresBin("postgres")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "epeople-pg-")
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		return nil, err
	}
	attr, err := unprivileged(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	cmd := exec.Command(initdb, "-D", data, "-U", "epeople", "--auth=trust", "--no-locale", "-E", "UTF8", "--no-sync")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: attr.Credential}
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %w: %s", err, out)
	}
	port, err := FreePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if attr.Credential != nil {
		_ = logf.Chown(int(attr.Credential.Uid), int(attr.Credential.Gid))
	}
	s := &Server{
		URL:  fmt.Sprintf("postgres://epeople@127.0.0.1:%d/postgres?sslmode=disable", port),
		Port: port, dir: dir, attr: attr, log: logf,
		args: []string{postgres, "-D", data, "-p", strconv.Itoa(port), "-k", dir,
			"-c", "listen_addresses=127.0.0.1", "-c", "max_connections=400",
			"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
			"-c", "shared_buffers=64MB", "-c", "max_pred_locks_per_transaction=256"},
	}
	if err := s.start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

// StartNATS starts a private NATS server with JetStream on port (a free one
// when 0), its store in a new temporary folder.
func StartNATS(port int) (*Server, error) {
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		return nil, errors.New("nats-server not found: install Debian's nats-server (make test does)")
	}
	if port == 0 {
		if port, err = FreePort(); err != nil {
			return nil, err
		}
	}
	dir, err := os.MkdirTemp("", "epeople-nats-")
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s := &Server{
		URL:  fmt.Sprintf("nats://127.0.0.1:%d", port),
		Port: port, dir: dir, log: logf,
		attr: &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM, Setpgid: true},
		args: []string{bin, "-a", "127.0.0.1", "-p", strconv.Itoa(port), "-js", "-sd", filepath.Join(dir, "js")},
	}
	if err := s.start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

// CopyPostgresDatabase creates a new database on the test PostgreSQL server
// as a copy of the one src (a URL from NewPostgresDatabase or Database)
// names, and returns its URL. It is dropped when the test ends. PostgreSQL
// copies only a database nobody is connected to, so the connections to src
// are ended first: close or stop using its stores before.
func CopyPostgresDatabase(tb testing.TB, src string) string {
	tb.Helper()
	admin, err := postgresServer()
	if err != nil {
		tb.Fatalf("PostgreSQL for tests: %v", err)
	}
	su, err := url.Parse(src)
	if err != nil {
		tb.Fatalf("copy database: %v", err)
	}
	from := strings.TrimPrefix(su.Path, "/")
	name := fmt.Sprintf("t%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, dbSeq.Add(1))
	db, err := sql.Open("pgx", admin)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	for attempt := 0; ; attempt++ {
		if _, err := db.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, from); err != nil {
			tb.Fatalf("copy database %s: end its connections: %v", from, err)
		}
		_, err := db.Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + from)
		if err == nil {
			break
		}
		// 55006: a connection came back between the two statements.
		if attempt == 20 || !strings.Contains(err.Error(), "55006") {
			tb.Fatalf("copy database %s: %v", from, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	dropAtEnd(tb, admin, name)
	su.Path = "/" + name
	return su.String()
}

// dropAtEnd drops the database name on the server admin names when the test ends.
func dropAtEnd(tb testing.TB, admin, name string) {
	tb.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			tb.Errorf("drop database %s: %v", name, err)
			return
		}
		defer db.Close()
		if _, err := db.Exec(`DROP DATABASE ` + name + ` WITH (FORCE)`); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
	})
}
