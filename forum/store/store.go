// Package store keeps the forum in SQLite. Every SQL statement of the
// project lives in this package.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store/dialect"
	"github.com/e-people/e-people/forum/workday"
	"github.com/mattn/go-sqlite3"
)

// Store is the forum's database: one writer connection that serialises every
// write transaction, and a pool of read-only connections.
type Store struct {
	w, r *sql.DB
	dsn  string // the database with the shared pragmas, for one-off connections
	now  func() time.Time
	// notify receives the events of each write transaction after it committed.
	notify func([]forum.Event)
	commit *committer // runs every write transaction (commit.go)
	// settings is the copy of the forum's settings that Settings returns,
	// loaded by Open and replaced by SetSettings under settingsMu (settings.go).
	settings atomic.Pointer[forum.Settings]
	// calendar counts the working days of civil requests' periods: the
	// official holidays and the administrators' extra days (requests.go),
	// loaded with the settings.
	calendar   atomic.Pointer[workday.Calendar]
	settingsMu sync.Mutex
	sessions   sessionCache // SessionByToken's answers (sessioncache.go)
	// pg: the database is PostgreSQL (postgres.go); w and r are then its
	// writers' and readers' pools, and commit only counts.
	pg bool
}

// Options tunes Open.
type Options struct {
	Now     func() time.Time // the clock; time.Now when nil
	Readers int              // size of the read pool; 4 when 0
}

