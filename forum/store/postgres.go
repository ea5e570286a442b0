package store

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	_ "embed"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store/dialect"
)

// PostgreSQL. The same methods and the same queries as on SQLite (see
// dialect.go); what differs is how writes run. SQLite has one writer and
// group commit (commit.go). PostgreSQL takes writes from every node at once,
// so each write is its own short SERIALIZABLE transaction: the database
// then proves that the concurrent transactions had the effect of some
// serial order, which is exactly what the single writer gives on SQLite, so
// every rule that holds there (one support per person, caps, counters equal
// to their rows) holds here without a lock of its own. A transaction that
// loses such a conflict (SQLSTATE 40001, or a deadlock, 40P01) is run again
// from the start, up to pgAttempts times.
//
// Events must become visible in id order, so that a client replaying "after
// id N" never misses one that commits later with a smaller id. A write's
// events are therefore inserted at its end, under a transaction-scoped
// advisory lock held to the commit: ids are handed out in commit order.

//go:embed schema_postgres.sql
var postgresSchema string

// PostgresSchema is the schema of a fresh PostgreSQL database at the
// current version: the twin of schema.sql.
func PostgresSchema() string { return postgresSchema }

const (
	// pgAttempts bounds how often one write is run again after losing a
	// conflict to concurrent writes.
	pgAttempts = 30
	// pgEventsLock is the advisory lock key that orders event ids by commit.
	pgEventsLock = 0x65706576 // "epev"
	// pgConns is the size of a node's connection pool.
	pgConns = 16
)

// openPostgres opens the store on the PostgreSQL database dsn names.
func openPostgres(ctx context.Context, dsn string, opt Options) (*Store, error) {
	// Two pools, as on SQLite: writes waiting for their turn on a busy
	// proposal (writeKeyed) hold connections of the writers' pool only, and
	// pages go on reading from their own.
	var pools [2]*sql.DB
	closeAll := func() {
		for _, db := range pools {
			if db != nil {
				db.Close()
			}
		}
	}
	for i := range pools {
		db, err := dialect.OpenPostgres(dsn)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("open store: %w", err)
		}
		pools[i] = db
		db.SetMaxOpenConns(pgConns)
		db.SetMaxIdleConns(pgConns)
		db.SetConnMaxIdleTime(5 * time.Minute)
	}
	if err := pools[0].PingContext(ctx); err != nil {
		closeAll()
		return nil, fmt.Errorf("open store: connect to %s: %w", dialect.Redact(dsn), err)
	}
	s := &Store{w: pools[0], r: pools[1], dsn: dsn, now: opt.Now, pg: true, commit: &committer{}}
	if err := s.migratePostgres(ctx); err != nil {
		closeAll()
		return nil, err
	}
	if err := s.loadSettings(ctx); err != nil {
		closeAll()
		return nil, err
	}
	if err := s.upgradeTexts(ctx); err != nil {
		closeAll()
		return nil, err
	}
	return s, nil
}

// migratePostgres builds a fresh schema or upgrades an older one, under an
// advisory lock so that nodes starting together do it once.
func (s *Store) migratePostgres(ctx context.Context) error {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	const migrateLock = 0x65706d67 // "epmg"
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(?)`, migrateLock); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(?)`, migrateLock) //nolint:errcheck
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT to_regclass('schema_version') IS NOT NULL`).Scan(&exists); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if !exists {
		var tables int
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()`).Scan(&tables); err != nil {
			return fmt.Errorf("inspect database: %w", err)
		}
		if tables > 0 {
			return fmt.Errorf("database has tables but no schema version: not an e-people database")
		}
		return execScriptOn(ctx, conn, "create schema", postgresSchema)
	}
	var have int
	if err := conn.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&have); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	switch {
	case have > Version():
		return fmt.Errorf("database schema version %d is newer than this binary's %d: upgrade the binary", have, Version())
	case have < postgresFirstVersion:
		return fmt.Errorf("database schema version %d predates PostgreSQL support (version %d)", have, postgresFirstVersion)
	}
	for v := have; v < Version(); v++ {
		script := postgresUpgrades[v-postgresFirstVersion] + fmt.Sprintf("\nUPDATE schema_version SET version = %d;", v+1)
		if err := execScriptOn(ctx, conn, fmt.Sprintf("upgrade schema to version %d", v+1), script); err != nil {
			return err
		}
	}
	return nil
}

