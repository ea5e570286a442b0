package store

// The store's side of running several web nodes on one database (package
// forum/cluster): reading events by id range for the sequencer, the node
// registry, the leader's lock and the rate limits every node shares.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/e-people/e-people/forum"
)

// pgLeaderLock is the session advisory lock key the cluster's leader holds.
const pgLeaderLock = 0x65706c64 // "epld"

// Postgres reports whether the database is PostgreSQL, which several nodes
// may share, rather than a SQLite file, which one process owns.
func (s *Store) Postgres() bool { return s.pg }

// EventsBetween returns up to limit events with after < id < before, in id
// order, whatever their topic: the ones a node missed between two it saw.
func (s *Store) EventsBetween(ctx context.Context, after, before int64, limit int) ([]forum.Event, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+eventCols+` FROM events
		WHERE id > ? AND id < ? ORDER BY id LIMIT ?`, after, before, limit)
	if err != nil {
		return nil, fmt.Errorf("read events between %d and %d: %w", after, before, mapErr(err))
	}
	out, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("read events between %d and %d: %w", after, before, mapErr(err))
	}
	return out, nil
}

// Node is one web node in the registry.
type Node struct {
	Name      string // unique among live nodes (-node)
	Address   string // where it listens, for operators
	Bus       bool   // it is connected to the other nodes by a message bus
	StartedAt time.Time
	Heartbeat time.Time // its last sign of life
}

// NodeInTheWay is the error RegisterNode returns when a live node forbids
// the registration: Node is that node, Reason says why.
type NodeInTheWay struct {
	Node   Node
	Reason string
}

func (e *NodeInTheWay) Error() string {
	return fmt.Sprintf("node %q at %s, started %s, last seen %s: %s", e.Node.Name, e.Node.Address,
		e.Node.StartedAt.UTC().Format(time.RFC3339), e.Node.Heartbeat.UTC().Format(time.RFC3339), e.Reason)
}

// Unwrap makes a NodeInTheWay match forum.ErrConflict.
func (e *NodeInTheWay) Unwrap() error { return forum.ErrConflict }

