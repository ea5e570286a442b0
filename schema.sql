-- e-people: the schema of a fresh database at the current version.
-- Upgrades of older databases are the append-only list in forum/store/migrate.go.
-- Times are unix seconds (UTC). Counters are kept in the same transaction as the rows they count.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE ministries (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name_ko     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    name_zh     TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT ''
);

CREATE TABLE categories (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name_ko     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    name_zh     TEXT NOT NULL DEFAULT '',
    ministry_id INTEGER REFERENCES ministries (id)
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('citizen', 'moderator', 'official', 'admin')),
    ministry_id   INTEGER REFERENCES ministries (id),
    name          TEXT NOT NULL,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'banned')),
    suspended_until INTEGER, -- end of a suspension; NULL for a ban or none
    held          INTEGER NOT NULL DEFAULT 0 CHECK (held IN (0, 1)), -- new account under review: its posts wait for a moderator
    email_frequency TEXT NOT NULL DEFAULT 'immediate' CHECK (email_frequency IN ('none', 'immediate', 'daily', 'weekly')),
    digested_at   INTEGER, -- the digests (daily or weekly) have told of every notification before this time
    created_at    INTEGER NOT NULL,
    -- What the forum knows of the person behind the account (forum.Tier):
    -- registered, an e-mail address proven by a link, or an identity
    -- confirmed by an administrator or a provider (본인인증).
    tier TEXT NOT NULL DEFAULT 'registered' CHECK (tier IN ('registered', 'email_verified', 'identity_verified')),
    lang TEXT NOT NULL DEFAULT '' CHECK (lang IN ('', 'ko', 'en', 'zh')), -- mail and pages; '' writes mail in Korean and English
    last_seen_at INTEGER, -- the last sign-in or visit, for the inactive-account rule (PIPA)
    inactive_notice_at INTEGER, -- when the notice of coming anonymisation was mailed
    deleted_at INTEGER, -- the account was deleted or anonymised: no personal data is left in the row
    totp_secret TEXT NOT NULL DEFAULT '', -- base32 TOTP key (RFC 6238); '' when no second factor is enrolled
    totp_enabled_at INTEGER, -- when the second factor was confirmed; NULL while none is
    totp_last_step INTEGER, -- the last time step a code was accepted for: a code works once
    identity_provider TEXT NOT NULL DEFAULT '', -- who confirmed the identity: 'admin' or a provider's name
    identity_hash TEXT, -- the provider's stable subject (CI), hashed: one person, one verified account
    CHECK ((role = 'official') = (ministry_id IS NOT NULL))
);
CREATE UNIQUE INDEX users_identity ON users (identity_hash) WHERE identity_hash IS NOT NULL;
CREATE INDEX users_last_seen ON users (last_seen_at) WHERE deleted_at IS NULL;

-- A signed-in browser. The id names it on the account page ("sign out"
-- that one); the token itself is only ever stored hashed.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    pending_mfa  INTEGER NOT NULL DEFAULT 0 CHECK (pending_mfa IN (0, 1)), -- the password was right; the second factor is still owed
    user_agent   TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT '',
    last_seen_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_user ON sessions (user_id, last_seen_at);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE proposals (
    id             INTEGER PRIMARY KEY,
    author_id      INTEGER NOT NULL REFERENCES users (id),
    title          TEXT NOT NULL,
    body_src       TEXT NOT NULL,
    body_html      TEXT NOT NULL,
    category_id    INTEGER NOT NULL REFERENCES categories (id),
    ministry_id    INTEGER NOT NULL REFERENCES ministries (id),
    status         TEXT NOT NULL CHECK (status IN ('draft', 'gathering', 'open', 'closed', 'withdrawn', 'awaiting_response', 'answered', 'referred')),
    sponsor_token  TEXT NOT NULL,
    sponsor_count  INTEGER NOT NULL DEFAULT 0,
    support_count  INTEGER NOT NULL DEFAULT 0,
    comment_count  INTEGER NOT NULL DEFAULT 0,
    revision_count INTEGER NOT NULL DEFAULT 1,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    published_at   INTEGER,
    closed_at      INTEGER,
    support_deadline INTEGER, -- the end of the window for gathering support, set when it opens
    reached_at     INTEGER,   -- when it reached the support threshold
    response_due   INTEGER,   -- when the ministry's answer is due
    answered_at    INTEGER,   -- the first official answer
    mod_state      TEXT NOT NULL DEFAULT 'visible' CHECK (mod_state IN ('visible', 'held', 'hidden')),
    mod_reason     TEXT NOT NULL DEFAULT '',
    locked         INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
    -- Supports and co-sponsorships of accounts below email_verified: kept, shown
    -- apart, never in support_count or sponsor_count (which count verified accounts).
    unverified_supports INTEGER NOT NULL DEFAULT 0,
    unverified_sponsors INTEGER NOT NULL DEFAULT 0,
    lang           TEXT NOT NULL DEFAULT '', -- the language of title and body (BCP 47, e.g. 'ko'); '' not known
    merged_into    INTEGER REFERENCES proposals (id), -- merged into that proposal: this one is its signpost
    answer_round   INTEGER NOT NULL DEFAULT 1,       -- 2 once supporters' objections sent the answer back
    reopened_at    INTEGER                           -- when they did
);
CREATE INDEX proposals_newest ON proposals (status, published_at DESC, id DESC);
CREATE INDEX proposals_supported ON proposals (status, support_count DESC, id DESC);
CREATE INDEX proposals_debated ON proposals (status, comment_count DESC, id DESC);
CREATE INDEX proposals_author ON proposals (author_id, created_at);
CREATE INDEX proposals_due ON proposals (status, response_due);
CREATE INDEX proposals_deadline ON proposals (status, support_deadline);

