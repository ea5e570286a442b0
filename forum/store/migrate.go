package store

import (
	"context"
	"fmt"
)

// upgrades turns a database at version i+1 into version i+2. Append only:
// never edit an entry once it has shipped. schema.sql must always equal the
// result of applying every upgrade to the first version.
var upgrades = []string{
	// 2: comments count the changes to their rows, for caches to key on
	// (the thread cache in forum/web). Rows from version 1 start at 1.
	`ALTER TABLE comments ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
CREATE TRIGGER comments_version AFTER UPDATE ON comments FOR EACH ROW WHEN NEW.version = OLD.version
BEGIN
    UPDATE comments SET version = OLD.version + 1 WHERE id = NEW.id;
END;`,
}

// Version is the schema version this binary writes.
func Version() int { return len(upgrades) + 1 }

func (s *Store) migrate(ctx context.Context, schemaSQL string) error {
	var have int
	if err := s.w.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&have); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	switch {
	case have > Version():
		return fmt.Errorf("database schema version %d is newer than this binary's %d: upgrade the binary", have, Version())
	case have == Version():
		return nil
	case have == 0:
		var tables int
		if err := s.w.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table'`).Scan(&tables); err != nil {
			return fmt.Errorf("inspect database: %w", err)
		}
		if tables > 0 {
			return fmt.Errorf("database has tables but no schema version: not an e-people database")
		}
		return s.execScript(ctx, "create schema", schemaSQL)
	}
	for v := have; v < Version(); v++ {
		if err := s.execScript(ctx, fmt.Sprintf("upgrade schema to version %d", v+1),
			upgrades[v-1]+fmt.Sprintf("\nPRAGMA user_version = %d;", v+1)); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) execScript(ctx context.Context, what, script string) error {
	t, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if _, err := t.ExecContext(ctx, script); err != nil {
		_ = t.Rollback()
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
