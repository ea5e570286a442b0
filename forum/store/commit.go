package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/e-people/e-people/forum"
)

// Group commit. Every write goes through one goroutine that owns the writer
// connection. It takes whatever writes are waiting (up to maxBatch), runs them
// in one immediate transaction with a savepoint around each, and commits once:
// one fsync for the whole batch at synchronous=FULL. A write that fails rolls
// back to its savepoint and fails alone; the others still commit. Callers are
// answered only after the commit (or its failure), and events are published
// only after the commit. A caller whose context ends before its write has
// started (queued, or its batch waiting for the lock) is answered with the
// context's error at once, and that write never runs.

const (
	// maxBatch bounds one transaction, so a burst cannot hold the write
	// lock for long and a failed commit costs at most this many writes.
	maxBatch = 256
	// writeWait is how long a write may wait for the write lock, counted
	// from when it was submitted: the busy timeout. A write still waiting
	// after it gets forum.ErrUnavailable, so under lock contention every
	// caller hears back within this bound instead of queueing behind
	// earlier waiters.
	writeWait = 5 * time.Second
)

// errStoreClosed answers writes submitted after Close.
var errStoreClosed = fmt.Errorf("%w: the store is closed", forum.ErrUnavailable)

// pending is one write waiting for its batch.
type pending struct {
	ctx      context.Context
	fn       func(*tx) error
	deadline time.Time
	done     chan error
	state    atomic.Int32 // queued, then running or abandoned: whichever of the committer and the caller gets there first
	// group, when set, lets the committer run this write together with the
	// batch's other writes of the same group, as multi-row statements; item
	// is what the group needs of it. fn still runs it alone.
	group *writeGroup
	item  any
}

// writeGroup is a kind of hot, uniform write (a support, say) that a batch
// runs as a few multi-row statements for all its writes of that kind
// instead of a few statements for each.
//
// Every write of a batch was submitted before the batch began and none has
// been answered, so they are concurrent and any order of them is a correct
// one: the committer runs each group's writes first, in one step, and the
// others after, one by one.
type writeGroup struct {
	// run applies items, in order, inside t, as if each ran alone. It
	// returns the answer of every item it applied or refused (nil where it
	// did not), and the indexes of the items it left to run alone, after it,
	// by their fn (a write whose effect it cannot compute in bulk, such as
	// one that crosses a threshold). An error means that nothing of the
	// step stands: the committer rolls it back and runs every item alone.
	run func(s *Store, t *tx, items []any) (answers []error, alone []int, err error)
	// pgKey names the row an item's write contends for (the proposal a
	// support counts on, the comment a vote counts on): on PostgreSQL, where
	// each write runs alone, writes of one key take turns (writeKeyed).
	pgKey func(item any) int64
}

// The states of a pending write. It runs only if the committer moves it from
// queued to running; a caller whose context ends first moves it to abandoned
// and is answered at once, so it is never applied behind its caller's back.
const (
	queued int32 = iota
	running
	abandoned
)

// start claims p for running, or reports false when its caller's context has
// ended or the caller already gave up: then it must not run.
func (p *pending) start() bool {
	return p.ctx.Err() == nil && p.state.CompareAndSwap(queued, running)
}

// committer is the goroutine behind Store.write.
type committer struct {
	s      *Store
	conn   *sql.Conn
	submit chan *pending // unbuffered: a waiting writer is parked on the send
	stop   chan struct{}
	exited chan struct{}
	busyMS int64 // the busy_timeout last set on conn
	once   sync.Once
	// committed counts transactions and the writes in them.
	txs, writes atomic.Int64
	observe     atomic.Pointer[func(batch int, took time.Duration)] // SetCommitObserver's function
	// accountsWritten: the batch in hand wrote a row of users or sessions
	// (the update hook in sessioncache.go); touching: a session's last-seen
	// time is being written, which does not count. Only the committer's
	// goroutine, on which the hook runs, uses them.
	accountsWritten, touching bool
}

// WriteStats counts the work of the group commit since Open.
type WriteStats struct {
	Transactions int64 // committed transactions, each one fsync
	Writes       int64 // writes committed in them, failed ones included
}

// WriteStats reports how many transactions committed how many writes.
func (s *Store) WriteStats() WriteStats {
	return WriteStats{Transactions: s.commit.txs.Load(), Writes: s.commit.writes.Load()}
}

// SetCommitObserver registers fn to hear of every committed group-commit
// transaction: how many writes it held and how long it took from BEGIN
// (waiting for the write lock included) to the end of COMMIT (its fsync
// included). fn runs on the writer's goroutine and must return at once.
func (s *Store) SetCommitObserver(fn func(batch int, took time.Duration)) {
	s.commit.observe.Store(&fn)
}

func (s *Store) startCommitter(ctx context.Context) error {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open writer: %w", err)
	}
	c := &committer{s: s, conn: conn, submit: make(chan *pending), stop: make(chan struct{}),
		exited: make(chan struct{}), busyMS: writeWait.Milliseconds()}
	if err := c.watchWrites(); err != nil {
		conn.Close()
		return fmt.Errorf("open writer: %w", err)
	}
	s.commit = c
	go c.run()
	return nil
}

