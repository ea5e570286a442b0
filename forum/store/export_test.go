package store

import (
	"database/sql"
	"sync"
)

// testDBs holds one read-write pool per store for DB.
var testDBs sync.Map // *Store -> *sql.DB

// DB gives tests a read-write connection to the store's file, beside the
// committer, which owns the writer. Tests inspect and seed tables with it;
// SQLite's locking orders its writes with the store's.
func (s *Store) DB() *sql.DB {
	if s.pg {
		return s.w
	}
	if db, ok := testDBs.Load(s); ok {
		return db.(*sql.DB)
	}
	db, err := sql.Open("sqlite3", s.dsn+"&_txlock=immediate")
	if err != nil {
		panic(err)
	}
	db.SetMaxOpenConns(1)
	actual, loaded := testDBs.LoadOrStore(s, db)
	if loaded {
		db.Close()
	}
	return actual.(*sql.DB)
}
