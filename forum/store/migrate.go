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

	// 3: accounts a citizen and a ministry can trust (issue 13). Every
	// account of version 2 is 'registered': the forum never checked an
	// address, so the supports and co-sponsorships counted so far move to
	// the unverified figures, and come back as their accounts verify.
	// Sessions gain an id, the second factor's pending state, and the
	// device and address their owner sees on the account page; the table is
	// rebuilt for the id, and every session lives on. Three indexes find an
	// account's sponsorships, appeals and mail.
	`ALTER TABLE users ADD COLUMN tier TEXT NOT NULL DEFAULT 'registered' CHECK (tier IN ('registered', 'email_verified', 'identity_verified'));
ALTER TABLE users ADD COLUMN lang TEXT NOT NULL DEFAULT '' CHECK (lang IN ('', 'ko', 'en', 'zh'));
ALTER TABLE users ADD COLUMN last_seen_at INTEGER;
ALTER TABLE users ADD COLUMN inactive_notice_at INTEGER;
ALTER TABLE users ADD COLUMN deleted_at INTEGER;
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_enabled_at INTEGER;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
ALTER TABLE users ADD COLUMN identity_provider TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN identity_hash TEXT;
UPDATE users SET last_seen_at = created_at;
CREATE UNIQUE INDEX users_identity ON users (identity_hash) WHERE identity_hash IS NOT NULL;
CREATE INDEX users_last_seen ON users (last_seen_at) WHERE deleted_at IS NULL;

DROP INDEX sessions_user;
DROP INDEX sessions_expiry;
ALTER TABLE sessions RENAME TO sessions_v2;
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    pending_mfa  INTEGER NOT NULL DEFAULT 0 CHECK (pending_mfa IN (0, 1)),
    user_agent   TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT '',
    last_seen_at INTEGER NOT NULL DEFAULT 0
);
INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at, last_seen_at)
    SELECT token_hash, user_id, csrf, created_at, expires_at, created_at FROM sessions_v2;
DROP TABLE sessions_v2;
CREATE INDEX sessions_user ON sessions (user_id, last_seen_at);
CREATE INDEX sessions_expiry ON sessions (expires_at);

ALTER TABLE proposals ADD COLUMN unverified_supports INTEGER NOT NULL DEFAULT 0;
ALTER TABLE proposals ADD COLUMN unverified_sponsors INTEGER NOT NULL DEFAULT 0;
UPDATE proposals SET unverified_supports = support_count, support_count = 0,
    unverified_sponsors = sponsor_count, sponsor_count = 0;

CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'change_email')),
    email      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose, created_at);
CREATE INDEX account_tokens_email ON account_tokens (email, purpose, created_at);
CREATE TABLE recovery_codes (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   INTEGER,
    PRIMARY KEY (user_id, code_hash)
);
CREATE TABLE consents (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    version      TEXT NOT NULL,
    given_at     INTEGER NOT NULL,
    withdrawn_at INTEGER
);
CREATE INDEX consents_user ON consents (user_id, id);
-- An account's rows are found by the account: its data download, its
-- deletion and a change of its tier read them without a scan.
CREATE INDEX sponsors_user ON sponsors (user_id);
CREATE INDEX appeals_author ON appeals (author_id);
CREATE INDEX outbox_user ON outbox (user_id);`,

	// 4: speed (issue 14). Whether an author has shown posts, which the
	// content rules ask before every post, is read from an index in
	// O(log n) however many comments the author has written.
	`CREATE INDEX comments_author_state ON comments (author_id, mod_state);`,

	// 5: past one machine (issue 15). The web nodes sharing the database,
	// and the rate limits they share.
	`CREATE TABLE nodes (
    name         TEXT PRIMARY KEY,
    address      TEXT NOT NULL DEFAULT '',
    bus          INTEGER NOT NULL DEFAULT 0 CHECK (bus IN (0, 1)),
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL
);
CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    hits         INTEGER NOT NULL
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);`,

	// 6: what citizens see (issue 16). Weekly mail; each co-answering
	// ministry's own part of a joint answer; what a notification is about,
	// to group repeats; the language of each text. SQLite cannot alter a
	// CHECK constraint, so the users table's is rewritten in place as
	// SQLite's documentation allows for loosening one (the rows on disk do
	// not change), and the schema version is bumped so every connection
	// reads the new definition.
	`PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (email_frequency IN (''none'', ''immediate'', ''daily''))',
    'CHECK (email_frequency IN (''none'', ''immediate'', ''daily'', ''weekly''))')
    WHERE type = 'table' AND name = 'users';
PRAGMA writable_schema = OFF;
ALTER TABLE notifications ADD COLUMN subject TEXT NOT NULL DEFAULT '';
CREATE INDEX notifications_subject ON notifications (user_id, subject, id);
ALTER TABLE proposals ADD COLUMN lang TEXT NOT NULL DEFAULT '';
ALTER TABLE debates ADD COLUMN lang TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN lang TEXT NOT NULL DEFAULT '';
ALTER TABLE responses ADD COLUMN lang TEXT NOT NULL DEFAULT '';
CREATE TABLE response_parts (
    proposal_id      INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    ministry_id      INTEGER NOT NULL REFERENCES ministries (id),
    official_id      INTEGER NOT NULL REFERENCES users (id),
    decision         TEXT NOT NULL CHECK (decision IN ('accepted', 'partially_accepted', 'not_accepted', 'under_review', 'referred')),
    summary          TEXT NOT NULL,
    body_src         TEXT NOT NULL,
    body_html        TEXT NOT NULL,
    legal_basis      TEXT NOT NULL DEFAULT '',
    responsible_unit TEXT NOT NULL DEFAULT '',
    contact          TEXT NOT NULL DEFAULT '',
    next_step        TEXT NOT NULL DEFAULT '',
    next_step_date   INTEGER,
    revision         INTEGER NOT NULL DEFAULT 1,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    lang             TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (proposal_id, ministry_id)
);`,
}

