// Command epeople runs e-people, a public participation and policy debate forum.
//
//	epeople [serve] [flags]               serve the forum (the default)
//	epeople admin create|ministry|reset-2fa [flags]
//	                                      create accounts and ministries, reset a second factor
//	epeople backup [-db FILE] PATH        write a consistent copy of the live database
//	epeople bench [flags]                 measure the forum under load (see forum/bench)
//	epeople migrate -from FILE -to URL    copy an SQLite forum into PostgreSQL, and verify it
//	epeople version                       print the version, VCS revision and Go version
//	epeople help [COMMAND]                list the commands, or a command's flags
package main

import (
	"context"
	_ "embed"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/e-people/e-people/assets"
	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/cluster"
	"github.com/e-people/e-people/forum/identity"
	"github.com/e-people/e-people/forum/live"
	"github.com/e-people/e-people/forum/metrics"
	"github.com/e-people/e-people/forum/schedule"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/forum/web"
	"github.com/e-people/e-people/moderation"
	"github.com/e-people/e-people/views"
)

//go:embed schema.sql
var schemaSQL string

// config is everything the operator sets, from flags with EPEOPLE_* fallbacks.
type config struct {
	addr, db, baseURL, denylist, disposable, smtpURL string
	bus, node                                        string
	debugAddr                                        string
	logFormat, logLevel                              string
	trustedProxies                                   string
	demo                                             bool
	identityTest                                     bool
	livePerIP, postPerMinute                         int
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

// dbFlag is the -db flag, which every command on a forum's database takes.
func (c *config) dbFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.db, "db", env("EPEOPLE_DB", "./data/epeople.db"), "SQLite database file, or a PostgreSQL URL postgres://user:pass@host:5432/dbname, which several nodes may share (EPEOPLE_DB)")
}

// denylistFlag is the -password-denylist flag, of serve and admin create.
func (c *config) denylistFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.denylist, "password-denylist", env("EPEOPLE_PASSWORD_DENYLIST", ""), "file of common passwords to refuse, one per line (EPEOPLE_PASSWORD_DENYLIST)")
}

