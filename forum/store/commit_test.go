package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store/storetest"
)

// settingEvent is the event of a settingWrite.
type settingEvent struct {
	Key string `json:"key"`
}

func (settingEvent) EventType() string { return "test.setting" }

// settingWrite is a write that stores one setting and its event, then returns then.
func settingWrite(key string, then error) func(*tx) error {
	return func(t *tx) error {
		if _, err := t.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, 'v')`, key); err != nil {
			return err
		}
		if err := t.event(ctx, "ministry:1", settingEvent{Key: key}); err != nil {
			return err
		}
		return then
	}
}

func hasSetting(t *testing.T, s *Store, key string) bool {
	t.Helper()
	var n int
	if err := s.r.QueryRow(`SELECT count(*) FROM settings WHERE key = ?`, key).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// TestGroupCommit_OneBadWriteFailsAlone runs one batch in which a write
// fails after changing a row, another panics, and one breaks a constraint:
// each gets its own error, their rows and events are gone, and the writes
// around them commit and publish.
func TestGroupCommit_OneBadWriteFailsAlone(t *testing.T) {
	if storetest.Postgres() {
		t.Skip("runs a batch through SQLite's group committer, which PostgreSQL does not use")
	}
	s := openTest(t, nil)
	var published []string
	s.SetNotify(func(evs []forum.Event) {
		for _, e := range evs {
			published = append(published, e.Type+":"+string(e.Data))
		}
	})
	refused := errors.New("refused by a rule")
	fns := []func(*tx) error{
		settingWrite("a", nil),
		settingWrite("b", refused),
		func(t *tx) error { _ = settingWrite("c", nil)(t); panic("bad write") },
		settingWrite("a", nil), // duplicate key: a constraint error
		settingWrite("d", nil),
	}
	batch := make([]*pending, len(fns))
	for i, fn := range fns {
		batch[i] = &pending{ctx: ctx, fn: fn, deadline: time.Now().Add(time.Minute), done: make(chan error, 1)}
	}
	before := s.WriteStats()
	s.commit.runBatch(batch)
	errs := make([]error, len(batch))
	for i, p := range batch {
		errs[i] = <-p.done
	}
	if errs[0] != nil || errs[4] != nil {
		t.Errorf("good writes failed: %v, %v", errs[0], errs[4])
	}
	if !errors.Is(errs[1], refused) {
		t.Errorf("refused write: %v", errs[1])
	}
	if errs[2] == nil || !strings.Contains(errs[2].Error(), "panicked") {
		t.Errorf("panicking write: %v", errs[2])
	}
	if errs[3] == nil || !strings.Contains(errs[3].Error(), "UNIQUE constraint") {
		t.Errorf("duplicate write: %v", errs[3])
	}
	for key, want := range map[string]bool{"a": true, "b": false, "c": false, "d": true} {
		if got := hasSetting(t, s, key); got != want {
			t.Errorf("setting %q stored = %v, want %v", key, got, want)
		}
	}
	want := []string{`test.setting:{"key":"a"}`, `test.setting:{"key":"d"}`}
	if fmt.Sprint(published) != fmt.Sprint(want) {
		t.Errorf("published %v, want %v", published, want)
	}
	var stored int
	if err := s.r.QueryRow(`SELECT count(*) FROM events WHERE type = 'test.setting'`).Scan(&stored); err != nil || stored != 2 {
		t.Errorf("stored events = %d, %v; want 2", stored, err)
	}
	if got := s.WriteStats(); got.Transactions != before.Transactions+1 || got.Writes != before.Writes+5 {
		t.Errorf("stats %+v after %+v, want one more transaction with 5 writes", got, before)
	}
	// The committer goes on after a panic.
	if err := s.SetSetting(ctx, "after", "v"); err != nil {
		t.Errorf("write after the batch: %v", err)
	}
}

// TestGroupCommit_CancelledBeforeItsTurn never runs a write whose caller
// gave up while the writer was busy.
func TestGroupCommit_CancelledBeforeItsTurn(t *testing.T) {
	if storetest.Postgres() {
		t.Skip("waits behind SQLite's single writer; PostgreSQL writes run side by side")
	}
	s := openTest(t, nil)
	hold, started := make(chan struct{}), make(chan struct{})
	firstDone := make(chan error, 1)
	go func() {
		firstDone <- s.write(ctx, func(t *tx) error {
			close(started)
			<-hold
			return settingWrite("first", nil)(t)
		})
	}()
	<-started
	cctx, cancel := context.WithCancel(ctx)
	ran := false
	secondDone := make(chan error, 1)
	go func() {
		secondDone <- s.write(cctx, func(t *tx) error { ran = true; return settingWrite("second", nil)(t) })
	}()
	cancel()
	if err := <-secondDone; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled write: %v, want context.Canceled", err)
	}
	close(hold)
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	if ran || hasSetting(t, s, "second") {
		t.Error("a write cancelled before its turn ran")
	}
	if !hasSetting(t, s, "first") {
		t.Error("the first write was lost")
	}
}

// TestGroupCommit_ExpiredWaitingForTheLock: a write whose caller's deadline
// passes while its batch waits for the write lock (held by another
// connection) is answered with the deadline error at once, and does not run
// when the lock comes free: no write is applied behind its caller's back.
func TestGroupCommit_ExpiredWaitingForTheLock(t *testing.T) {
	if storetest.Postgres() {
		t.Skip("holds SQLite's write lock from another connection")
	}
	path := filepath.Join(t.TempDir(), "forum.db")
	s := openTestAt(t, path, nil)
	release := storetest.HoldWriteLock(t, path)
	before := s.WriteStats()
	dctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	var ran atomic.Bool
	err := s.write(dctx, func(t *tx) error { ran.Store(true); return settingWrite("late", nil)(t) })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("write past its deadline: %v, want context.DeadlineExceeded", err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	// The next write follows the batch that held the expired one.
	if err := s.SetSetting(ctx, "after", "v"); err != nil {
		t.Fatal(err)
	}
	if ran.Load() || hasSetting(t, s, "late") {
		t.Error("a write whose caller was told it expired ran once the lock came free")
	}
	// The batch of the expired write had nothing left to commit.
	if got := s.WriteStats(); got.Transactions != before.Transactions+1 || got.Writes != before.Writes+1 {
		t.Errorf("write stats went from %+v to %+v; want one transaction and one write more (the later write's)", before, got)
	}
}

// TestGroupCommit_ContentionAnswersEveryWriter holds the write lock from
// another connection for longer than the busy timeout while writers keep
// arriving: each one hears ErrUnavailable within the busy timeout of its
// own arrival (not after the writers queued before it), and writes succeed
// again as soon as the lock is released.
func TestGroupCommit_ContentionAnswersEveryWriter(t *testing.T) {
	if storetest.Postgres() {
		t.Skip("holds SQLite's write lock from another connection")
	}
	if testing.Short() {
		t.Skip("holds a lock for 8 s")
	}
	path := filepath.Join(t.TempDir(), "forum.db")
	s := openTestAt(t, path, nil)
	release := storetest.HoldWriteLock(t, path)
	const writers = 12
	type result struct {
		err  error
		wait time.Duration
	}
	results := make([]result, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * 250 * time.Millisecond) // arrivals over 3 s
			start := time.Now()
			err := s.SetSetting(ctx, fmt.Sprintf("k%d", i), "v")
			results[i] = result{err, time.Since(start)}
		}()
	}
	wg.Wait()
	for i, r := range results {
		if !errors.Is(r.err, forum.ErrUnavailable) {
			t.Errorf("writer %d: %v, want ErrUnavailable", i, r.err)
		}
		// The bound the store promises: the busy timeout, plus scheduling slack.
		if r.wait > writeWait+time.Second {
			t.Errorf("writer %d waited %v, longer than the %v busy timeout", i, r.wait, writeWait)
		}
		t.Logf("writer %d answered after %v", i, r.wait.Round(time.Millisecond))
	}
	if _, err := s.Ministries(ctx); err != nil {
		t.Errorf("read while locked: %v", err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, "k", "v"); err != nil {
		t.Errorf("write after the lock was released: %v", err)
	}
}

// TestGroupCommit_ClosedStoreRefusesWrites answers writes after Close
// instead of hanging.
func TestGroupCommit_ClosedStoreRefusesWrites(t *testing.T) {
	s, err := Open(ctx, filepath.Join(t.TempDir(), "forum.db"), readSchema(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, "before", "v"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, "after", "v"); !errors.Is(err, forum.ErrUnavailable) {
		t.Errorf("write after Close: %v, want ErrUnavailable", err)
	}
}