// close stops taking writes, finishes the batch in hand and releases the
// connection. Writes submitted afterwards get errStoreClosed.
func (c *committer) close() error {
	var err error
	c.once.Do(func() {
		close(c.stop)
		<-c.exited
		err = c.conn.Close()
	})
	return err
}

// write runs fn in a write transaction shared with other waiting writes and
// publishes its events after commit. An error from fn rolls back fn's own
// changes only. ctx cancels the wait for the batch and for the write lock,
// and then fn never runs; once fn has started, the caller waits for the
// truth (committed or not), so an answer is never wrong.
func (s *Store) write(ctx context.Context, fn func(*tx) error) error {
	return s.writeGrouped(ctx, fn, nil, nil)
}

// writeGrouped is write for a write of group g, described by item, which
// the committer may run with the batch's other writes of g (writeGroup); fn
// runs it alone and must have the same effect.
func (s *Store) writeGrouped(ctx context.Context, fn func(*tx) error, g *writeGroup, item any) error {
	if s.pg {
		var key int64
		if g != nil && g.pgKey != nil {
			key = g.pgKey(item)
		}
		return s.writePG(ctx, key, fn)
	}
	p := &pending{ctx: ctx, fn: fn, deadline: time.Now().Add(writeWait), done: make(chan error, 1), group: g, item: item}
	select {
	case s.commit.submit <- p:
	case <-s.commit.stop:
		return errStoreClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
		if p.state.CompareAndSwap(queued, abandoned) {
			return ctx.Err()
		}
		return <-p.done // it has started: wait for the truth
	}
}

func (c *committer) run() {
	defer close(c.exited)
	batch := make([]*pending, 0, maxBatch)
	for {
		select {
		case p := <-c.submit:
			batch = append(batch[:0], p)
		case <-c.stop:
			return
		}
	gather:
		for len(batch) < maxBatch {
			select {
			case p := <-c.submit:
				batch = append(batch, p)
			default:
				break gather
			}
		}
		c.runBatch(batch)
		clear(batch)
	}
}

// runBatch answers every pending write in batch exactly once.
func (c *committer) runBatch(batch []*pending) {
	now := time.Now()
	live := batch[:0:0]
	first := time.Time{}
	for _, p := range batch {
		switch {
		case p.ctx.Err() != nil:
			p.done <- p.ctx.Err()
		case now.After(p.deadline):
			p.done <- fmt.Errorf("%w: waited %s for the write lock", forum.ErrUnavailable, writeWait)
		default:
			live = append(live, p)
			if first.IsZero() || p.deadline.Before(first) {
				first = p.deadline
			}
		}
	}
	if len(live) == 0 {
		return
	}
	fail := func(err error) {
		for _, p := range live {
			p.done <- err
		}
	}
	ctx := context.Background()
	// Wait for the lock no longer than the most patient caller may wait.
	if err := c.setBusy(ctx, time.Until(first)); err != nil {
		fail(mapErr(err))
		return
	}
	began := time.Now()
	sqlTx, err := c.conn.BeginTx(ctx, nil)
	if err != nil {
		fail(mapErr(err))
		return
	}
	// Stored times are whole unix seconds: rules and events use the same instant.
	stamp := c.s.now().UTC().Truncate(time.Second)
	results := make([]error, len(live))
	// The lock may have taken a while: a caller whose context ended
	// meanwhile has its answer, and its write must not run.
	ran := 0
	alone := make([]int, 0, len(live)) // the writes that run one by one, in order
	groups := map[*writeGroup][]int{}
	var order []*writeGroup
	for i, p := range live {
		if !p.start() {
			results[i] = p.ctx.Err()
			continue
		}
		ran++
		if p.group == nil {
			alone = append(alone, i)
			continue
		}
		if groups[p.group] == nil {
			order = append(order, p.group)
		}
		groups[p.group] = append(groups[p.group], i)
	}
	var events []forum.Event
	for _, g := range order {
		idx := groups[g]
		if len(idx) == 1 {
			alone = append(alone, idx[0])
			continue
		}
		left, evs, err := c.runGroup(sqlTx, stamp, g, live, idx, results)
		if err != nil {
			_ = sqlTx.Rollback()
			fail(mapErr(err))
			return
		}
		events = append(events, evs...)
		alone = append(alone, left...)
	}
	for _, i := range alone {
		p := live[i]
		t := &tx{Tx: sqlTx, ctx: context.WithoutCancel(p.ctx), now: stamp}
		if _, err := sqlTx.ExecContext(ctx, `SAVEPOINT item`); err != nil {
			_ = sqlTx.Rollback()
			fail(mapErr(err))
			return
		}
		if err := runItem(t, p.fn); err != nil {
			results[i] = mapErr(err)
			if _, rerr := sqlTx.ExecContext(ctx, `ROLLBACK TO item`); rerr != nil {
				// The transaction itself is gone (SQLite rolls it all back on
				// some errors, such as a full disk): nothing in it stands.
				_ = sqlTx.Rollback()
				fail(mapErr(err))
				return
			}
		} else {
			events = append(events, t.events...)
		}
		if _, err := sqlTx.ExecContext(ctx, `RELEASE item`); err != nil {
			_ = sqlTx.Rollback()
			fail(mapErr(err))
			return
		}
	}
	if ran == 0 { // every caller gave up while the batch waited for the lock: nothing to commit
		_ = sqlTx.Rollback()
	} else if err := c.commitBatch(sqlTx, ran, began); err != nil {
		fail(mapErr(err))
		return
	}
	if c.s.notify != nil && len(events) > 0 {
		c.s.notify(events)
	}
	for i, p := range live {
		p.done <- results[i]
	}
}

