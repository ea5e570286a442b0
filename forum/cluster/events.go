package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
)

// Events carries a node's committed events to its local sinks and, with a
// bus, to and from the other nodes. Start it with StartEvents.
type Events struct {
	seq    *Sequencer // nil on SQLite
	bus    *Bus       // nil without a bus
	cancel context.CancelFunc
	done   chan struct{}
}

// StartEvents has st's committed events reach deliver, this node's local
// sinks (cache invalidation, live hub, …), exactly once each and in id
// order, and with busURL (may be empty) those of every other node too.
// On SQLite the single writer commits in id order and there is no other
// node: events go straight to deliver, as they always did, and busURL must
// be empty. On PostgreSQL commits finish concurrently and other nodes'
// events come by the bus, so a Sequencer orders them, and catches up from
// the events table every CatchUpEvery. opt.Status hears of the bus's loss
// and return.
func StartEvents(ctx context.Context, st *store.Store, busURL string, deliver func([]forum.Event), opt BusOptions) (*Events, error) {
	if !st.Postgres() {
		if busURL != "" {
			return nil, fmt.Errorf("start events: a bus connects nodes that share a PostgreSQL database, not a SQLite file")
		}
		st.SetNotify(deliver)
		return &Events{}, nil
	}
	seq, err := NewSequencer(ctx, st, deliver, opt.Log)
	if err != nil {
		return nil, fmt.Errorf("start events: %w", err)
	}
	e := &Events{seq: seq, done: make(chan struct{})}
	if busURL != "" {
		if e.bus, err = Connect(busURL, seq, opt); err != nil {
			return nil, fmt.Errorf("start events: %w", err)
		}
	}
	ctx, e.cancel = context.WithCancel(ctx)
	st.SetNotify(func(events []forum.Event) { // after every commit
		seq.Offer(ctx, events) // local sinks first: they do not wait for the bus
		if e.bus != nil {
			e.bus.Publish(events)
		}
	})
	go func() {
		defer close(e.done)
		seq.RunCatchUp(ctx)
	}()
	go reloadSettings(ctx, st, opt.Log)
	return e, nil
}

// reloadSettings reads the forum's settings again every CatchUpEvery until
// ctx ends: the copy each node keeps (store.Settings) would otherwise miss
// an administrator's change made on another node.
func reloadSettings(ctx context.Context, st *store.Store, log *slog.Logger) {
	t := time.NewTicker(CatchUpEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := st.ReloadSettings(ctx); err != nil && ctx.Err() == nil && log != nil {
			log.Warn("reload settings", "err", err)
		}
	}
}

// Sequencer returns the Sequencer, nil on SQLite.
func (e *Events) Sequencer() *Sequencer { return e.seq }

// Bus returns the bus, nil without one.
func (e *Events) Bus() *Bus { return e.bus }

// Close stops catching up and leaves the bus.
func (e *Events) Close() {
	if e.cancel == nil {
		return
	}
	e.cancel()
	<-e.done
	if e.bus != nil {
		e.bus.Close()
	}
}
