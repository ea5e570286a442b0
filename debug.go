package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/e-people/e-people/forum/live"
	"github.com/e-people/e-people/forum/metrics"
	"github.com/e-people/e-people/forum/schedule"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/forum/web"
)

// serveDebug serves the operators' endpoints on their own listener, apart
// from the forum's: the metrics m at /metrics and Go's profiler under
// /debug/pprof/. They are for the operators' network only, so the flag that
// sets the address says so. stop closes the listener.
func serveDebug(addr string, m *metrics.Metrics, log *slog.Logger) (stop func(), err error) {
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("-debug-addr: %w", err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("debug listener stopped", "err", err)
		}
	}()
	log.Info("operators' endpoints", "addr", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// newMetrics reads the forum's numbers for /metrics: the live sockets and
// hub, the thread cache (threads, once the web server exists), the outbox
// and the scheduler. The caller feeds it requests and commits.
func newMetrics(st *store.Store, hub *live.Hub, sockets *live.Sockets, sched *schedule.Scheduler, leading func() bool, threads func() web.ThreadCacheStats) *metrics.Metrics {
	return metrics.New(metrics.Sources{
		LiveSockets: sockets.Open,
		LiveHub:     hub.Stats,
		ThreadCache: func() metrics.ThreadCache {
			t := threads()
			return metrics.ThreadCache{ThreadHits: t.ThreadHits, ThreadMisses: t.ThreadReads,
				FragmentHits: t.FragmentHits, FragmentMisses: t.FragmentDrawn, PageHits: t.PageHits, PageMisses: t.PageDrawn}
		},
		OutboxDepth:  st.OutboxDepth,
		SchedulerLag: sched.Lag,
		Leading:      leading,
	})
}