// flags are serve's flags.
func (c *config) flags(fs *flag.FlagSet) {
	c.dbFlag(fs)
	c.denylistFlag(fs)
	fs.StringVar(&c.bus, "bus", env("EPEOPLE_BUS", ""), "NATS server(s) that carry live events between nodes sharing a PostgreSQL database, nats://host:4222[,nats://…]; every node of a cluster needs it (EPEOPLE_BUS)")
	fs.StringVar(&c.node, "node", env("EPEOPLE_NODE", ""), "this node's name in the cluster's registry, unique among live nodes; HOSTNAME:PORT of -addr when empty (EPEOPLE_NODE)")
	fs.StringVar(&c.addr, "addr", env("EPEOPLE_ADDR", "127.0.0.1:8080"), "listen address (EPEOPLE_ADDR)")
	fs.StringVar(&c.baseURL, "base-url", env("EPEOPLE_BASE_URL", ""), "public URL; http://ADDR when empty (EPEOPLE_BASE_URL)")
	fs.StringVar(&c.disposable, "disposable-domains", env("EPEOPLE_DISPOSABLE_DOMAINS", ""), "file of throw-away e-mail domains whose accounts are held for review (EPEOPLE_DISPOSABLE_DOMAINS)")
	perIP, _ := strconv.Atoi(env("EPEOPLE_LIVE_PER_IP", "64"))
	fs.IntVar(&c.livePerIP, "live-per-ip", perIP, "live sockets one IP address may hold (EPEOPLE_LIVE_PER_IP)")
	perMinute, _ := strconv.Atoi(env("EPEOPLE_POST_PER_MINUTE", "120"))
	fs.IntVar(&c.postPerMinute, "post-per-minute", perMinute, "state-changing requests one signed-in citizen, or one IP address without a session, may send a minute (EPEOPLE_POST_PER_MINUTE)")
	fs.StringVar(&c.trustedProxies, "trusted-proxies", env("EPEOPLE_TRUSTED_PROXIES", ""), "comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For names the client (EPEOPLE_TRUSTED_PROXIES)")
	fs.StringVar(&c.smtpURL, "smtp-url", env("EPEOPLE_SMTP_URL", ""), "mail server: smtp://user:pass@host:port?from=noreply@example.kr, or smtps:// for TLS from the start; none keeps mail in the outbox for admins (EPEOPLE_SMTP_URL: keeps the password out of ps)")
	fs.StringVar(&c.debugAddr, "debug-addr", env("EPEOPLE_DEBUG_ADDR", ""), "listen address of the operators' endpoints, /metrics (Prometheus) and Go's /debug/pprof/: a loopback or private address, never the public one; none when empty (EPEOPLE_DEBUG_ADDR)")
	fs.StringVar(&c.logFormat, "log-format", env("EPEOPLE_LOG_FORMAT", "text"), "log format on stderr: text or json (EPEOPLE_LOG_FORMAT)")
	fs.StringVar(&c.logLevel, "log-level", env("EPEOPLE_LOG_LEVEL", "info"), "least level logged: debug, info (with the access log, a line per request), warn or error (EPEOPLE_LOG_LEVEL)")
	fs.BoolVar(&c.demo, "demo", env("EPEOPLE_DEMO", "") == "1", "fill an empty database with demo data (EPEOPLE_DEMO=1)")
	fs.BoolVar(&c.identityTest, "identity-test", env("EPEOPLE_IDENTITY_TEST", "") == "1", "offer the test identity provider, which accepts anyone as anyone: tests and demos only, never production (EPEOPLE_IDENTITY_TEST=1)")
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func serve(cfg config) error {
	log, err := newLogger(os.Stderr, cfg.logFormat, cfg.logLevel)
	if err != nil {
		return err
	}
	// Listen first: a port in use is reported at once and alone, before the
	// database is opened or a setup link printed that could not be served.
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another server using this port? choose another with -addr)", cfg.addr, err)
	}
	defer ln.Close()
	// The access log's lines go out in batches (see lineBuffer), the rest at once.
	accessOut := newLineBuffer(os.Stderr)
	defer accessOut.Flush()
	access, _ := newLogger(accessOut, cfg.logFormat, cfg.logLevel)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go accessOut.flushEvery(ctx, accessLogFlush)
	if cfg.baseURL == "" {
		cfg.baseURL = "http://" + cfg.addr
	}
	wcfg := web.Config{BaseURL: cfg.baseURL, Views: views.FS, Assets: assets.FS, Logger: log, AccessLog: access,
		SecureCookies: strings.HasPrefix(cfg.baseURL, "https://"), PostPerMinute: cfg.postPerMinute,
		TrustedProxies: strings.Split(cfg.trustedProxies, ",")}
	if wcfg.Passwords, err = passwordDenylist(cfg.denylist); err != nil {
		return err
	}
	disposable, err := loadList(cfg.disposable, moderation.LoadDisposableDomains)
	if err != nil {
		return err
	}
	if disposable != nil {
		wcfg.Disposable = *disposable
	}
	sender, err := smtpSender(cfg.smtpURL)
	if err != nil {
		return err
	}
	return withStore(cfg, func(_ context.Context, st *store.Store) error {
		reg, err := register(ctx, cfg, st, log)
		if err != nil {
			return err
		}
		if reg != nil {
			// The node leaves the registry when serve returns (regDone), and beats until then.
			rctx, cancel := context.WithCancel(ctx)
			regDone := make(chan struct{})
			go func() { defer close(regDone); reg.Run(rctx) }()
			defer func() { cancel(); <-regDone }()
		}
		if err := firstStart(ctx, cfg, st); err != nil {
			return err
		}
		if cfg.identityTest {
			secret, err := st.ServerSecret(ctx)
			if err != nil {
				return err
			}
			wcfg.Identity = &identity.Test{Key: secret}
			log.Warn("test identity provider: not for production")
		}
		sched := schedule.New(st, nil, log)
		if st.Postgres() {
			sched.MaxSleep = clusterScheduleCheck
		}
		wcfg.Schedule = sched.Poke
		// The live channel: the hub replays from the store and draws the
		// partials its events carry with the pages' own templates; the
		// sockets stream it to the connections web hands them.
		tpl, err := web.ParseTemplates(wcfg.Views, wcfg.Assets, wcfg.BaseURL)
		if err != nil {
			return err
		}
		hub := live.New(st, web.NewEventRenderer(st, tpl, log).Render, live.Options{})
		sockets := live.NewSockets(hub, live.SocketOptions{PerIP: cfg.livePerIP, BaseURL: cfg.baseURL})
		wcfg.Templates, wcfg.Live = tpl, sockets
		var srv *web.Server
		var m *metrics.Metrics
		elector := cluster.NewElector(st, log)
		if cfg.debugAddr != "" {
			m = newMetrics(st, hub, sockets, sched, elector.Leading, func() web.ThreadCacheStats { return srv.ThreadCacheStats() })
			wcfg.Observe = func(a web.Answered) { m.ObserveRequest(a.Method, a.Route, a.Status, a.Took) }
			st.SetCommitObserver(m.ObserveCommit)
		}
		if srv, err = web.New(st, wcfg); err != nil {
			return err
		}
		// Every committed event, this node's or (on PostgreSQL) another's, in id order.
		stopCluster, err := joinCluster(ctx, cfg, st, hub, func(events []forum.Event) {
			srv.Invalidate(events) // before anyone is told of the change
			hub.Publish(events)
			sockets.CloseSuspended(events)
		}, log)
		if err != nil {
			return err
		}
		defer stopCluster()
		go hub.Run(context.Background()) // until hub.Close, after the sockets and the server
		defer hub.Close()
		// The scheduler, the mailer and retention run on the leader alone,
		// which on SQLite is this node.
		lctx, stopLeading := context.WithCancel(ctx)
		leaderDone := make(chan struct{})
		go func() {
			defer close(leaderDone)
			elector.Run(lctx, func(ctx context.Context) { lead(ctx, sched, sender, st, srv, log) })
		}()
		defer func() { stopLeading(); <-leaderDone }()
		go memoryLimit(ctx, sockets)
		if cfg.debugAddr != "" {
			stopDebug, err := serveDebug(cfg.debugAddr, m, log)
			if err != nil {
				return err
			}
			defer stopDebug()
		}
		errc := make(chan error, 1)
		go func() { errc <- srv.Serve(ln) }()
		fmt.Printf("e-people is serving at %s\n", cfg.baseURL)
		select {
		case err := <-errc:
			return err
		case <-ctx.Done():
		}
		log.Info("shutting down: closing live sockets, finishing in-flight requests")
		sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		sockets.Close(sctx) // first: the server does not wait for hijacked connections, so their close frames go out now
		return srv.Shutdown(sctx)
	})
}

// memoryLimit keeps a soft memory limit of 44 MiB above the heap the server
// holds at rest (templates, catalogs, the password dictionaries: 4.5 MiB
// before the dictionaries, 11 MiB with them), plus 16 KiB for each open live
// socket (measured: about 10 KiB each of 10,000 idle ones, 13 KiB under
// fan-out, its reader's stack included), so that garbage is collected before
// a burst of page loads doubles the heap, yet neither data that never
// changes nor ten thousand sockets make the collector run without pause. Go's GOMEMLIMIT, when set, overrides it.
func memoryLimit(ctx context.Context, sockets *live.Sockets) {
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rest := int64(ms.HeapAlloc)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		debug.SetMemoryLimit(rest + 44<<20 + int64(sockets.Open())*16<<10)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
