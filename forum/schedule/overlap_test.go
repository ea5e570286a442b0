package schedule

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/forum/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestScheduler_OverlappingRunsCloseOnce runs two schedulers, on two
// stores of one database as two nodes would (a leader that lost its lock
// mid-run, and the next), at once, many times over a due close: the
// debate closes once, with one event.
func TestScheduler_OverlappingRunsCloseOnce(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	db := storetest.Database(t)
	a, b := openStore(t, db, c), openStore(t, db, c)
	defer a.Close()
	defer b.Close()
	m, host := debateHost(t, a)
	var ids []int64
	for _, q := range []string{"첫 토론", "둘째 토론", "셋째 토론"} {
		d, err := a.CreateDebate(ctx, store.NewDebate{HostID: host.ID, Input: forum.DebateInput{Question: q,
			OpensAt: c.now(), ClosesAt: c.now().Add(time.Hour), MinistryID: m.ID}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	c.add(time.Hour)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := a
			if i%2 == 1 {
				st = b
			}
			if _, err := New(st, c.now, nil).RunOnce(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for _, id := range ids {
		evs, err := b.EventsAfter(ctx, []string{forum.DebateTopic(id)}, false, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		closed, opened := 0, 0
		for _, ev := range evs {
			switch ev.Type {
			case forum.EventDebateClosed:
				closed++
			case forum.EventDebateOpened:
				opened++
			}
		}
		if d, _ := a.Debate(ctx, id); d.Status != forum.DebateClosed || closed != 1 || opened != 1 {
			t.Errorf("debate %d: %s, opened %d times, closed %d times; want closed once", id, d.Status, opened, closed)
		}
	}
}