// Open opens (creating when missing) the database at path, builds a fresh
// schema from schemaSQL or upgrades an older one, and refuses a database
// newer than this binary. A path that is a postgres:// URL opens that
// PostgreSQL database instead, with the schema's PostgreSQL twin
// (PostgresSchema); schemaSQL is then not used.
func Open(ctx context.Context, path, schemaSQL string, opt Options) (*Store, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if dialect.IsPostgres(path) {
		return openPostgres(ctx, path, opt)
	}
	if opt.Readers <= 0 {
		opt.Readers = 4
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_journal_mode=WAL&_foreign_keys=on&_busy_timeout=5000&_synchronous=FULL&_stmt_cache_size=128"
	w, err := sql.Open("sqlite3", base+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	s := &Store{w: w, dsn: base, now: opt.Now}
	if err := s.checkBuild(ctx); err != nil {
		w.Close()
		return nil, err
	}
	if err := s.migrate(ctx, schemaSQL); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite3", base+"&_query_only=true")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	r.SetMaxOpenConns(opt.Readers)
	r.SetMaxIdleConns(opt.Readers)
	s.r = r
	if err := s.loadSettings(ctx); err != nil {
		r.Close()
		w.Close()
		return nil, err
	}
	if err := s.startCommitter(ctx); err != nil {
		r.Close()
		w.Close()
		return nil, err
	}
	if err := s.upgradeTexts(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// ErrNoFTS5 means the binary was built without the sqlite_fts5 build tag.
var ErrNoFTS5 = errors.New("this binary was built without SQLite FTS5: build with -tags sqlite_fts5 (use the Makefile)")

func (s *Store) checkBuild(ctx context.Context) error {
	var ok int
	if err := s.w.QueryRowContext(ctx, `SELECT sqlite_compileoption_used('ENABLE_FTS5')`).Scan(&ok); err != nil {
		return fmt.Errorf("check sqlite build: %w", err)
	}
	if ok != 1 {
		return ErrNoFTS5
	}
	return nil
}

// Now is the store's clock: the time it stamps on rows and judges schedules by.
func (s *Store) Now() time.Time { return s.now() }

// SetNotify registers fn to receive the events of every write transaction,
// in id order, after the transaction committed. It must not block for long.
func (s *Store) SetNotify(fn func([]forum.Event)) { s.notify = fn }

// Close finishes the writes in hand, refuses later ones, and closes both
// pools, checkpointing the write-ahead log.
func (s *Store) Close() error {
	if s.pg {
		return errors.Join(s.w.Close(), s.r.Close())
	}
	var errs []error
	errs = append(errs, s.commit.close())
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if _, err := s.w.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		errs = append(errs, fmt.Errorf("checkpoint: %w", err))
	}
	errs = append(errs, s.w.Close())
	return errors.Join(errs...)
}

// Ping reports whether the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.r.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("ping: %w", mapErr(err))
	}
	return nil
}

// Backup writes a consistent copy of the live database to dest, which must not exist.
func (s *Store) Backup(ctx context.Context, dest string) error {
	if s.pg {
		return errors.New("backup: on PostgreSQL use pg_dump or a base backup with WAL archiving (README: Running on PostgreSQL)")
	}
	// The copy holds every account's personal data: it is created empty,
	// readable by its owner alone (0600), and VACUUM INTO fills it.
	f, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("backup: %s already exists", dest)
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// Readers are query_only, which refuses VACUUM; the writer would hold up
	// every write for the whole copy. VACUUM INTO on its own connection reads
	// one snapshot while writers go on.
	db, err := sql.Open("sqlite3", s.dsn)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		os.Remove(dest) // no half-written copy left behind
		return fmt.Errorf("backup: %w", mapErr(err))
	}
	if err := os.Chmod(dest, 0o600); err != nil { // whatever the umask
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// tx is one write transaction and the events it appends.
type tx struct {
	*sql.Tx
	ctx    context.Context // the caller's values without its cancellation (on PostgreSQL, cut when the caller gives up before the commit: postgres.go)
	now    time.Time
	events []forum.Event
	// On PostgreSQL (pg), events are held back and inserted at the end of
	// the transaction, under the events lock (postgres.go).
	pg, eventsLocked bool
	held             []forum.Event
}

// event appends an event of data's type to the events table inside the transaction.
func (t *tx) event(ctx context.Context, topic string, data forum.EventData) error {
	typ := data.EventType()
	payload, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	public, err := t.topicPublic(ctx, topic)
	if err != nil {
		return fmt.Errorf("append event: %w", err)
	}
	ev := forum.Event{Topic: topic, Type: typ, Data: payload, Public: public}
	if t.pg {
		t.holdEvent(topic, typ, payload, public)
		return t.appendMinistryCopies(ctx, []forum.Event{ev})
	}
	var id int64
	err = t.QueryRowContext(ctx,
		`INSERT INTO events (topic, type, payload, public, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		topic, typ, string(payload), public, t.now.Unix()).Scan(&id)
	if err != nil {
		return fmt.Errorf("append event: %w", err)
	}
	t.events = append(t.events, forum.Event{ID: id, Topic: topic, Type: typ, Data: payload, Public: public, CreatedAt: t.now})
	return t.appendMinistryCopies(ctx, []forum.Event{ev})
}

// topicPublic reports whether everyone may see events on topic, as the
// transaction leaves things: a proposal's while it is public (published,
// and not withheld by moderation), a
// debate's and a ministry's always, a user's never.
func (t *tx) topicPublic(ctx context.Context, topic string) (bool, error) {
	kind, id, _ := strings.Cut(topic, ":")
	switch kind {
	case "debate", "ministry":
		return true, nil
	case "proposal":
		var public bool
		err := t.QueryRowContext(ctx, `SELECT `+publicProposal+` FROM proposals p WHERE p.id = ?`, id).Scan(&public)
		return public, err
	}
	return false, nil
}

// mapErr turns driver errors into the domain's: no rows into ErrNotFound,
// a busy or full database into ErrUnavailable.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w", forum.ErrNotFound)
	}
	if pgUnavailable(err) {
		return fmt.Errorf("%w: %w", forum.ErrUnavailable, err)
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrBusy, sqlite3.ErrLocked, sqlite3.ErrFull, sqlite3.ErrIoErr:
			return fmt.Errorf("%w: %w", forum.ErrUnavailable, err)
		}
	}
	return err
}

func unix(t time.Time) int64 { return t.Unix() }

func fromUnix(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

func fromNullUnix(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromUnix(n.Int64)
}

// scanPlusRow scans a row followed by extra columns.
type scanPlusRow struct {
	row   interface{ Scan(...any) error }
	extra []any
}

func newScanPlusRow(row interface{ Scan(...any) error }, extra ...any) scanPlusRow {
	return scanPlusRow{row, extra}
}

func (sp scanPlusRow) Scan(dest ...any) error { return sp.row.Scan(append(dest, sp.extra...)...) }

func isNotFound(err error) bool { return errors.Is(mapErr(err), forum.ErrNotFound) }

// execOne runs a statement that must change exactly one row; none is forum.ErrNotFound.
func execOne(ctx context.Context, t *tx, query string, args ...any) error {
	res, err := t.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return forum.ErrNotFound
	}
	return nil
}
