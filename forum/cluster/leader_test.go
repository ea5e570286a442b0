package cluster_test

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/e-people/e-people/forum/cluster"
	"github.com/e-people/e-people/forum/store/storetest"
)

// candidate is one node's Elector, counting the times it led.
type candidate struct {
	el     *cluster.Elector
	cancel context.CancelFunc
	done   chan struct{}
	terms  atomic.Int64
}

// leaders counts the lead functions running at once, across candidates.
type leaders struct {
	mu       sync.Mutex
	now, max int
}

func (l *leaders) lead(c *candidate) func(context.Context) {
	return func(ctx context.Context) {
		c.terms.Add(1)
		l.mu.Lock()
		l.now++
		l.max = max(l.max, l.now)
		l.mu.Unlock()
		<-ctx.Done()
		l.mu.Lock()
		l.now--
		l.mu.Unlock()
	}
}

func runCandidate(t *testing.T, db string, l *leaders) *candidate {
	t.Helper()
	c := &candidate{el: cluster.NewElector(openStore(t, db), nil), done: make(chan struct{})}
	rctx, cancel := context.WithCancel(ctx)
	c.cancel = func() { cancel(); <-c.done }
	go func() { defer close(c.done); c.el.Run(rctx, l.lead(c)) }()
	t.Cleanup(c.cancel)
	return c
}

// One node of two leads; when it shuts down, the other takes over; when
// the leader's database connection dies, the lock goes with it and a node
// (either) leads again within seconds.
func TestElector_Failover(t *testing.T) {
	db := storetest.NewPostgresDatabase(t)
	var l leaders
	a, b := runCandidate(t, db, &l), runCandidate(t, db, &l)
	waitFor(t, "a leader", func() bool { return a.el.Leading() || b.el.Leading() })
	leader, other := a, b
	if b.el.Leading() {
		leader, other = b, a
	}
	leader.cancel() // a clean shutdown
	waitFor(t, "the other node to lead", other.el.Leading)
	if leader.el.Leading() {
		t.Fatal("the stopped node still leads")
	}
	l.mu.Lock()
	if l.max != 1 {
		t.Errorf("%d leaders at once", l.max)
	}
	l.mu.Unlock()

	// A third node joins; then the leader's connection is cut.
	c := runCandidate(t, db, &l)
	terms := other.terms.Load() + c.terms.Load()
	pg, err := sql.Open("pgx", db)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	var killed int
	if err := pg.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND objid = 1701866596`).Scan(&killed); err != nil || killed != 1 {
		t.Fatalf("terminated %d leader connections: %v", killed, err)
	}
	waitFor(t, "a new term", func() bool { return other.terms.Load()+c.terms.Load() > terms })
	waitFor(t, "exactly one leader", func() bool { return other.el.Leading() != c.el.Leading() })
}
