package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/e-people/e-people/forum/store"
)

// Registry timing: a node beats every HeartbeatEvery and counts as live
// while its last beat is under LiveFor old.
const (
	HeartbeatEvery = 5 * time.Second
	LiveFor        = 15 * time.Second
)

// LeaderRetry is how often a node that does not lead tries to.
const LeaderRetry = time.Second

// Registration is this node's row in the registry, kept fresh by Run.
type Registration struct {
	st   *store.Store
	node store.Node
	log  *slog.Logger
}

// Register records node in st's registry, or refuses, naming the live node
// in its way and why (see store.RegisterNode).
func Register(ctx context.Context, st *store.Store, node store.Node, log *slog.Logger) (*Registration, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := st.RegisterNode(ctx, node, st.Now().Add(-LiveFor)); err != nil {
		var in *store.NodeInTheWay
		if errors.As(err, &in) {
			return nil, fmt.Errorf("refusing to start node %q: %w", node.Name, in)
		}
		return nil, fmt.Errorf("register node: %w", err)
	}
	return &Registration{st: st, node: node, log: log}, nil
}

// Run beats every HeartbeatEvery until ctx ends, then removes the node
// from the registry.
func (r *Registration) Run(ctx context.Context) {
	t := time.NewTicker(HeartbeatEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := r.st.RemoveNode(rctx, r.node.Name); err != nil {
				r.log.Warn("leave the node registry", "err", err)
			}
			return
		case <-t.C:
		}
		if err := r.st.HeartbeatNode(ctx, r.node); err != nil && ctx.Err() == nil {
			r.log.Warn("node heartbeat", "err", err)
		}
	}
}

// Elector runs the jobs that must run on one node at a time while this
// node holds the cluster's leadership (store.TryLeadership).
type Elector struct {
	st      *store.Store
	log     *slog.Logger
	leading atomic.Bool
	retry   time.Duration
}

// NewElector returns an Elector for st; log may be nil.
func NewElector(st *store.Store, log *slog.Logger) *Elector {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Elector{st: st, log: log, retry: LeaderRetry}
}

// Leading reports whether this node leads now.
func (e *Elector) Leading() bool { return e.leading.Load() }

// Run tries for leadership every LeaderRetry until ctx ends. While it
// leads it runs lead with a context that ends when leadership is lost (the
// lock's connection died) or ctx ends, and waits for lead to return before
// giving the lock up, so two leaders' jobs overlap only when a connection
// dies under a job still running (which is why jobs stay idempotent).
func (e *Elector) Run(ctx context.Context, lead func(ctx context.Context)) {
	t := time.NewTicker(e.retry)
	defer t.Stop()
	for {
		l, err := e.st.TryLeadership(ctx)
		if err != nil && ctx.Err() == nil {
			e.log.Warn("try leadership", "err", err)
		}
		if l != nil {
			e.hold(ctx, l, lead, t.C)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// hold runs lead while l stays held, checking it on every tick.
func (e *Elector) hold(ctx context.Context, l *store.Leadership, lead func(context.Context), tick <-chan time.Time) {
	e.leading.Store(true)
	e.log.Info("became leader")
	lctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		lead(lctx)
	}()
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-tick:
			if err := l.Check(ctx); err != nil {
				if ctx.Err() == nil {
					e.log.Warn("lost leadership", "err", err)
				}
				break loop
			}
		}
	}
	cancel()
	<-done
	l.Release()
	e.leading.Store(false)
	if ctx.Err() != nil {
		e.log.Info("gave up leadership: shutting down")
	}
}

// PruneEvery is how often the leader's retention job deletes what the
// cluster no longer needs: rate limit windows and registry rows older than
// PruneAfter.
const (
	PruneEvery = time.Minute
	PruneAfter = 2 * time.Hour // longer than any rate limit's window (an hour)
)

// Retain runs the cluster's retention job every PruneEvery until ctx
// ends; only the leader runs it, and running it twice does no harm.
func Retain(ctx context.Context, st *store.Store, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(PruneEvery)
	defer t.Stop()
	for {
		if n, err := st.PruneClusterState(ctx, st.Now().Add(-PruneAfter)); err != nil && ctx.Err() == nil {
			log.Warn("retention: prune cluster state", "err", err)
		} else if n > 0 {
			log.Info("retention: pruned cluster state", "rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
