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

	// 7: civil requests (issue 17): requests, their steps, staff reads,
	// answers with ratings, attachments (content-addressed blobs), the
	// published frequently asked requests, and the administrators' extra
	// days off.
	`-- Civil requests (민원, issue 17): a citizen's private request to one
-- ministry, answered within a legal period counted in working days. Only the
-- filer, the officials of the ministry that holds it and administrators read
-- one; its receipt number is derived from its id and filing month
-- (forum.Receipt). The current period runs from period_start to due_at (the
-- last instant of its last working day); while the filer is asked for more
-- information the clock stands still (paused_at), and due_at moves on when
-- it restarts.
CREATE TABLE requests (
    id                 INTEGER PRIMARY KEY,
    filer_id           INTEGER NOT NULL REFERENCES users (id),
    kind               TEXT NOT NULL CHECK (kind IN ('inquiry', 'law_inquiry', 'suggestion', 'grievance', 'other')),
    ministry_id        INTEGER NOT NULL REFERENCES ministries (id),
    category_id        INTEGER REFERENCES categories (id),
    assignee_id        INTEGER REFERENCES users (id),
    title              TEXT NOT NULL,
    body_src           TEXT NOT NULL,
    body_html          TEXT NOT NULL,
    lang               TEXT NOT NULL DEFAULT '',
    publish_consent    INTEGER NOT NULL DEFAULT 0 CHECK (publish_consent IN (0, 1)),
    status             TEXT NOT NULL CHECK (status IN ('received', 'processing', 'info_requested', 'answered', 'withdrawn')),
    round              INTEGER NOT NULL DEFAULT 1, -- 2 once the filer objected to the first answer
    period_days        INTEGER NOT NULL,           -- working days of the current period, an extension included
    period_start       INTEGER NOT NULL,           -- filing, the last transfer, or the objection
    due_at             INTEGER NOT NULL,
    paused_at          INTEGER,
    paused_days        INTEGER NOT NULL DEFAULT 0, -- working days the clock stood still in this period
    extended           INTEGER NOT NULL DEFAULT 0 CHECK (extended IN (0, 1)),
    progress_notice_at INTEGER,                    -- the last automatic progress notice to the filer
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    answered_at        INTEGER,
    objected_at        INTEGER
);
CREATE INDEX requests_filer ON requests (filer_id, id);
CREATE INDEX requests_inbox ON requests (ministry_id, status, due_at);
CREATE INDEX requests_open ON requests (status, created_at);

-- What happened to a request, as its filer and the ministry see it: filing,
-- assignment, transfers (to_ministry), questions to the filer and the
-- answers, extensions, notices, ratings, objections, publication.
CREATE TABLE request_steps (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('filed', 'assigned', 'transferred', 'info_requested', 'info_given', 'extended',
        'answered', 'progress_notice', 'rated', 'objected', 'withdrawn', 'published')),
    actor_id    INTEGER REFERENCES users (id),
    ministry_id INTEGER REFERENCES ministries (id),
    to_ministry INTEGER REFERENCES ministries (id),
    note_src    TEXT NOT NULL DEFAULT '',
    note_html   TEXT NOT NULL DEFAULT '',
    due_at      INTEGER,
    created_at  INTEGER NOT NULL
);
CREATE INDEX request_steps_request ON request_steps (request_id, id);

-- Every read of a request by staff: who, for which ministry (NULL for an
-- administrator), when. The filer sees the ministry and the time.
CREATE TABLE request_reads (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    reader_id   INTEGER NOT NULL REFERENCES users (id),
    ministry_id INTEGER REFERENCES ministries (id),
    read_at     INTEGER NOT NULL
);
CREATE INDEX request_reads_request ON request_reads (request_id, id);

-- The answer of each round (the first, and the one after an objection),
-- structured like an official answer; a refusal names its remedies. The
-- filer's rating sits with the answer it rates.
CREATE TABLE request_answers (
    request_id       INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    round            INTEGER NOT NULL,
    ministry_id      INTEGER NOT NULL REFERENCES ministries (id),
    official_id      INTEGER NOT NULL REFERENCES users (id),
    decision         TEXT NOT NULL CHECK (decision IN ('accepted', 'partially_accepted', 'not_accepted', 'informed')),
    summary          TEXT NOT NULL,
    body_src         TEXT NOT NULL,
    body_html        TEXT NOT NULL,
    legal_basis      TEXT NOT NULL DEFAULT '',
    responsible_unit TEXT NOT NULL DEFAULT '',
    contact          TEXT NOT NULL DEFAULT '',
    remedies         TEXT NOT NULL DEFAULT '', -- space-separated: objection administrative_appeal administrative_litigation
    remedy_note      TEXT NOT NULL DEFAULT '',
    working_days     INTEGER NOT NULL,         -- from the period's start to the answer, the stopped clock left out
    on_time          INTEGER NOT NULL CHECK (on_time IN (0, 1)),
    rating           INTEGER CHECK (rating BETWEEN 1 AND 5), -- 5 very satisfied … 1 very dissatisfied
    rating_comment   TEXT NOT NULL DEFAULT '',
    rated_at         INTEGER,
    lang             TEXT NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    PRIMARY KEY (request_id, round)
);
CREATE INDEX request_answers_ministry ON request_answers (ministry_id, created_at);

-- Attachments live in the database, content-addressed, apart from the hot
-- tables: one store for one node or many (PostgreSQL), in every backup, and
-- written in the same transaction as the request (nothing half-written).
CREATE TABLE attachment_blobs (
    sha256 TEXT PRIMARY KEY,
    size   INTEGER NOT NULL,
    data   BLOB NOT NULL
);
CREATE TABLE request_attachments (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    step_id     INTEGER REFERENCES request_steps (id) ON DELETE CASCADE, -- the reply it came with; NULL at filing
    uploader_id INTEGER NOT NULL REFERENCES users (id),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('pdf', 'png', 'jpeg', 'hwp', 'hwpx', 'text')),
    size        INTEGER NOT NULL,
    sha256      TEXT NOT NULL REFERENCES attachment_blobs (sha256),
    created_at  INTEGER NOT NULL
);
CREATE INDEX request_attachments_request ON request_attachments (request_id, id);
CREATE INDEX request_attachments_blob ON request_attachments (sha256);

-- Frequently asked requests (자주 묻는 민원): a request and its answer the
-- ministry published with the filer's consent, masked and confirmed by an
-- official. A public copy of its own: it outlives the request.
CREATE TABLE faqs (
    id               INTEGER PRIMARY KEY,
    request_id       INTEGER UNIQUE REFERENCES requests (id) ON DELETE SET NULL,
    ministry_id      INTEGER NOT NULL REFERENCES ministries (id),
    kind             TEXT NOT NULL,
    official_id      INTEGER NOT NULL REFERENCES users (id),
    title            TEXT NOT NULL,
    question_src     TEXT NOT NULL,
    question_html    TEXT NOT NULL,
    decision         TEXT NOT NULL,
    summary          TEXT NOT NULL,
    answer_src       TEXT NOT NULL,
    answer_html      TEXT NOT NULL,
    legal_basis      TEXT NOT NULL DEFAULT '',
    responsible_unit TEXT NOT NULL DEFAULT '',
    lang             TEXT NOT NULL DEFAULT '',
    published_at     INTEGER NOT NULL
);
CREATE INDEX faqs_ministry ON faqs (ministry_id, published_at);

-- Days off an administrator added to the official calendar (forum/workday).
CREATE TABLE holidays (
    day        TEXT PRIMARY KEY, -- '2027-05-01', the day in Korea
    name_ko    TEXT NOT NULL,
    name_en    TEXT NOT NULL DEFAULT '',
    name_zh    TEXT NOT NULL DEFAULT '',
    added_by   INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL
);`,

	// 8: beyond the anchors (issue 18): merges, milestones, supporters'
	// ratings of answers, revisions waiting for a moderator.
	`ALTER TABLE proposals ADD COLUMN merged_into INTEGER REFERENCES proposals (id);
ALTER TABLE proposals ADD COLUMN answer_round INTEGER NOT NULL DEFAULT 1;
ALTER TABLE proposals ADD COLUMN reopened_at INTEGER;
ALTER TABLE supports ADD COLUMN saw_objection INTEGER NOT NULL DEFAULT 0 CHECK (saw_objection IN (0, 1));
CREATE INDEX supports_saw_objection ON supports (proposal_id) WHERE saw_objection = 1;
ALTER TABLE proposal_revisions ADD COLUMN state TEXT NOT NULL DEFAULT 'published' CHECK (state IN ('published', 'pending', 'rejected'));
ALTER TABLE proposal_revisions ADD COLUMN changed_pct INTEGER NOT NULL DEFAULT 0;
ALTER TABLE proposal_revisions ADD COLUMN decided_by INTEGER REFERENCES users (id);
ALTER TABLE proposal_revisions ADD COLUMN decided_at INTEGER;
ALTER TABLE proposal_revisions ADD COLUMN decision_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX proposal_revisions_pending ON proposal_revisions (created_at) WHERE state = 'pending';
ALTER TABLE response_revisions ADD COLUMN round INTEGER NOT NULL DEFAULT 1;

-- A merge of one proposal (from_id) into another (into_id), with its public
-- reason, and what the undo (within 7 days) needs of into_id as it was.
CREATE TABLE proposal_merges (
    id                INTEGER PRIMARY KEY,
    from_id           INTEGER NOT NULL REFERENCES proposals (id),
    into_id           INTEGER NOT NULL REFERENCES proposals (id),
    actor_id          INTEGER NOT NULL REFERENCES users (id),
    actor_role        TEXT NOT NULL,
    ministry_id       INTEGER REFERENCES ministries (id), -- the ministry an official merged for; NULL for a moderator
    reason            TEXT NOT NULL,
    moved             INTEGER NOT NULL DEFAULT 0, -- supports moved from from_id
    added             INTEGER NOT NULL DEFAULT 0, -- of them, new to into_id (the others supported both)
    from_status       TEXT NOT NULL,
    into_status       TEXT NOT NULL,
    into_reached_at   INTEGER,
    into_response_due INTEGER,
    created_at        INTEGER NOT NULL,
    undone_at         INTEGER,
    undone_by         INTEGER REFERENCES users (id),
    undo_reason       TEXT NOT NULL DEFAULT '',
    CHECK (from_id <> into_id)
);
CREATE INDEX proposal_merges_from ON proposal_merges (from_id, id);
CREATE INDEX proposal_merges_into ON proposal_merges (into_id, id);

-- The rows a merge moved: every support of from_id (added: into_id did not
-- have it), and the follows it added to into_id. The undo restores from
-- these exactly the rows there were.
CREATE TABLE merge_rows (
    merge_id      INTEGER NOT NULL REFERENCES proposal_merges (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('support', 'follow')),
    user_id       INTEGER NOT NULL REFERENCES users (id),
    created_at    INTEGER NOT NULL, -- the moved row's own time
    saw_objection INTEGER NOT NULL DEFAULT 0 CHECK (saw_objection IN (0, 1)),
    added         INTEGER NOT NULL CHECK (added IN (0, 1)),
    PRIMARY KEY (merge_id, kind, user_id)
);

-- What a ministry promised after accepting a proposal fully or partly: what,
-- by when, which unit; later done with evidence, or delayed with a reason
-- and a new date (planned_due keeps the first date: "kept on time").
CREATE TABLE milestones (
    id            INTEGER PRIMARY KEY,
    proposal_id   INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    ministry_id   INTEGER NOT NULL REFERENCES ministries (id),
    title         TEXT NOT NULL,
    unit          TEXT NOT NULL,
    due_at        INTEGER NOT NULL,
    planned_due   INTEGER NOT NULL,
    state         TEXT NOT NULL DEFAULT 'planned' CHECK (state IN ('planned', 'done', 'delayed')),
    done_at       INTEGER,
    evidence_src  TEXT NOT NULL DEFAULT '',
    evidence_html TEXT NOT NULL DEFAULT '',
    evidence_url  TEXT NOT NULL DEFAULT '',
    created_by    INTEGER NOT NULL REFERENCES users (id),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX milestones_proposal ON milestones (proposal_id, due_at);
CREATE INDEX milestones_ministry ON milestones (ministry_id, due_at);
CREATE INDEX milestones_due ON milestones (state, due_at);

-- Every change of a milestone, for the proposal's timeline.
CREATE TABLE milestone_updates (
    id           INTEGER PRIMARY KEY,
    milestone_id INTEGER NOT NULL REFERENCES milestones (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('planned', 'done', 'delayed')),
    actor_id     INTEGER NOT NULL REFERENCES users (id),
    note_src     TEXT NOT NULL DEFAULT '',
    note_html    TEXT NOT NULL DEFAULT '',
    url          TEXT NOT NULL DEFAULT '',
    due_at       INTEGER, -- the new date of a delay
    created_at   INTEGER NOT NULL
);
CREATE INDEX milestone_updates_milestone ON milestone_updates (milestone_id, id);

-- Supporters' ratings of a ministry's answer to a proposal, per answer round,
-- and their objections to it (within 14 days of the answer).
CREATE TABLE answer_ratings (
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    round       INTEGER NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment     TEXT NOT NULL DEFAULT '',
    objects     INTEGER NOT NULL DEFAULT 0 CHECK (objects IN (0, 1)),
    objection   TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (proposal_id, round, user_id)
);
CREATE INDEX answer_ratings_user ON answer_ratings (user_id);`,
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

	// 7: as upgrades' 7.
	`-- Civil requests (민원, issue 17): a citizen's private request to one
-- ministry, answered within a legal period counted in working days. Only the
-- filer, the officials of the ministry that holds it and administrators read
-- one; its receipt number is derived from its id and filing month
-- (forum.Receipt). The current period runs from period_start to due_at (the
-- last instant of its last working day); while the filer is asked for more
-- information the clock stands still (paused_at), and due_at moves on when
-- it restarts.
CREATE TABLE requests (
    id                 BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    filer_id           BIGINT NOT NULL REFERENCES users (id),
    kind               TEXT NOT NULL CHECK (kind IN ('inquiry', 'law_inquiry', 'suggestion', 'grievance', 'other')),
    ministry_id        BIGINT NOT NULL REFERENCES ministries (id),
    category_id        BIGINT REFERENCES categories (id),
    assignee_id        BIGINT REFERENCES users (id),
    title              TEXT NOT NULL,
    body_src           TEXT NOT NULL,
    body_html          TEXT NOT NULL,
    lang               TEXT NOT NULL DEFAULT '',
    publish_consent    BIGINT NOT NULL DEFAULT 0 CHECK (publish_consent IN (0, 1)),
    status             TEXT NOT NULL CHECK (status IN ('received', 'processing', 'info_requested', 'answered', 'withdrawn')),
    round              BIGINT NOT NULL DEFAULT 1, -- 2 once the filer objected to the first answer
    period_days        BIGINT NOT NULL,           -- working days of the current period, an extension included
    period_start       BIGINT NOT NULL,           -- filing, the last transfer, or the objection
    due_at             BIGINT NOT NULL,
    paused_at          BIGINT,
    paused_days        BIGINT NOT NULL DEFAULT 0, -- working days the clock stood still in this period
    extended           BIGINT NOT NULL DEFAULT 0 CHECK (extended IN (0, 1)),
    progress_notice_at BIGINT,                    -- the last automatic progress notice to the filer
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    answered_at        BIGINT,
    objected_at        BIGINT
);
CREATE INDEX requests_filer ON requests (filer_id, id);
CREATE INDEX requests_inbox ON requests (ministry_id, status, due_at);
CREATE INDEX requests_open ON requests (status, created_at);

-- What happened to a request, as its filer and the ministry see it: filing,
-- assignment, transfers (to_ministry), questions to the filer and the
-- answers, extensions, notices, ratings, objections, publication.
CREATE TABLE request_steps (
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    request_id  BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('filed', 'assigned', 'transferred', 'info_requested', 'info_given', 'extended',
        'answered', 'progress_notice', 'rated', 'objected', 'withdrawn', 'published')),
    actor_id    BIGINT REFERENCES users (id),
    ministry_id BIGINT REFERENCES ministries (id),
    to_ministry BIGINT REFERENCES ministries (id),
    note_src    TEXT NOT NULL DEFAULT '',
    note_html   TEXT NOT NULL DEFAULT '',
    due_at      BIGINT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX request_steps_request ON request_steps (request_id, id);

-- Every read of a request by staff: who, for which ministry (NULL for an
-- administrator), when. The filer sees the ministry and the time.
CREATE TABLE request_reads (
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    request_id  BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    reader_id   BIGINT NOT NULL REFERENCES users (id),
    ministry_id BIGINT REFERENCES ministries (id),
    read_at     BIGINT NOT NULL
);
CREATE INDEX request_reads_request ON request_reads (request_id, id);

-- The answer of each round (the first, and the one after an objection),
-- structured like an official answer; a refusal names its remedies. The
-- filer's rating sits with the answer it rates.
CREATE TABLE request_answers (
    request_id       BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    round            BIGINT NOT NULL,
    ministry_id      BIGINT NOT NULL REFERENCES ministries (id),
    official_id      BIGINT NOT NULL REFERENCES users (id),
    decision         TEXT NOT NULL CHECK (decision IN ('accepted', 'partially_accepted', 'not_accepted', 'informed')),
    summary          TEXT NOT NULL,
    body_src         TEXT NOT NULL,
    body_html        TEXT NOT NULL,
    legal_basis      TEXT NOT NULL DEFAULT '',
    responsible_unit TEXT NOT NULL DEFAULT '',
    contact          TEXT NOT NULL DEFAULT '',
    remedies         TEXT NOT NULL DEFAULT '', -- space-separated: objection administrative_appeal administrative_litigation
    remedy_note      TEXT NOT NULL DEFAULT '',
    working_days     BIGINT NOT NULL,         -- from the period's start to the answer, the stopped clock left out
    on_time          BIGINT NOT NULL CHECK (on_time IN (0, 1)),
    rating           BIGINT CHECK (rating BETWEEN 1 AND 5), -- 5 very satisfied … 1 very dissatisfied
    rating_comment   TEXT NOT NULL DEFAULT '',
    rated_at         BIGINT,
    lang             TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (request_id, round)
);
CREATE INDEX request_answers_ministry ON request_answers (ministry_id, created_at);

-- Attachments live in the database, content-addressed, apart from the hot
-- tables: one store for one node or many (PostgreSQL), in every backup, and
-- written in the same transaction as the request (nothing half-written).
CREATE TABLE attachment_blobs (
    sha256 TEXT PRIMARY KEY,
    size   BIGINT NOT NULL,
    data   BYTEA NOT NULL
);
CREATE TABLE request_attachments (
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    request_id  BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    step_id     BIGINT REFERENCES request_steps (id) ON DELETE CASCADE, -- the reply it came with; NULL at filing
    uploader_id BIGINT NOT NULL REFERENCES users (id),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('pdf', 'png', 'jpeg', 'hwp', 'hwpx', 'text')),
    size        BIGINT NOT NULL,
    sha256      TEXT NOT NULL REFERENCES attachment_blobs (sha256),
    created_at  BIGINT NOT NULL
);
CREATE INDEX request_attachments_request ON request_attachments (request_id, id);
CREATE INDEX request_attachments_blob ON request_attachments (sha256);

-- Frequently asked requests (자주 묻는 민원): a request and its answer the
-- ministry published with the filer's consent, masked and confirmed by an
-- official. A public copy of its own: it outlives the request.
CREATE TABLE faqs (
    id               BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    request_id       BIGINT UNIQUE REFERENCES requests (id) ON DELETE SET NULL,
    ministry_id      BIGINT NOT NULL REFERENCES ministries (id),
    kind             TEXT NOT NULL,
    official_id      BIGINT NOT NULL REFERENCES users (id),
    title            TEXT NOT NULL,
    question_src     TEXT NOT NULL,
    question_html    TEXT NOT NULL,
    decision         TEXT NOT NULL,
    summary          TEXT NOT NULL,
    answer_src       TEXT NOT NULL,
    answer_html      TEXT NOT NULL,
    legal_basis      TEXT NOT NULL DEFAULT '',
    responsible_unit TEXT NOT NULL DEFAULT '',
    lang             TEXT NOT NULL DEFAULT '',
    published_at     BIGINT NOT NULL
);
CREATE INDEX faqs_ministry ON faqs (ministry_id, published_at);

-- Days off an administrator added to the official calendar (forum/workday).
CREATE TABLE holidays (
    day        TEXT PRIMARY KEY, -- '2027-05-01', the day in Korea
    name_ko    TEXT NOT NULL,
    name_en    TEXT NOT NULL DEFAULT '',
    name_zh    TEXT NOT NULL DEFAULT '',
    added_by   BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL
);`,

	// 8: as upgrades' 8.
	`ALTER TABLE proposals ADD COLUMN merged_into BIGINT REFERENCES proposals (id);
ALTER TABLE proposals ADD COLUMN answer_round BIGINT NOT NULL DEFAULT 1;
ALTER TABLE proposals ADD COLUMN reopened_at BIGINT;
ALTER TABLE supports ADD COLUMN saw_objection BIGINT NOT NULL DEFAULT 0 CHECK (saw_objection IN (0, 1));
CREATE INDEX supports_saw_objection ON supports (proposal_id) WHERE saw_objection = 1;
ALTER TABLE proposal_revisions ADD COLUMN state TEXT NOT NULL DEFAULT 'published' CHECK (state IN ('published', 'pending', 'rejected'));
ALTER TABLE proposal_revisions ADD COLUMN changed_pct BIGINT NOT NULL DEFAULT 0;
ALTER TABLE proposal_revisions ADD COLUMN decided_by BIGINT REFERENCES users (id);
ALTER TABLE proposal_revisions ADD COLUMN decided_at BIGINT;
ALTER TABLE proposal_revisions ADD COLUMN decision_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX proposal_revisions_pending ON proposal_revisions (created_at) WHERE state = 'pending';
ALTER TABLE response_revisions ADD COLUMN round BIGINT NOT NULL DEFAULT 1;

-- A merge of one proposal (from_id) into another (into_id), with its public
-- reason, and what the undo (within 7 days) needs of into_id as it was.
CREATE TABLE proposal_merges (
    id                BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    from_id           BIGINT NOT NULL REFERENCES proposals (id),
    into_id           BIGINT NOT NULL REFERENCES proposals (id),
    actor_id          BIGINT NOT NULL REFERENCES users (id),
    actor_role        TEXT NOT NULL,
    ministry_id       BIGINT REFERENCES ministries (id), -- the ministry an official merged for; NULL for a moderator
    reason            TEXT NOT NULL,
    moved             BIGINT NOT NULL DEFAULT 0, -- supports moved from from_id
    added             BIGINT NOT NULL DEFAULT 0, -- of them, new to into_id (the others supported both)
    from_status       TEXT NOT NULL,
    into_status       TEXT NOT NULL,
    into_reached_at   BIGINT,
    into_response_due BIGINT,
    created_at        BIGINT NOT NULL,
    undone_at         BIGINT,
    undone_by         BIGINT REFERENCES users (id),
    undo_reason       TEXT NOT NULL DEFAULT '',
    CHECK (from_id <> into_id)
);
CREATE INDEX proposal_merges_from ON proposal_merges (from_id, id);
CREATE INDEX proposal_merges_into ON proposal_merges (into_id, id);

-- The rows a merge moved: every support of from_id (added: into_id did not
-- have it), and the follows it added to into_id. The undo restores from
-- these exactly the rows there were.
CREATE TABLE merge_rows (
    merge_id      BIGINT NOT NULL REFERENCES proposal_merges (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('support', 'follow')),
    user_id       BIGINT NOT NULL REFERENCES users (id),
    created_at    BIGINT NOT NULL, -- the moved row's own time
    saw_objection BIGINT NOT NULL DEFAULT 0 CHECK (saw_objection IN (0, 1)),
    added         BIGINT NOT NULL CHECK (added IN (0, 1)),
    PRIMARY KEY (merge_id, kind, user_id)
);

-- What a ministry promised after accepting a proposal fully or partly: what,
-- by when, which unit; later done with evidence, or delayed with a reason
-- and a new date (planned_due keeps the first date: "kept on time").
CREATE TABLE milestones (
    id            BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    proposal_id   BIGINT NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    ministry_id   BIGINT NOT NULL REFERENCES ministries (id),
    title         TEXT NOT NULL,
    unit          TEXT NOT NULL,
    due_at        BIGINT NOT NULL,
    planned_due   BIGINT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'planned' CHECK (state IN ('planned', 'done', 'delayed')),
    done_at       BIGINT,
    evidence_src  TEXT NOT NULL DEFAULT '',
    evidence_html TEXT NOT NULL DEFAULT '',
    evidence_url  TEXT NOT NULL DEFAULT '',
    created_by    BIGINT NOT NULL REFERENCES users (id),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX milestones_proposal ON milestones (proposal_id, due_at);
CREATE INDEX milestones_ministry ON milestones (ministry_id, due_at);
CREATE INDEX milestones_due ON milestones (state, due_at);

-- Every change of a milestone, for the proposal's timeline.
CREATE TABLE milestone_updates (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    milestone_id BIGINT NOT NULL REFERENCES milestones (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('planned', 'done', 'delayed')),
    actor_id     BIGINT NOT NULL REFERENCES users (id),
    note_src     TEXT NOT NULL DEFAULT '',
    note_html    TEXT NOT NULL DEFAULT '',
    url          TEXT NOT NULL DEFAULT '',
    due_at       BIGINT, -- the new date of a delay
    created_at   BIGINT NOT NULL
);
CREATE INDEX milestone_updates_milestone ON milestone_updates (milestone_id, id);

-- Supporters' ratings of a ministry's answer to a proposal, per answer round,
-- and their objections to it (within 14 days of the answer).
CREATE TABLE answer_ratings (
    proposal_id BIGINT NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    round       BIGINT NOT NULL,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    rating      BIGINT NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment     TEXT NOT NULL DEFAULT '',
    objects     BIGINT NOT NULL DEFAULT 0 CHECK (objects IN (0, 1)),
    objection   TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (proposal_id, round, user_id)
);
CREATE INDEX answer_ratings_user ON answer_ratings (user_id);`,
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
