package store

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store/storetest"
)

func TestStore_EventsBetween(t *testing.T) {
	w := newWorld(t)
	before := lastEventID(t, w.s)
	p := w.openProposal(t, "between")
	w.comment(t, p.ID, w.author.ID, 0, "one")
	w.comment(t, p.ID, w.author.ID, 0, "two")
	last := lastEventID(t, w.s)
	all, err := w.s.EventsBetween(ctx, before, last+1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 3 || all[len(all)-1].ID != last {
		t.Fatalf("events between %d and %d: %d, last %v", before, last+1, len(all), all)
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID <= all[i-1].ID {
			t.Fatalf("not in id order: %d after %d", all[i].ID, all[i-1].ID)
		}
	}
	// Whatever the topic, bounds excluded, limit kept.
	mid, err := w.s.EventsBetween(ctx, all[0].ID, last, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(mid) != 1 || mid[0].ID != all[1].ID || mid[0].Topic == "" || len(mid[0].Data) == 0 {
		t.Fatalf("first event after %d: %+v, want id %d", all[0].ID, mid, all[1].ID)
	}
}

func TestStore_RegisterNode(t *testing.T) {
	c := newClock()
	s := openTest(t, c.now)
	live := func() time.Time { return c.now().Add(-15 * time.Second) }
	if err := s.RegisterNode(ctx, Node{Name: "a", Address: "10.0.0.1:8080", Bus: true}, live()); err != nil {
		t.Fatal(err)
	}
	// The same name while a lives.
	err := s.RegisterNode(ctx, Node{Name: "a", Bus: true}, live())
	var in *NodeInTheWay
	if !errors.As(err, &in) || in.Node.Name != "a" || in.Node.Address != "10.0.0.1:8080" || !errors.Is(err, forum.ErrConflict) {
		t.Fatalf("second node named a: %v", err)
	}
	// A node without a bus beside a live one.
	err = s.RegisterNode(ctx, Node{Name: "b"}, live())
	if !errors.As(err, &in) || in.Node.Name != "a" || !strings.Contains(err.Error(), "-bus nats://") {
		t.Fatalf("node without a bus: %v", err)
	}
	// With a bus, welcome.
	if err := s.RegisterNode(ctx, Node{Name: "b", Bus: true}, live()); err != nil {
		t.Fatal(err)
	}
	nodes, err := s.LiveNodes(ctx, live())
	if err != nil || len(nodes) != 2 || nodes[0].Name != "a" || !nodes[1].Bus {
		t.Fatalf("live nodes: %+v, %v", nodes, err)
	}
	// a stops beating; b beats on: after 15 s only b lives, and a's name is free again.
	c.advance(10 * time.Second)
	if err := s.HeartbeatNode(ctx, Node{Name: "b", Bus: true}); err != nil {
		t.Fatal(err)
	}
	c.advance(6 * time.Second)
	if nodes, _ := s.LiveNodes(ctx, live()); len(nodes) != 1 || nodes[0].Name != "b" {
		t.Fatalf("live nodes after a stopped: %+v", nodes)
	}
	if err := s.RegisterNode(ctx, Node{Name: "a"}, live()); !errors.As(err, &in) || in.Node.Name != "b" {
		t.Fatalf("a without a bus beside b: %v", err)
	}
	if err := s.RegisterNode(ctx, Node{Name: "a", Bus: true}, live()); err != nil {
		t.Fatalf("a again, once it was gone: %v", err)
	}
	// A clean shutdown leaves; the last node may then run without a bus.
	for _, n := range []string{"a", "b"} {
		if err := s.RemoveNode(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RegisterNode(ctx, Node{Name: "solo"}, live()); err != nil {
		t.Fatal(err)
	}
	// And a node with a bus may not join one that has none.
	if err := s.RegisterNode(ctx, Node{Name: "c", Bus: true}, live()); !errors.As(err, &in) || in.Node.Name != "solo" {
		t.Fatalf("a node with a bus beside one without: %v", err)
	}
}

// Two nodes starting at once beside nothing, neither with a bus: exactly one starts.
func TestStore_RegisterNodeRace(t *testing.T) {
	s := openTest(t, nil)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.RegisterNode(ctx, Node{Name: "n" + string(rune('a'+i))}, s.Now().Add(-15*time.Second))
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if !errors.Is(err, forum.ErrConflict) {
			t.Fatal(err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of %d nodes without a bus started together", ok, len(errs))
	}
}

func TestStore_TryLeadership(t *testing.T) {
	if !storetest.Postgres() {
		s := openTest(t, nil)
		l, err := s.TryLeadership(ctx)
		if err != nil || l == nil || l.Check(ctx) != nil {
			t.Fatalf("the one SQLite node leads: %v, %v", l, err)
		}
		return
	}
	db := storetest.Database(t)
	a, b := openTestAt(t, db, nil), openTestAt(t, db, nil)
	la, err := a.TryLeadership(ctx)
	if err != nil || la == nil {
		t.Fatalf("first try: %v, %v", la, err)
	}
	if err := la.Check(ctx); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Store{a, b} { // the lock is the cluster's, not the connection's
		if l, err := s.TryLeadership(ctx); err != nil || l != nil {
			t.Fatalf("second leader: %v, %v", l, err)
		}
	}
	la.Release()
	lb, err := b.TryLeadership(ctx)
	if err != nil || lb == nil {
		t.Fatalf("after release: %v, %v", lb, err)
	}
	// The leader's connection dies: its lock goes with it, and Check says so.
	if _, err := a.DB().ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = ?`, pgLeaderLock); err != nil {
		t.Fatal(err)
	}
	if err := lb.Check(ctx); err == nil {
		t.Fatal("Check after the connection died: no error")
	}
	lb.Release()
	la, err = a.TryLeadership(ctx)
	if err != nil || la == nil {
		t.Fatalf("after the leader's connection died: %v, %v", la, err)
	}
	la.Release()
}

// The rate limit count is shared by every store on the database, and a
// window starts afresh once the last one ended.
func TestStore_HitRateLimit(t *testing.T) {
	c := newClock()
	db := storetest.Database(t)
	a := openTestAt(t, db, c.now)
	b := a
	if storetest.Postgres() {
		b = openTestAt(t, db, c.now)
	}
	start := c.now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[int64]bool{1: true}
	if n, _, err := a.HitRateLimit(ctx, "post:7", start, time.Minute); n != 1 || err != nil {
		t.Fatalf("first hit: %d, %v", n, err)
	}
	for i := 1; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := a
			if i%2 == 1 {
				s = b
			}
			n, ends, err := s.HitRateLimit(ctx, "post:7", start.Add(time.Duration(i)*time.Second), time.Minute)
			if err != nil {
				t.Error(err)
				return
			}
			if !ends.Equal(start.Add(time.Minute)) {
				t.Errorf("window ends %v, want %v", ends, start.Add(time.Minute))
			}
			mu.Lock()
			seen[n] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	for n := int64(1); n <= 40; n++ {
		if !seen[n] {
			t.Fatalf("counts seen %v: %d missing (a lost or doubled hit)", seen, n)
		}
	}
	if err := b.UnhitRateLimit(ctx, "post:7"); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := a.HitRateLimit(ctx, "post:7", start.Add(59*time.Second), time.Minute); n != 40 {
		t.Fatalf("after one taken back: %d, want 40", n)
	}
	if n, ends, _ := a.HitRateLimit(ctx, "post:7", start.Add(61*time.Second), time.Minute); n != 1 || !ends.Equal(start.Add(121*time.Second)) {
		t.Fatalf("next window: %d ending %v, want 1 ending a minute on", n, ends)
	}
	if n, _, _ := a.HitRateLimit(ctx, "post:8", start, time.Minute); n != 1 {
		t.Fatalf("another key: %d, want 1", n)
	}
	c.advance(3 * time.Hour)
	if pruned, err := a.PruneClusterState(ctx, c.now().Add(-2*time.Hour)); err != nil || pruned != 2 {
		t.Fatalf("pruned %d, %v; want the 2 old windows", pruned, err)
	}
}
