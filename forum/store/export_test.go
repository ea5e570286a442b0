package store

import "database/sql"

// DB exposes the writer pool to tests, which inspect and seed tables directly.
func (s *Store) DB() *sql.DB { return s.w }