// postgresFirstVersion is the schema version PostgreSQL databases begin at
// (schema_postgres.sql): the first with PostgreSQL support.
const postgresFirstVersion = 4

// postgresUpgrades is upgrades in PostgreSQL's dialect, from version
// postgresFirstVersion on: entry i turns version postgresFirstVersion+i into
// the next. Every upgrade from then on is appended to both lists, and
// TestSchemaTwin checks that both schemas still match.
var postgresUpgrades = []string{
	// 5: as upgrades' 5.
	`CREATE TABLE nodes (
    name         TEXT PRIMARY KEY,
    address      TEXT NOT NULL DEFAULT '',
    bus          BIGINT NOT NULL DEFAULT 0 CHECK (bus IN (0, 1)),
    started_at   BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL
);
CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits         BIGINT NOT NULL
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);`,

	// 6: as upgrades' 6.
	`ALTER TABLE users DROP CONSTRAINT users_email_frequency_check;
ALTER TABLE users ADD CONSTRAINT users_email_frequency_check CHECK (email_frequency IN ('none', 'immediate', 'daily', 'weekly'));
ALTER TABLE notifications ADD COLUMN subject TEXT NOT NULL DEFAULT '';
CREATE INDEX notifications_subject ON notifications (user_id, subject, id);
ALTER TABLE proposals ADD COLUMN lang TEXT NOT NULL DEFAULT '';
ALTER TABLE debates ADD COLUMN lang TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN lang TEXT NOT NULL DEFAULT '';
ALTER TABLE responses ADD COLUMN lang TEXT NOT NULL DEFAULT '';
CREATE TABLE response_parts (
    proposal_id      BIGINT NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    ministry_id      BIGINT NOT NULL REFERENCES ministries (id),
    official_id      BIGINT NOT NULL REFERENCES users (id),
    decision         TEXT NOT NULL CHECK (decision IN ('accepted', 'partially_accepted', 'not_accepted', 'under_review', 'referred')),
    summary          TEXT NOT NULL,
    body_src         TEXT NOT NULL,
    body_html        TEXT NOT NULL,
    legal_basis      TEXT NOT NULL DEFAULT '',
    responsible_unit TEXT NOT NULL DEFAULT '',
    contact          TEXT NOT NULL DEFAULT '',
    next_step        TEXT NOT NULL DEFAULT '',
    next_step_date   BIGINT,
    revision         BIGINT NOT NULL DEFAULT 1,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    lang             TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (proposal_id, ministry_id)
);`,
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
	return execScriptOn(ctx, s.w, what, script)
}