CREATE TABLE proposal_revisions (
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    title       TEXT NOT NULL,
    body_src    TEXT NOT NULL,
    body_html   TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    state       TEXT NOT NULL DEFAULT 'published' CHECK (state IN ('published', 'pending', 'rejected')), -- pending: waits for a moderator
    changed_pct INTEGER NOT NULL DEFAULT 0, -- how much of the text it changed
    decided_by  INTEGER REFERENCES users (id),
    decided_at  INTEGER,
    decision_reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (proposal_id, number)
);
CREATE INDEX proposal_revisions_pending ON proposal_revisions (created_at) WHERE state = 'pending';

CREATE TABLE sponsors (
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (proposal_id, user_id)
);
CREATE INDEX sponsors_user ON sponsors (user_id);

CREATE TABLE supports (
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    saw_objection INTEGER NOT NULL DEFAULT 0 CHECK (saw_objection IN (0, 1)), -- was shown the strongest argument against first
    PRIMARY KEY (proposal_id, user_id)
);
CREATE INDEX supports_recent ON supports (proposal_id, created_at);
CREATE INDEX supports_user ON supports (user_id, created_at DESC);
CREATE INDEX supports_saw_objection ON supports (proposal_id) WHERE saw_objection = 1;

CREATE TABLE debates (
    id              INTEGER PRIMARY KEY,
    ministry_id     INTEGER NOT NULL REFERENCES ministries (id),
    host_id         INTEGER NOT NULL REFERENCES users (id),
    question        TEXT NOT NULL,
    background_src  TEXT NOT NULL,
    background_html TEXT NOT NULL,
    opens_at        INTEGER NOT NULL,
    closes_at       INTEGER NOT NULL CHECK (closes_at > opens_at),
    status          TEXT NOT NULL CHECK (status IN ('upcoming', 'open', 'closed')),
    conclusion_src  TEXT NOT NULL DEFAULT '',
    conclusion_html TEXT NOT NULL DEFAULT '',
    concluded_at    INTEGER,
    comment_count   INTEGER NOT NULL DEFAULT 0,
    locked          INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
    created_at      INTEGER NOT NULL,
    lang            TEXT NOT NULL DEFAULT '' -- the language of question and background; '' not known
);
CREATE INDEX debates_schedule ON debates (status, opens_at, closes_at);
CREATE INDEX debates_ministry ON debates (ministry_id, opens_at DESC);

-- A comment belongs to exactly one proposal or one debate.
CREATE TABLE comments (
    id          INTEGER PRIMARY KEY,
    proposal_id INTEGER REFERENCES proposals (id) ON DELETE CASCADE,
    debate_id   INTEGER REFERENCES debates (id) ON DELETE CASCADE,
    parent_id   INTEGER REFERENCES comments (id),
    depth       INTEGER NOT NULL CHECK (depth BETWEEN 1 AND 3),
    author_id   INTEGER NOT NULL REFERENCES users (id),
    stance      TEXT NOT NULL CHECK (stance IN ('for', 'against', 'neutral')),
    body_src    TEXT NOT NULL,
    body_html   TEXT NOT NULL,
    up_count    INTEGER NOT NULL DEFAULT 0,
    down_count  INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL DEFAULT 'visible' CHECK (status IN ('visible', 'deleted')),
    mod_state   TEXT NOT NULL DEFAULT 'visible' CHECK (mod_state IN ('visible', 'held', 'hidden')),
    mod_reason  TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    lang        TEXT NOT NULL DEFAULT '', -- the language of the body; '' not known
    CHECK ((proposal_id IS NULL) <> (debate_id IS NULL))
);
CREATE INDEX comments_proposal ON comments (proposal_id, id);
CREATE INDEX comments_debate ON comments (debate_id, id);
CREATE INDEX comments_author ON comments (author_id, created_at);
-- Whether an author has shown comments (the content rules ask before every
-- post) without reading their history.
CREATE INDEX comments_author_state ON comments (author_id, mod_state);
-- A comment's version counts the changes to its row, so that caches of what
-- is drawn from a comment key on (id, version), never on a list of columns.
-- The database keeps it, so no writer can forget: every UPDATE of a row adds
-- one. SQLite leaves recursive triggers off (the store never turns them on),
-- so the trigger's own UPDATE does not fire it again; the WHEN clause would
-- stop it anyway, as that UPDATE changes the version.
CREATE TRIGGER comments_version AFTER UPDATE ON comments FOR EACH ROW WHEN NEW.version = OLD.version
BEGIN
    UPDATE comments SET version = OLD.version + 1 WHERE id = NEW.id;