// accountsCommitted ends a batch: if it wrote users or sessions, cached
// sessions read before are no longer used. It runs after the commit (or the
// rollback) and before any caller of the batch is answered.
func (c *committer) accountsCommitted() {
	if c.accountsWritten {
		c.s.sessions.gen.Add(1)
		c.accountsWritten = false
	}
}

// commitBatch commits the transaction of a batch in which ran writes ran:
// the one place where a batch becomes durable.
func (c *committer) commitBatch(sqlTx *sql.Tx, ran int, began time.Time) error {
	err := sqlTx.Commit()
	c.accountsCommitted() // even when the commit failed: whether it stands is not known
	if err != nil {
		return err
	}
	c.txs.Add(1)
	c.writes.Add(int64(ran))
	if observe := c.observe.Load(); observe != nil {
		(*observe)(ran, time.Since(began))
	}
	return nil
}

// runGroup runs the writes live[idx] of group g as one step under a
// savepoint, filling in results, and returns the indexes of live that are
// left to run alone and the step's events. When the step fails it is
// rolled back and every one of its writes is left to run alone, so that
// the write at fault fails by itself. An error means the transaction is
// lost.
func (c *committer) runGroup(sqlTx *sql.Tx, stamp time.Time, g *writeGroup, live []*pending, idx []int, results []error) ([]int, []forum.Event, error) {
	ctx := context.Background()
	items := make([]any, len(idx))
	for k, i := range idx {
		items[k] = live[i].item
	}
	if _, err := sqlTx.ExecContext(ctx, `SAVEPOINT grp`); err != nil {
		return nil, nil, err
	}
	t := &tx{Tx: sqlTx, ctx: ctx, now: stamp}
	answers, left, err := runGroupStep(c.s, t, g, items)
	if err != nil {
		if _, err := sqlTx.ExecContext(ctx, `ROLLBACK TO grp`); err != nil {
			return nil, nil, err
		}
		if _, err := sqlTx.ExecContext(ctx, `RELEASE grp`); err != nil {
			return nil, nil, err
		}
		return idx, nil, nil
	}
	if _, err := sqlTx.ExecContext(ctx, `RELEASE grp`); err != nil {
		return nil, nil, err
	}
	for k, i := range idx {
		results[i] = mapErr(answers[k])
	}
	out := make([]int, len(left))
	for k, j := range left {
		out[k] = idx[j]
	}
	return out, t.events, nil
}

// runGroupStep runs g.run, turning a panic into its error as runItem does.
func runGroupStep(s *Store, t *tx, g *writeGroup, items []any) (answers []error, alone []int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("write group panicked: %v", r)
		}
	}()
	return g.run(s, t, items)
}

// runItem runs one write, turning a panic into its error so that one bad
// write cannot take the committer, and every other writer, down with it.
func runItem(t *tx, fn func(*tx) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("write panicked: %v", r)
		}
	}()
	return fn(t)
}

// setBusy sets how long the next BEGIN may wait for another process's
// lock: wait, rounded down to a tenth of a second (at least a millisecond),
// so that batches a few milliseconds apart share one setting instead of
// running a PRAGMA each.
func (c *committer) setBusy(ctx context.Context, wait time.Duration) error {
	ms := wait.Milliseconds()
	if ms >= 100 {
		ms -= ms % 100
	}
	ms = max(ms, 1)
	if ms == c.busyMS {
		return nil
	}
	if _, err := c.conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, ms)); err != nil {
		return fmt.Errorf("set busy timeout: %w", err)
	}
	c.busyMS = ms
	return nil
}

// The statements of a write run on the batch's transaction with the
// caller's context values but not its cancellation: interrupting one
// statement would roll back the whole shared transaction.

// ExecContext runs a statement in the batch's transaction.
func (t *tx) ExecContext(_ context.Context, query string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(t.ctx, query, args...)
}

// QueryContext runs a query in the batch's transaction.
func (t *tx) QueryContext(_ context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(t.ctx, query, args...)
}

// QueryRowContext runs a one-row query in the batch's transaction.
func (t *tx) QueryRowContext(_ context.Context, query string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(t.ctx, query, args...)
}

// PrepareContext prepares a statement on the batch's transaction.
func (t *tx) PrepareContext(_ context.Context, query string) (*sql.Stmt, error) {
	return t.Tx.PrepareContext(t.ctx, query)
}