// execScriptOn runs script, several statements, in one transaction of db
// (a pool or one of its connections).
func execScriptOn(ctx context.Context, db interface {
	BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
}, what, script string) error {
	t, err := db.BeginTx(ctx, nil)
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

// Hot rows. Many citizens supporting one proposal, or commenting on one
// debate, all update one row (its counter) and read the same index ranges:
// SERIALIZABLE transactions that overlap there fail each other, and a burst
// of them would spend its time running again. Such writes take turns per
// row instead: before its transaction begins, a write of a hot kind takes a
// session advisory lock on its key (turnKey) and lets it go after the
// commit, so writes to one proposal run one after the other across every
// node, while writes to different proposals still run at once.
// SERIALIZABLE still guards everything else they touch.

// turnKey is the advisory lock key of the writes to one subject (kind and
// id): a class for the kind in the high 32 bits, the id in the low ones.
// Two ids 2^32 apart share a key, which only makes them take turns.
func turnKey(kind forum.SubjectKind, id int64) int64 {
	var class int64
	for _, c := range []byte(kind) {
		class = (class*31 + int64(c)) & 0x3fffffff
	}
	return (class|0x40000000)<<32 | id&0xffffffff
}

// writeKeyed is write for a write that contends with others of the same key
// (turnKey): on PostgreSQL those take turns; on SQLite every write already does.
func (s *Store) writeKeyed(ctx context.Context, key int64, fn func(*tx) error) error {
	if s.pg {
		return s.writePG(ctx, key, fn)
	}
	return s.write(ctx, fn)
}

// writePG runs fn in a transaction of its own, again after a conflict, and
// publishes its events after the commit. A non-zero key makes it take its
// turn among the writes of that key (turnKey).
func (s *Store) writePG(ctx context.Context, key int64, fn func(*tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var err error
	for attempt := 0; attempt < pgAttempts; attempt++ {
		if attempt > 0 {
			// Back off a little, more each time, with jitter, so that the
			// writers that collided do not collide again in step.
			d := time.Duration(1+rand.IntN(1<<min(attempt, 6))) * time.Millisecond
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		var events []forum.Event
		events, err = s.runPG(ctx, key, fn)
		if err == nil {
			s.commit.txs.Add(1)
			s.commit.writes.Add(1)
			if s.notify != nil && len(events) > 0 {
				s.notify(events)
			}
			return nil
		}
		if !pgRetryable(err) {
			return mapErr(err)
		}
	}
	return fmt.Errorf("%w: %d attempts lost to concurrent writes: %w", forum.ErrUnavailable, pgAttempts, err)
}

// runPG is one attempt of writePG.
func (s *Store) runPG(ctx context.Context, key int64, fn func(*tx) error) ([]forum.Event, error) {
	began := time.Now()
	// The transaction's statements end when the caller stops waiting (a
	// request's deadline while a lock holds them up, as a write still queued
	// on SQLite): it is rolled back and the caller hears why, which is the
	// truth. Once the commit is sent, it runs to its end, as on SQLite:
	// interrupting it would leave its caller without the truth.
	wctx := context.WithoutCancel(ctx)
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if key != 0 {
		// Waiting for the turn ends with the caller's patience.
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(?)`, key); err != nil {
			// Whether a cancelled wait took the lock is not known: drop the
			// connection rather than return it to the pool holding it.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			return nil, fmt.Errorf("wait for the row's turn: %w", err)
		}
		defer func() {
			if _, err := conn.ExecContext(wctx, `SELECT pg_advisory_unlock(?)`, key); err != nil {
				// The lock must not outlive the write: drop the connection, and the server lets it go.
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			}
		}()
	}
	sctx, cancel := context.WithCancel(wctx)
	defer cancel()
	unhook := context.AfterFunc(ctx, cancel)
	sqlTx, err := conn.BeginTx(wctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
	if err != nil {
		unhook()
		return nil, err
	}
	t := &tx{Tx: sqlTx, ctx: sctx, now: s.now().UTC().Truncate(time.Second), pg: true}
	err = runItem(t, fn)
	if err == nil {
		err = t.flushEvents()
	}
	if !unhook() && ctx.Err() != nil { // the caller gave up: a statement may have been cut short
		err = ctx.Err()
	}
	if err != nil {
		_ = sqlTx.Rollback()
		return nil, err
	}
	if err := sqlTx.Commit(); err != nil {
		return nil, err
	}
	if observe := s.commit.observe.Load(); observe != nil {
		(*observe)(1, time.Since(began))
	}
	return t.events, nil
}

// lockEvents takes the lock that orders event ids by commit, once per
// transaction. Only PostgreSQL transactions need it.
func (t *tx) lockEvents() error {
	if !t.pg || t.eventsLocked {
		return nil
	}
	if _, err := t.Tx.ExecContext(t.ctx, `SELECT pg_advisory_xact_lock(?)`, pgEventsLock); err != nil {
		return fmt.Errorf("lock events: %w", err)
	}
	t.eventsLocked = true
	return nil
}

// flushEvents inserts the events a PostgreSQL write held back (tx.event),
// under the events lock, and gives them their ids.
func (t *tx) flushEvents() error {
	if len(t.held) == 0 {
		return nil
	}
	if err := t.lockEvents(); err != nil {
		return err
	}
	held := t.held
	t.held = nil
	if err := t.insertEvents(held); err != nil {
		return err
	}
	slices.SortFunc(t.events, func(a, b forum.Event) int { return cmp.Compare(a.ID, b.ID) })
	return nil
}

// holdEvent keeps an event of a PostgreSQL write for flushEvents.
func (t *tx) holdEvent(topic, typ string, payload json.RawMessage, public bool) {
	t.held = append(t.held, forum.Event{Topic: topic, Type: typ, Data: payload, Public: public, CreatedAt: t.now})
}
