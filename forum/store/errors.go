package store

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
)

// The store tells constraint violations apart by the driver's error codes,
// never by the text of its messages: SQLite's extended codes, and on
// PostgreSQL the SQLSTATE codes 23505 (unique_violation) and 23503
// (foreign_key_violation).

// isUnique reports whether err is a UNIQUE constraint violation.
func isUnique(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == pgUniqueViolation
	}
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique
}

// isForeignKey reports whether err is a FOREIGN KEY constraint violation: a
// row names a parent (a category, a ministry) that does not exist.
func isForeignKey(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23503"
	}
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintForeignKey
}