END;

CREATE TABLE comment_votes (
    comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    value      INTEGER NOT NULL CHECK (value IN (-1, 1)),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (comment_id, user_id)
);
CREATE INDEX comment_votes_user ON comment_votes (user_id);

-- Moderation. Reports are private (reporter and text never leave the staff
-- pages); actions are the public audit log, written in the same transaction
-- as the change they record.
CREATE TABLE reports (
    id          INTEGER PRIMARY KEY,
    item_kind   TEXT NOT NULL CHECK (item_kind IN ('proposal', 'comment', 'user')),
    item_id     INTEGER NOT NULL,
    reporter_id INTEGER NOT NULL REFERENCES users (id),
    reason      TEXT NOT NULL,
    text        TEXT NOT NULL DEFAULT '',
    settled     INTEGER NOT NULL DEFAULT 0 CHECK (settled IN (0, 1)), -- a moderator has decided on the item since
    created_at  INTEGER NOT NULL,
    UNIQUE (item_kind, item_id, reporter_id)
);
CREATE INDEX reports_reporter ON reports (reporter_id, created_at);

CREATE TABLE review_items (
    id              INTEGER PRIMARY KEY,
    item_kind       TEXT NOT NULL CHECK (item_kind IN ('proposal', 'comment', 'user')),
    item_id         INTEGER NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected', 'ignored')),
    rules           TEXT NOT NULL DEFAULT '', -- content rules tripped, comma-separated
    claimed_by      INTEGER REFERENCES users (id),
    claimed_at      INTEGER,
    resolved_by     INTEGER REFERENCES users (id),
    resolved_at     INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX review_items_open ON review_items (item_kind, item_id) WHERE state = 'pending';
CREATE INDEX review_items_state ON review_items (state, created_at);

CREATE TABLE moderation_actions (
    id          INTEGER PRIMARY KEY,
    actor_id    INTEGER REFERENCES users (id), -- NULL for the system (automatic holds)
    actor_role  TEXT NOT NULL,
    action      TEXT NOT NULL,
    item_kind   TEXT NOT NULL,
    item_id     INTEGER NOT NULL,
    reason_code TEXT NOT NULL DEFAULT '',
    before_state TEXT NOT NULL DEFAULT '',
    after_state  TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE INDEX moderation_actions_item ON moderation_actions (item_kind, item_id, id);
CREATE INDEX moderation_actions_time ON moderation_actions (created_at);

CREATE TABLE appeals (
    id          INTEGER PRIMARY KEY,
    item_kind   TEXT NOT NULL CHECK (item_kind IN ('proposal', 'comment')),
    item_id     INTEGER NOT NULL,
    author_id   INTEGER NOT NULL REFERENCES users (id),
    text        TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'granted', 'denied')),
    hidden_by   INTEGER REFERENCES users (id), -- who hid the item: may not decide the appeal
    decided_by  INTEGER REFERENCES users (id),
    decision_reason TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    decided_at  INTEGER,
    UNIQUE (item_kind, item_id)
);
CREATE INDEX appeals_author ON appeals (author_id);

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at    INTEGER,
    subject    TEXT NOT NULL DEFAULT '' -- what it is about ('proposal:12', 'comment:7'): repeats about one subject are grouped
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_subject ON notifications (user_id, subject, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- Ministries answer in public. A proposal has its lead ministry (proposals.ministry_id)
-- and may have co-answering ministries; every hand-off is kept with its reason.
CREATE TABLE proposal_ministries (
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    ministry_id INTEGER NOT NULL REFERENCES ministries (id),
    added_by    INTEGER NOT NULL REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (proposal_id, ministry_id)
);

CREATE TABLE transfers (
    id            INTEGER PRIMARY KEY,
    proposal_id   INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    from_ministry INTEGER NOT NULL REFERENCES ministries (id),
    to_ministry   INTEGER NOT NULL REFERENCES ministries (id),
    actor_id      INTEGER NOT NULL REFERENCES users (id),
    reason        TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX transfers_proposal ON transfers (proposal_id, id);

-- One joint official answer per proposal; every published version is kept.
CREATE TABLE responses (
    proposal_id      INTEGER PRIMARY KEY REFERENCES proposals (id) ON DELETE CASCADE,
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
    lang             TEXT NOT NULL DEFAULT '' -- the language of the answer; '' not known
);

-- A co-answering ministry's part of a joint answer, signed by it. The lead
-- ministry's part is the row in responses, and its decision stays the
-- decision; every published version of a part is kept in response_revisions
-- with its ministry.
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
);

CREATE TABLE response_revisions (
    proposal_id      INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    number           INTEGER NOT NULL,
    ministry_id      INTEGER NOT NULL REFERENCES ministries (id),
    official_id      INTEGER NOT NULL REFERENCES users (id),
    decision         TEXT NOT NULL,
    summary          TEXT NOT NULL,
    body_src         TEXT NOT NULL,
    body_html        TEXT NOT NULL,
    legal_basis      TEXT NOT NULL,
    responsible_unit TEXT NOT NULL,
    contact          TEXT NOT NULL,
    next_step        TEXT NOT NULL,
    next_step_date   INTEGER,
    created_at       INTEGER NOT NULL,
    round            INTEGER NOT NULL DEFAULT 1, -- the answer round it belongs to
    PRIMARY KEY (proposal_id, number)
);

CREATE TABLE follows (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item_kind  TEXT NOT NULL CHECK (item_kind IN ('proposal', 'debate', 'ministry')),
    item_id    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, item_kind, item_id)
);
CREATE INDEX follows_item ON follows (item_kind, item_id);

