// Package cluster runs several e-people web nodes as one forum: they share
// a PostgreSQL database and hear each other's events over NATS.
//
// What an operator and the cluster test need to know:
//
//   - Flags (package main): -db postgres://… (EPEOPLE_DB) selects PostgreSQL;
//     -bus nats://host:4222[,nats://…] (EPEOPLE_BUS) connects the nodes;
//     -node NAME (EPEOPLE_NODE; default HOSTNAME:PORT of -addr) names the node.
//   - Registry: each node registers in the table nodes at start, beats every
//     5 s (HeartbeatEvery) and leaves at clean shutdown; a node is live while
//     its heartbeat is under 15 s old (LiveFor). Start-up is refused, with
//     the node in the way named, when a live node has the same name, or when
//     this node or a live one has no bus ("start every node with -bus
//     nats://…"). A SIGKILLed node blocks its name for up to 15 s.
//   - Events: every committed event is published on NATS subject
//     epeople.events.FAMILY (FAMILY is the topic's kind: proposal, debate,
//     user, …; Subject) as the JSON of forum.Event, and every node
//     subscribes to epeople.events.>. A node's Sequencer delivers each event
//     to its local sinks (cache invalidation, live hub, suspension of
//     sockets) exactly once, in id order, filling gaps from the events
//     table; every 2 s (CatchUpEvery) it also catches up from the table, so
//     an event whose publish was lost arrives within seconds anyway.
//   - Bus loss: the node keeps serving; its live sockets get the message
//     {"id":0,"topic":"","type":"status","data":{"state":"reconnecting"}}, and, once
//     the bus is back and the node has caught up from the table,
//     {"id":0,"topic":"","type":"status","data":{"state":"live"}}. Logs: "bus
//     disconnected", "bus reconnected".
//   - Leader: the deadline scheduler, the mailer and the retention job run
//     on one node, the holder of a PostgreSQL session advisory lock taken on
//     a connection of its own (tried every second, LeaderRetry). Logs:
//     "became leader", "lost leadership". When the leader dies its
//     connection closes and another node leads within about a second or two.
//     On SQLite the one node leads.
//   - Rate limits: on PostgreSQL every per-window limit of the web server is
//     counted in the table rate_limits, so the limit holds across nodes.
package cluster

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/e-people/e-people/forum"
)

// CatchUpEvery is how often a Sequencer looks in the events table for
// events it heard of by no other way.
const CatchUpEvery = 2 * time.Second

// gapPage is how many missing events one read fetches.
const gapPage = 1000

// EventSource is where a Sequencer reads the events it missed; *store.Store is one.
type EventSource interface {
	// EventsBetween returns up to limit events with after < id < before, in id order.
	EventsBetween(ctx context.Context, after, before int64, limit int) ([]forum.Event, error)
	// LastEventID returns the newest event's id, or 0.
	LastEventID(ctx context.Context) (int64, error)
}

// Sequencer delivers events to a node's local sinks exactly once each, in
// id order, whether they come from this node's commits, which finish
// concurrently, or from other nodes over the bus. Event ids are handed out
// in commit order (the store numbers them under a lock), so when event N
// is known committed, every smaller id is committed or never will be: a
// Sequencer that is handed N after M < N-1 reads the ids between from the
// events table and delivers them first. Ids at or below the last one
// delivered are dropped as duplicates.
type Sequencer struct {
	src     EventSource
	deliver func([]forum.Event)
	log     *slog.Logger

	mu   sync.Mutex
	last int64 // the newest id delivered
}

// NewSequencer returns a Sequencer that hands events to deliver, starting
// after the newest event stored now. deliver is called under the
// Sequencer's lock, with events in id order, and must not block for long.
func NewSequencer(ctx context.Context, src EventSource, deliver func([]forum.Event), log *slog.Logger) (*Sequencer, error) {
	last, err := src.LastEventID(ctx)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Sequencer{src: src, deliver: deliver, log: log, last: last}, nil
}

// Last returns the id of the newest event delivered.
func (q *Sequencer) Last() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.last
}

// Offer hands q committed events, from a local commit or the bus, in any
// order. When the events between the last delivered and these cannot be
// read, Offer delivers nothing beyond the last, and the next catch-up does.
func (q *Sequencer) Offer(ctx context.Context, evs []forum.Event) {
	if len(evs) == 0 {
		return
	}
	if !slices.IsSortedFunc(evs, byID) {
		evs = slices.SortedFunc(slices.Values(evs), byID)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []forum.Event
	last := q.last
	for _, ev := range evs {
		if ev.ID <= last {
			continue
		}
		if ev.ID > last+1 {
			missing, err := q.read(ctx, last, ev.ID)
			if err != nil {
				q.log.Warn("sequencer: cannot read missed events; the next catch-up will", "after", last, "before", ev.ID, "err", err)
				break
			}
			out = append(out, missing...)
		}
		out = append(out, ev)
		last = ev.ID
	}
	q.flush(out)
}

// CatchUp delivers every stored event newer than the last delivered.
func (q *Sequencer) CatchUp(ctx context.Context) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	missing, err := q.read(ctx, q.last, 1<<62)
	q.flush(missing)
	return err
}

// RunCatchUp calls CatchUp every CatchUpEvery until ctx ends.
func (q *Sequencer) RunCatchUp(ctx context.Context) {
	t := time.NewTicker(CatchUpEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := q.CatchUp(ctx); err != nil && ctx.Err() == nil {
			q.log.Warn("sequencer: catch up from the events table", "err", err)
		}
	}
}

// read returns the stored events with after < id < before, every page of
// them; on an error, those read so far.
func (q *Sequencer) read(ctx context.Context, after, before int64) ([]forum.Event, error) {
	var out []forum.Event
	for {
		page, err := q.src.EventsBetween(ctx, after, before, gapPage)
		if err != nil {
			return out, err
		}
		out = append(out, page...)
		if len(page) < gapPage {
			return out, nil
		}
		after = page[len(page)-1].ID
	}
}

// flush delivers out and moves last past it. The caller holds mu.
func (q *Sequencer) flush(out []forum.Event) {
	if len(out) == 0 {
		return
	}
	q.last = out[len(out)-1].ID
	q.deliver(out)
}

func byID(a, b forum.Event) int { return cmp.Compare(a.ID, b.ID) }
