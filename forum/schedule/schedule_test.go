package schedule

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/forum/store/storetest"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// debateHost creates a ministry and an administrator to host its debates.
func debateHost(t *testing.T, st *store.Store) (forum.Ministry, *forum.User) {
	t.Helper()
	ctx := context.Background()
	m, err := st.CreateMinistry(ctx, forum.Ministry{Slug: "me", NameKO: "환경부", NameEN: "Ministry of Environment"})
	if err != nil {
		t.Fatal(err)
	}
	host, err := st.CreateUser(ctx, forum.User{Role: forum.RoleAdmin, Name: "관리자", Email: "a@example.org"}, "x")
	if err != nil {
		t.Fatal(err)
	}
	return m, host
}

func openStore(t *testing.T, path string, c *clock) *store.Store {
	st, err := store.Open(context.Background(), path, storetest.Schema(t), store.Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestScheduler_ClosesOnTimeAndAfterRestart drives the scheduler with an
// injected clock: it sleeps until the next due time, closes the debate then,
// and a new scheduler on the reopened database catches up on what it missed.
func TestScheduler_ClosesOnTimeAndAfterRestart(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	path := filepath.Join(t.TempDir(), "s.db")
	st := openStore(t, path, c)
	m, host := debateHost(t, st)
	mk := func(q string, opens, closes time.Duration) *forum.Debate {
		d, err := st.CreateDebate(ctx, store.NewDebate{HostID: host.ID, Input: forum.DebateInput{Question: q,
			OpensAt: c.now().Add(opens), ClosesAt: c.now().Add(closes), MinistryID: m.ID}})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	a := mk("한 시간 토론", 0, time.Hour)
	b := mk("내일 토론", 24*time.Hour, 26*time.Hour)
	s := New(st, c.now, nil)
	s.MaxSleep = 24 * time.Hour
	sleep, err := s.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sleep < time.Hour || sleep > time.Hour+time.Second {
		t.Fatalf("sleeps %v, want just over the hour until the close", sleep)
	}
	c.add(sleep)
	if _, err := s.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if d, _ := st.Debate(ctx, a.ID); d.Status != forum.DebateClosed {
		t.Fatalf("after its close time: %s", d.Status)
	}
	if d, _ := st.Debate(ctx, b.ID); d.Status != forum.DebateUpcoming {
		t.Fatalf("tomorrow's debate: %s", d.Status)
	}
	st.Close()

	// Down for three days: the next start catches up.
	c.add(72 * time.Hour)
	st = openStore(t, path, c)
	defer st.Close()
	if d, _ := st.Debate(ctx, b.ID); d.Status != forum.DebateUpcoming {
		t.Fatalf("before catching up: %s", d.Status)
	}
	s = New(st, c.now, nil)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { s.Run(runCtx); close(done) }()
	// Run checks at once on start; wait for it to have done so by polling the result, bounded.
	for i := 0; i < 500; i++ {
		if d, _ := st.Debate(ctx, b.ID); d.Status == forum.DebateClosed {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if d, _ := st.Debate(ctx, b.ID); d.Status != forum.DebateClosed {
		t.Fatalf("after restart: %s, want closed", d.Status)
	}
	var types []string
	evs, _ := st.EventsAfter(ctx, []string{forum.DebateTopic(b.ID)}, false, 0, 10)
	for _, e := range evs {
		types = append(types, e.Type)
	}
	if len(types) != 2 || types[0] != forum.EventDebateOpened || types[1] != forum.EventDebateClosed {
		t.Fatalf("events %v, want opened then closed exactly once", types)
	}
}
