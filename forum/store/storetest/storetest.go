// Package storetest gives the tests of every package one way to the schema
// of a fresh database, a database to run on (an SQLite file, or a
// PostgreSQL database on a private server: servers.go), and the few ways
// they touch a database from outside the store: reading back a value,
// holding the write lock. SQL stays out of the tests of forum/web this way.
//
// schema.sql stays at the module root, where main embeds it into the binary
// and hands it to store.Open; Go cannot embed a file from a parent folder, so
// tests read it from disk. Of ours the package imports only the store's
// dialect, so that the store's own tests can use it too, and only tests
// import it: the binary never links it.
package storetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/e-people/e-people/forum/store/dialect"
	_ "github.com/mattn/go-sqlite3" // the driver the store uses, for Reader and HoldWriteLock
)

// Schema returns the text of schema.sql at the root of the module under
// test: the nearest folder at or above the working directory (go test runs
// each package in its own folder) that holds go.mod.
func Schema(tb testing.TB) string {
	tb.Helper()
	path, err := schemaPath()
	if err != nil {
		tb.Fatalf("find schema: %v", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read schema: %v", err)
	}
	return string(b)
}

// schemaPath walks up from the working directory to the module root.
func schemaPath() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find module root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "schema.sql"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find module root: no go.mod at or above the working directory")
		}
		dir = parent
	}
}

// Reader reads single values from a database file, outside the store and
// read-only, so a test can check the rows a request left behind.
type Reader struct {
	tb testing.TB
	db *sql.DB
}

// OpenReader opens the database file at path read-only (or, for a
// postgres:// URL, that database, with the store's placeholders); it closes
// when the test ends.
func OpenReader(tb testing.TB, path string) *Reader {
	tb.Helper()
	var db *sql.DB
	var err error
	if dialect.IsPostgres(path) {
		db, err = dialect.OpenPostgres(path)
	} else {
		db, err = sql.Open("sqlite3", "file:"+path+"?_query_only=true&_busy_timeout=5000")
	}
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	tb.Cleanup(func() { db.Close() })
	return &Reader{tb: tb, db: db}
}

// Value runs query, which must return one row of one column, and returns
// that value as text ("NULL" for SQL NULL). An error fails the test.
func (r *Reader) Value(query string, args ...any) string {
	r.tb.Helper()
	var v sql.NullString
	if err := r.db.QueryRow(query, args...).Scan(&v); err != nil {
		r.tb.Fatalf("%s: %v", query, err)
	}
	if !v.Valid {
		return "NULL"
	}
	return v.String
}

// HoldWriteLock takes the write lock of the database file at path from a
// connection of its own (BEGIN IMMEDIATE), as another process would, and
// returns the function that lets it go. The lock is let go at the end of the
// test if release was not called. On PostgreSQL (path a URL), which has no
// database-wide write lock, it locks every table of the schema in EXCLUSIVE
// mode, which lets reads through and holds up every write.
func HoldWriteLock(tb testing.TB, path string) (release func() error) {
	tb.Helper()
	pg := dialect.IsPostgres(path)
	var db *sql.DB
	var err error
	if pg {
		db, err = sql.Open("pgx", path)
	} else {
		db, err = sql.Open("sqlite3", "file:"+path+"?_busy_timeout=100")
	}
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		tb.Fatalf("connect to %s: %v", path, err)
	}
	lock := []string{`BEGIN IMMEDIATE`}
	if pg {
		lock = []string{`BEGIN`, `DO $$ DECLARE t text; BEGIN
			FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
				EXECUTE 'LOCK TABLE ' || quote_ident(t) || ' IN EXCLUSIVE MODE';
			END LOOP; END $$`}
	}
	for _, q := range lock {
		if _, err = conn.ExecContext(ctx, q); err != nil {
			break
		}
	}
	if err != nil {
		conn.Close()
		db.Close()
		tb.Fatalf("take the write lock of %s: %v", path, err)
	}
	var once sync.Once
	var rollback error
	release = func() error {
		once.Do(func() {
			_, rollback = conn.ExecContext(ctx, `ROLLBACK`)
			rollback = errors.Join(rollback, conn.Close(), db.Close())
		})
		return rollback
	}
	tb.Cleanup(func() { _ = release() })
	return release
}
