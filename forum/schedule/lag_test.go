package schedule

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
)

// TestScheduler_Lag reports how long after its due time a debate's close was
// applied, by the scheduler's clock, and nothing before a due time passed.
func TestScheduler_Lag(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	st := openStore(t, filepath.Join(t.TempDir(), "s.db"), c)
	defer st.Close()
	m, host := debateHost(t, st)
	if _, err := st.CreateDebate(ctx, store.NewDebate{HostID: host.ID, Input: forum.DebateInput{Question: "한 시간 토론",
		OpensAt: c.now(), ClosesAt: c.now().Add(time.Hour), MinistryID: m.ID}}); err != nil {
		t.Fatal(err)
	}
	s := New(st, c.now, nil)
	s.MaxSleep = 24 * time.Hour
	if _, err := s.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	c.add(30 * time.Minute) // woken early (a poke): nothing was due yet
	if _, err := s.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := s.Lag(); got != 0 {
		t.Fatalf("lag before the due time = %s, want 0", got)
	}
	c.add(30*time.Minute + 3*time.Second)
	if _, err := s.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := s.Lag(); got != 3*time.Second {
		t.Fatalf("lag = %s, want 3s (the close ran 3 s after it was due)", got)
	}
}
