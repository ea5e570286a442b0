package store

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/e-people/e-people/forum/store/storetest"
)

// TestStore_CommitObserver hears of every committed transaction, with as
// many writes as the store counted and a duration that covers the commit.
func TestStore_CommitObserver(t *testing.T) {
	s := openTest(t, nil)
	var mu sync.Mutex
	var batches []int
	var took []time.Duration
	s.SetCommitObserver(func(batch int, d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		batches, took = append(batches, batch), append(took, d)
	})
	before := s.WriteStats()
	var wg sync.WaitGroup
	for _, key := range []string{"a", "b", "c", "d", "e", "f"} {
		wg.Go(func() {
			if err := s.SetSetting(ctx, key, "v"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	after := s.WriteStats()
	mu.Lock()
	defer mu.Unlock()
	if int64(len(batches)) != after.Transactions-before.Transactions {
		t.Errorf("observed %d transactions, the store counted %d", len(batches), after.Transactions-before.Transactions)
	}
	sum := 0
	for i, b := range batches {
		sum += b
		if b < 1 || took[i] <= 0 {
			t.Errorf("observation %d: batch %d took %s", i, b, took[i])
		}
	}
	if int64(sum) != after.Writes-before.Writes || sum != 6 {
		t.Errorf("observed %d writes in %v, the store counted %d, want 6", sum, batches, after.Writes-before.Writes)
	}
}

// TestStore_OutboxDepth counts the mails still to be sent, sent and given-up
// ones not, through the outbox_unsent index.
func TestStore_OutboxDepth(t *testing.T) {
	w := newWorld(t)
	depth := func(want int) {
		t.Helper()
		if got, err := w.s.OutboxDepth(ctx); err != nil || got != want {
			t.Fatalf("OutboxDepth = %d, %v; want %d", got, err, want)
		}
	}
	depth(0)
	sent := queueMail(t, w.s, "sent@example.kr")
	failing := queueMail(t, w.s, "failing@example.kr")
	queueMail(t, w.s, "waiting@example.kr")
	depth(3)
	if err := w.s.MarkMailSent(ctx, sent); err != nil {
		t.Fatal(err)
	}
	depth(2)
	if err := w.s.MarkMailFailed(ctx, failing, "421 later"); err != nil {
		t.Fatal(err)
	}
	depth(2) // waiting for its retry: still to be sent
	for range MaxMailAttempts - 1 {
		if err := w.s.MarkMailFailed(ctx, failing, "550 no such user"); err != nil {
			t.Fatal(err)
		}
	}
	depth(1) // given up on
	if storetest.Postgres() {
		pgUsesIndexes(t, "the outbox depth", pgPlan(t, w.s, outboxDepthSQL, MaxMailAttempts), "outbox_unsent")
		return
	}
	plan := strings.Join(queryPlan(t, w.s, outboxDepthSQL, MaxMailAttempts), "\n")
	if !strings.Contains(plan, "outbox_unsent") {
		t.Errorf("the count does not use outbox_unsent:\n%s", plan)
	}
}
