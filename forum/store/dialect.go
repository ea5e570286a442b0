package store

import (
	"database/sql/driver"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// The dialect layer. Every query of the store is written once, in the SQL
// the two databases share, with SQLite's ? placeholders. On PostgreSQL the
// connections the store opens (package dialect) rewrite each statement's
// placeholders to $n, once per statement text, and pass Go booleans as the
// 0/1 that both schemas keep them as; the few spots where the two languages
// differ (full-text search, locking, the schema itself) ask Store.pg, and
// the driver errors the store acts on are told apart here.

// The PostgreSQL error codes the store acts on.
const (
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
	pgUniqueViolation      = "23505"
)

// pgRetryable reports whether err is a PostgreSQL conflict between
// concurrent transactions that running the transaction again resolves.
func pgRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == pgSerializationFailure || pe.Code == pgDeadlockDetected)
}

// pgUnavailable reports whether err means the PostgreSQL server cannot be
// reached or cannot take the work now (a lost connection, a server shutting
// down, too many connections, a full disk).
func pgUnavailable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code[:2] {
		case "08", "53", "57":
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	return errors.As(err, &ce) || errors.Is(err, driver.ErrBadConn) || pgconn.Timeout(err)
}
