package storetest

import (
	"database/sql"
	"testing"

	"github.com/e-people/e-people/forum/store/dialect"
)

// Exec runs statements on the database at path (a file, or a postgres://
// URL with the store's placeholders) from a connection of its own, as an
// outside writer would, in one transaction: for a test that sets up rows
// another part of the forum writes (an answer, say) without that part. An
// error fails the test.
func Exec(tb testing.TB, path string, statements ...Statement) {
	tb.Helper()
	var db *sql.DB
	var err error
	if dialect.IsPostgres(path) {
		db, err = dialect.OpenPostgres(path)
	} else {
		db, err = sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000&_foreign_keys=on&_txlock=immediate")
	}
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		tb.Fatalf("begin: %v", err)
	}
	for _, st := range statements {
		if _, err := tx.Exec(st.Query, st.Args...); err != nil {
			tx.Rollback() //nolint:errcheck // the test fails anyway
			tb.Fatalf("%s: %v", st.Query, err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatalf("commit: %v", err)
	}
}

// Statement is one statement for Exec and its arguments.
type Statement struct {
	Query string
	Args  []any
}