// RegisterNode records n as started now, unless a node whose heartbeat is
// after liveSince stands in its way: one of the same name, or any other
// when either of the two has no bus (nodes that cannot hear each other must
// not share a database). It returns a *NodeInTheWay for that node. The
// check and the insert are one write transaction, so two nodes starting at
// once cannot both pass.
func (s *Store) RegisterNode(ctx context.Context, n Node, liveSince time.Time) error {
	err := s.write(ctx, func(t *tx) error {
		rows, err := t.QueryContext(ctx, `SELECT name, address, bus, started_at, heartbeat_at FROM nodes
			WHERE heartbeat_at >= ? ORDER BY started_at, name`, liveSince.Unix())
		if err != nil {
			return err
		}
		live, err := scanNodes(rows)
		if err != nil {
			return err
		}
		for _, o := range live {
			switch {
			case o.Name == n.Name:
				return &NodeInTheWay{Node: o, Reason: "a live node already has this name; give each node its own -node NAME"}
			case !n.Bus:
				return &NodeInTheWay{Node: o, Reason: "it shares this database, and a node without a bus would not hear its changes: start every node with -bus nats://…"}
			case !o.Bus:
				return &NodeInTheWay{Node: o, Reason: "it shares this database without a bus and would not hear this node's changes: start every node with -bus nats://…"}
			}
		}
		now := t.now.Unix()
		_, err = t.ExecContext(ctx, `INSERT INTO nodes (name, address, bus, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET address = excluded.address, bus = excluded.bus,
				started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at`,
			n.Name, n.Address, n.Bus, now, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("register node %q: %w", n.Name, err)
	}
	return nil
}

// HeartbeatNode records that the named node is alive now, registering it
// again if its row was removed meanwhile.
func (s *Store) HeartbeatNode(ctx context.Context, n Node) error {
	now := s.now().Unix()
	if err := s.statement(ctx, func(q querier) error {
		_, err := q.ExecContext(ctx, `INSERT INTO nodes (name, address, bus, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`,
			n.Name, n.Address, n.Bus, now, now)
		return err
	}); err != nil {
		return fmt.Errorf("heartbeat node %q: %w", n.Name, mapErr(err))
	}
	return nil
}

// RemoveNode takes the named node out of the registry, at its clean shutdown.
func (s *Store) RemoveNode(ctx context.Context, name string) error {
	if err := s.statement(ctx, func(q querier) error {
		_, err := q.ExecContext(ctx, `DELETE FROM nodes WHERE name = ?`, name)
		return err
	}); err != nil {
		return fmt.Errorf("remove node %q: %w", name, mapErr(err))
	}
	return nil
}

// LiveNodes returns the nodes whose heartbeat is at or after since, oldest first.
func (s *Store) LiveNodes(ctx context.Context, since time.Time) ([]Node, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT name, address, bus, started_at, heartbeat_at FROM nodes
		WHERE heartbeat_at >= ? ORDER BY started_at, name`, since.Unix())
	if err != nil {
		return nil, fmt.Errorf("list live nodes: %w", mapErr(err))
	}
	nodes, err := scanNodes(rows)
	if err != nil {
		return nil, fmt.Errorf("list live nodes: %w", mapErr(err))
	}
	return nodes, nil
}

func scanNodes(rows *sql.Rows) ([]Node, error) {
	defer rows.Close()
	var out []Node
	for rows.Next() {
		var n Node
		var bus int
		var started, beat int64
		if err := rows.Scan(&n.Name, &n.Address, &bus, &started, &beat); err != nil {
			return nil, err
		}
		n.Bus, n.StartedAt, n.Heartbeat = bus != 0, fromUnix(started), fromUnix(beat)
		out = append(out, n)
	}
	return out, rows.Err()
}

// Leadership is the lock the cluster's one leader holds while it runs the
// jobs that must run once (scheduler, mailer, retention). On PostgreSQL it
// is a session advisory lock on a connection of its own, which the server
// releases when that connection dies; on SQLite the one process that owns
// the file holds it.
type Leadership struct {
	conn *sql.Conn // nil on SQLite
}

// TryLeadership takes the leader's lock if no one holds it, and returns nil
// without an error when another node does.
func (s *Store) TryLeadership(ctx context.Context) (*Leadership, error) {
	if !s.pg {
		return &Leadership{}, nil
	}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("try leadership: %w", mapErr(err))
	}
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(?)`, pgLeaderLock).Scan(&got); err != nil {
		discard(conn)
		return nil, fmt.Errorf("try leadership: %w", mapErr(err))
	}
	if !got {
		_ = conn.Close() // it holds no lock: back to the pool
		return nil, nil
	}
	return &Leadership{conn: conn}, nil
}

// Check reports an error when the lock is no longer held: its connection
// died (and the server let the lock go with it).
func (l *Leadership) Check(ctx context.Context) error {
	if l.conn == nil {
		return nil
	}
	var held bool
	if err := l.conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'
		AND pid = pg_backend_pid() AND granted AND ((classid::bigint << 32) | objid::bigint) = ?)`, pgLeaderLock).Scan(&held); err != nil {
		return fmt.Errorf("check leadership: %w", mapErr(err))
	}
	if !held {
		return errors.New("check leadership: the lock is gone")
	}
	return nil
}

// Release gives the lock up at once, and its connection back to the pool;
// when the unlock fails the connection is closed instead, never pooled with
// the lock on it (the server then drops the lock as the session ends).
func (l *Leadership) Release() {
	if l.conn == nil {
		return
	}
	var unlocked bool
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.conn.QueryRowContext(ctx, `SELECT pg_advisory_unlock(?)`, pgLeaderLock).Scan(&unlocked); err != nil || !unlocked {
		discard(l.conn)
	} else {
		_ = l.conn.Close()
	}
	l.conn = nil
}

// discard closes conn for good instead of returning it to the pool.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = conn.Close()
}

// rateLimitKey is what rate_limits keeps of a limit's key: its SHA-256, in
// hex. Keys name what a limit counts (an address, the e-mail a sign-in was
// tried for), and a row outlives the account it counts until retention
// prunes its window: no such row may hold personal data as it was given.
func rateLimitKey(key string) string {
	sum := sha256.Sum256([]byte("epeople rate limit\x00" + key))
	return hex.EncodeToString(sum[:])
}

// HitRateLimit counts one request at now against key, in a fixed window
// of length window that starts at the first request counted once the last
// window ended (as Fiber's in-memory limiter counts), and returns the
// window's count so far, this one included, and when the window ends. It is
// one autocommit statement, outside the serializable write path, so that
// every node sharing the database shares the count without conflicts.
func (s *Store) HitRateLimit(ctx context.Context, key string, now time.Time, window time.Duration) (hits int64, ends time.Time, err error) {
	var start int64
	ended := now.Add(-window).Unix() // a window that started at or before this has ended
	if err := s.statement(ctx, func(q querier) error {
		return q.QueryRowContext(ctx, `INSERT INTO rate_limits (key, window_start, hits) VALUES (?, ?, 1)
			ON CONFLICT (key) DO UPDATE SET
				hits = CASE WHEN rate_limits.window_start > ? THEN rate_limits.hits + 1 ELSE 1 END,
				window_start = CASE WHEN rate_limits.window_start > ? THEN rate_limits.window_start ELSE excluded.window_start END
			RETURNING hits, window_start`, rateLimitKey(key), now.Unix(), ended, ended).Scan(&hits, &start)
	}); err != nil {
		return 0, time.Time{}, fmt.Errorf("count rate limit: %w", mapErr(err))
	}
	return hits, time.Unix(start, 0).Add(window), nil
}

// UnhitRateLimit takes back one request counted against key, for limits
// that count only failures.
func (s *Store) UnhitRateLimit(ctx context.Context, key string) error {
	if err := s.statement(ctx, func(q querier) error {
		_, err := q.ExecContext(ctx, `UPDATE rate_limits SET hits = hits - 1 WHERE key = ? AND hits > 0`, rateLimitKey(key))
		return err
	}); err != nil {
		return fmt.Errorf("uncount rate limit: %w", mapErr(err))
	}
	return nil
}

// PruneClusterState deletes rate limit windows that started before before,
// and registry rows of nodes not seen since then; it returns how many rows
// went. The leader's retention job runs it.
func (s *Store) PruneClusterState(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	for _, q := range []string{`DELETE FROM rate_limits WHERE window_start < ?`, `DELETE FROM nodes WHERE heartbeat_at < ?`} {
		if err := s.statement(ctx, func(db querier) error {
			res, err := db.ExecContext(ctx, q, before.Unix())
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += k
			return nil
		}); err != nil {
			return n, fmt.Errorf("prune cluster state: %w", mapErr(err))
		}
	}
	return n, nil
}

// querier runs statements: the pool, or a write transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// statement runs fn's one statement. On PostgreSQL it runs on the pool as
// a statement of its own (autocommit), outside the serializable write
// path: one statement needs no retry, and rate limits must not add to the
// writes' conflicts. On SQLite it goes through the single writer, which
// owns the only connection that may write.
func (s *Store) statement(ctx context.Context, fn func(querier) error) error {
	if s.pg {
		return mapErr(fn(s.w))
	}
	return s.write(ctx, func(t *tx) error { return fn(t) })
}

// ReloadSettings reads the forum's settings again into the copy Settings
// returns: on PostgreSQL another node may have changed them.
func (s *Store) ReloadSettings(ctx context.Context) error { return s.loadSettings(ctx) }
