package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/cluster"
	"github.com/e-people/e-people/forum/live"
	"github.com/e-people/e-people/forum/mail"
	"github.com/e-people/e-people/forum/schedule"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/forum/web"
)

// nodeName is -node, or this host's name and -addr's port.
func nodeName(cfg config) string {
	if cfg.node != "" {
		return cfg.node
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	_, port, err := net.SplitHostPort(cfg.addr)
	if err != nil {
		port = cfg.addr
	}
	return host + ":" + port
}

// register enters this node in the cluster's registry, or refuses to
// start it beside a live node it could not hear (see cluster.Register).
// A SQLite file serves one node: there is nothing to register.
func register(ctx context.Context, cfg config, st *store.Store, log *slog.Logger) (*cluster.Registration, error) {
	if !st.Postgres() {
		if cfg.bus != "" {
			return nil, errors.New("-bus connects nodes that share a PostgreSQL database: use -db postgres://… with it, or no -bus with a SQLite file")
		}
		return nil, nil
	}
	reg, err := cluster.Register(ctx, st, store.Node{Name: nodeName(cfg), Address: cfg.addr, Bus: cfg.bus != ""}, log)
	if err != nil {
		return nil, err
	}
	log.Info("registered in the cluster", "node", nodeName(cfg), "bus", cfg.bus != "")
	return reg, nil
}

// joinCluster has st's committed events reach deliver, this node's local
// sinks, and, with -bus, the other nodes (see cluster.StartEvents); the
// node's live sockets hear of the bus's loss and return. The returned stop
// leaves the bus.
func joinCluster(ctx context.Context, cfg config, st *store.Store, hub *live.Hub, deliver func([]forum.Event), log *slog.Logger) (stop func(), err error) {
	events, err := cluster.StartEvents(ctx, st, cfg.bus, deliver, cluster.BusOptions{Name: nodeName(cfg), Log: log, Status: func(up bool) {
		if up {
			hub.SetStatus(live.StatusLive)
		} else {
			hub.SetStatus(live.StatusReconnecting)
		}
	}})
	if err != nil {
		return nil, err
	}
	if cfg.bus != "" {
		log.Info("connected to the bus", "url", cfg.bus)
	}
	return events.Close, nil
}

// lead runs, on the leader only, the jobs that must run once in the
// cluster: the deadline scheduler, the mailer and the retention job. It
// returns when they all have, after ctx ends.
func lead(ctx context.Context, sched *schedule.Scheduler, sender *mail.SMTP, st *store.Store, srv *web.Server, log *slog.Logger) {
	stopMail := startMailer(ctx, sender, st, srv, log)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); sched.Run(ctx) }()
	go func() { defer wg.Done(); cluster.Retain(ctx, st, log) }()
	wg.Wait()
	stopMail()
}

// clusterScheduleCheck is how often the leader's scheduler looks at the
// schedule at the least on PostgreSQL: a debate created on another node
// pokes that node's scheduler, not the leader's.
const clusterScheduleCheck = 5 * time.Second