-- Mail waiting to be sent (or, without SMTP, read by admins). A row keeps what
-- happened (a notification kind, or 'digest', and its JSON data); the words are
-- written when the mail is sent or shown, in Korean and English.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    address    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    sent_at    INTEGER,
    attempts   INTEGER NOT NULL DEFAULT 0, -- failed sends; the mailer gives up after 5
    retry_at   INTEGER,                    -- after a failure, not before this time
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_unsent ON outbox (sent_at, id);
CREATE INDEX outbox_user ON outbox (user_id);

-- One-time links mailed to an account: verify an address, reset a
-- password, confirm a new address. Only the token's hash is kept; a row is
-- used once (used_at) and worthless after expires_at.
CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'change_email')),
    email      TEXT NOT NULL, -- the address the link was sent to (the new one, for a change)
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose, created_at);
CREATE INDEX account_tokens_email ON account_tokens (email, purpose, created_at);

-- The second factor's one-time recovery codes, hashed.
CREATE TABLE recovery_codes (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   INTEGER,
    PRIMARY KEY (user_id, code_hash)
);

-- Consents a person gave (PIPA): which notice, which version of it, when;
-- withdrawn_at when taken back.
CREATE TABLE consents (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    version      TEXT NOT NULL,
    given_at     INTEGER NOT NULL,
    withdrawn_at INTEGER
);
CREATE INDEX consents_user ON consents (user_id, id);

-- Every state change appends here in its own transaction; the live channel streams it.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    topic      TEXT NOT NULL,
    type       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    public     INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),
    created_at INTEGER NOT NULL
);
CREATE INDEX events_topic ON events (topic, id);
CREATE INDEX events_created ON events (created_at);
CREATE INDEX events_public ON events (public, id);

-- The web nodes serving this database, each renewing its row every few
-- seconds: a node that finds another live one and has no bus to hear it by
-- refuses to start (forum/cluster).
CREATE TABLE nodes (
    name         TEXT PRIMARY KEY,
    address      TEXT NOT NULL DEFAULT '',
    bus          INTEGER NOT NULL DEFAULT 0 CHECK (bus IN (0, 1)),
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL
);

-- Request counts of the rate limits shared by every node: one row per
-- limit and client, for the window that began at window_start. The key is
-- the SHA-256 of what the limit counts (an address, an e-mail), never it.
CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    hits         INTEGER NOT NULL
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);

-- Civil requests (민원, issue 17): a citizen's private request to one
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
);

-- Beyond the anchors (issue 18).
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
CREATE INDEX answer_ratings_user ON answer_ratings (user_id);

-- Full-text search over public content (forum/search tokens: CJK bigrams and
-- lower-cased words). The rowid is item_id * 4 + the kind's number (proposal 0,
-- comment 1, debate 2, answer 3), so a write replaces its row without a scan.
-- status is the proposal's or debate's (for a comment or answer, its thread's).
CREATE VIRTUAL TABLE search_index USING fts5 (
    kind UNINDEXED, item_id UNINDEXED, tokens, status UNINDEXED,
    ministry_id UNINDEXED, category_id UNINDEXED, created_at UNINDEXED,
    tokenize = 'unicode61'
);

PRAGMA user_version = 8;
