// Package bench is the load generator behind `epeople bench`: it seeds a
// temporary forum, starts the real server on a copy of it for each workload,
// loads it over HTTP and websockets as browsers do, and reports requests/s,
// latency percentiles, errors and the server's memory. Its servers, clients
// and percentiles are forum/e2e's, which the end-to-end tests use too.
package bench

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/cluster"
	"github.com/e-people/e-people/forum/demo"
	"github.com/e-people/e-people/forum/e2e"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/forum/store/dialect"
	"github.com/e-people/e-people/moderation"
)

// workloads are the workloads `epeople bench` knows, in the order it runs them.
var workloads = []string{"read-thread", "post-comment", "support", "fanout", "search"}

// needsSession tells the workloads that act as signed-in citizens.
var needsSession = map[string]bool{"post-comment": true, "support": true, "fanout": true}

// Bounds on what one run may ask for.
const (
	maxDuration = 10 * time.Minute
	maxConns    = 1024
	maxUsers    = 10000
	maxSockets  = 20000
	maxHistory  = 10000
	maxRequests = 5_000_000 // per workload: keeps the latency samples within 40 MB
)

// options are the flags of `epeople bench`.
type options struct {
	conns, users, sockets int
	history               int // earlier comments and votes of each citizen
	duration              time.Duration
	workloads             []string
	targets               []string // -url: already running servers, load spread over them; none for a temporary one
	db                    string   // -db: with -url, the database those servers serve, for bench's citizens
	dir                   string   // where the temporary database goes
	profile               string   // -profile: where the servers' CPU profiles go; none when empty
	json                  bool
}

// parse reads and checks the flags; every refusal names the flag and the allowed range.
func parse(args []string) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("epeople bench", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	fs.IntVar(&o.conns, "c", 8, "concurrent connections of the HTTP workloads (1-1024)")
	fs.DurationVar(&o.duration, "t", 10*time.Second, "how long each workload runs (at most 10m)")
	list := fs.String("workloads", strings.Join(workloads, ","), "comma-separated workloads to run: "+strings.Join(workloads, ", "))
	fs.IntVar(&o.sockets, "sockets", 1000, "live websocket clients of the fanout workload (1-20000)")
	fs.IntVar(&o.users, "users", 200, "signed-in citizens the writing workloads spread over (1-10000)")
	fs.IntVar(&o.history, "history", 1000, "earlier comments, and votes on comments, each citizen has before the run, as in a forum that has been in use; 0 for new citizens (0-10000)")
	target := fs.String("url", "", "run against this already running server (loopback only) instead of a temporary one; "+
		"several comma-separated URLs (the nodes of a cluster) share the connections round-robin")
	fs.StringVar(&o.db, "db", "", "with -url: the database the servers serve (a file or postgres:// URL); bench adds its signed-in citizens "+
		"to it and raises the daily comment caps, so that post-comment and support run too")
	fs.StringVar(&o.dir, "dir", "", "directory for the temporary database; the system's temporary directory when empty")
	fs.StringVar(&o.profile, "profile", "", "write the server's CPU profile of each workload's measured part to DIR/WORKLOAD.pprof (for go tool pprof); not with -url")
	fs.BoolVar(&o.json, "json", false, "print one JSON object per workload per line")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: epeople bench [-c 8] [-t 10s] [-workloads "+strings.Join(workloads, ",")+"] [-sockets 1000] [-users 200] [-history 1000] [-url http://127.0.0.1:8080[,http://127.0.0.1:8081…] [-db DB]] [-dir DIR] [-json]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("bench takes no arguments, only flags: %q", fs.Arg(0))
	}
	switch {
	case o.conns < 1 || o.conns > maxConns:
		return nil, fmt.Errorf("-c %d: connections must be between 1 and %d", o.conns, maxConns)
	case o.duration <= 0 || o.duration > maxDuration:
		return nil, fmt.Errorf("-t %s: duration must be above 0 and at most %s", o.duration, maxDuration)
	case o.sockets < 1 || o.sockets > maxSockets:
		return nil, fmt.Errorf("-sockets %d: must be between 1 and %d", o.sockets, maxSockets)
	case o.users < 1 || o.users > maxUsers:
		return nil, fmt.Errorf("-users %d: must be between 1 and %d", o.users, maxUsers)
	case o.history < 0 || o.history > maxHistory:
		return nil, fmt.Errorf("-history %d: must be between 0 and %d", o.history, maxHistory)
	}
	for _, w := range strings.Split(*list, ",") {
		w = strings.TrimSpace(w)
		switch {
		case w == "":
			continue
		case !slices.Contains(workloads, w):
			return nil, fmt.Errorf("-workloads: unknown workload %q (known: %s)", w, strings.Join(workloads, ", "))
		case slices.Contains(o.workloads, w):
			return nil, fmt.Errorf("-workloads: %q is listed twice", w)
		}
		o.workloads = append(o.workloads, w)
	}
	if len(o.workloads) == 0 {
		return nil, fmt.Errorf("-workloads: none given (known: %s)", strings.Join(workloads, ", "))
	}
	if *target != "" && o.profile != "" {
		return nil, errors.New("-profile: bench profiles only the servers it starts, not one given with -url")
	}
	if *target == "" && o.db != "" {
		return nil, errors.New("-db: only with -url (without it bench seeds a database of its own)")
	}
	if *target != "" {
		for _, raw := range strings.Split(*target, ",") {
			base, err := loopbackURL(strings.TrimSpace(raw))
			if err != nil {
				return nil, err
			}
			if slices.Contains(o.targets, base) {
				return nil, fmt.Errorf("-url: %s is listed twice", base)
			}
			o.targets = append(o.targets, base)
		}
	}
	return o, nil
}

// loopbackURL checks that raw is an http URL on this machine and returns it without a trailing slash.
func loopbackURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return "", fmt.Errorf("-url %q: give the server's root as http://HOST:PORT", raw)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("-url %q: bench only talks to loopback addresses (127.0.0.0/8, ::1, localhost)", raw)
	}
	return "http://" + u.Host, nil
}

// base is the server worker w talks to.
func (fx *fixture) base(w int) string { return fx.bases[w%len(fx.bases)] }

// fixture is what the workloads need to know about the forum they load.
type fixture struct {
	bases     []string      // http://127.0.0.1:PORT of each server; worker w talks to bases[w mod len]
	threadID  int64         // the proposal with 1,000 comments
	proposals []int64       // open proposals, which take supports
	users     []e2e.Account // signed-in citizens; none with -url unless -db
	since     int64         // the newest event when the workload starts; 0 with -url
	server    *e2e.Server   // nil with -url
	debug     string        // the server's -debug-addr, for profiles; empty with -url
	db        string        // the server's database file; empty with -url
	schema    string        // the fresh-database schema, to open db with
}

// Command runs `epeople bench args…`: it measures the forum under each
// workload and prints requests/s, latency percentiles, errors and the
// server's memory. schema is the binary's fresh-database schema.
func Command(args []string, schema string) error {
	o, err := parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if o.profile != "" {
		if err := os.MkdirAll(o.profile, 0o755); err != nil {
			return fmt.Errorf("-profile: %w", err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if slices.Contains(o.workloads, "fanout") {
		if err := e2e.RaiseFileLimit(uint64(o.sockets) + 256); err != nil {
			return fmt.Errorf("-sockets %d: %w", o.sockets, err)
		}
	}
	var runs []run
	if len(o.targets) > 0 {
		runs, err = againstURL(ctx, o, schema)
	} else {
		var cleanup func()
		runs, cleanup, err = againstTemp(ctx, o, schema)
		if cleanup != nil {
			defer cleanup()
		}
	}
	if err != nil {
		return err
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	if !o.json {
		fmt.Fprintf(out, "%-13s %9s %11s %9s %8s %8s %8s %7s %9s %9s\n", "workload", "requests", "requests/s", "req/CPU-s", "p50 ms", "p90 ms", "p99 ms", "errors", "idle MiB", "peak MiB")
		out.Flush()
	}
	failed := 0
	for i, w := range o.workloads {
		if runs[i] == nil {
			continue
		}
		res, err := runs[i](ctx, w)
		if ctx.Err() != nil {
			return fmt.Errorf("%s: interrupted", w)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", w, err)
		}
		if o.json {
			b, _ := resultJSON(res)
			fmt.Fprintf(out, "%s\n", b)
		} else {
			fmt.Fprintf(out, "%-13s %9d %11.1f %9.1f %8.2f %8.2f %8.2f %7d %9.1f %9.1f\n", res.Workload, res.Requests, res.RequestsPerS, res.PerCPUS,
				res.P50, res.P90, res.P99, res.Errors, res.IdleRSSMB, res.PeakRSSMB)
		}
		out.Flush()
		if res.Errors > 0 {
			failed++
			fmt.Fprintf(os.Stderr, "%s: %d errors; the first: %s\n", w, res.Errors, res.firstErr)
		}
	}
	if failed > 0 {
		return fmt.Errorf("bench: %d workload(s) had errors", failed)
	}
	return nil
}

// run runs one workload and measures it.
type run func(ctx context.Context, workload string) (*result, error)

// againstURL prepares the workloads against running servers, against the
// most-commented proposal: only those that need no account, unless -db
// names the servers' database, where bench then adds its citizens.
func againstURL(ctx context.Context, o *options, schema string) ([]run, error) {
	client := e2e.NewClient(nil, 1, requestTimeout)
	defer client.CloseIdleConnections()
	fx := &fixture{bases: o.targets, schema: schema}
	for _, base := range o.targets {
		body, err := get(ctx, client, base+"/proposals?sort=debated", nil)
		if err != nil {
			return nil, fmt.Errorf("-url %s: %w", base, err)
		}
		m := regexp.MustCompile(`href="/proposals/(\d+)"`).FindStringSubmatch(body)
		if m == nil {
			return nil, fmt.Errorf("-url %s: /proposals?sort=debated lists no proposal; is this e-people?", base)
		}
		id, _ := strconv.ParseInt(m[1], 10, 64)
		if fx.threadID != 0 && id != fx.threadID {
			return nil, fmt.Errorf("-url %s: its most commented proposal is %d, %s's is %d: these servers do not serve one database", base, id, o.targets[0], fx.threadID)
		}
		fx.threadID = id
	}
	capsRaised := false
	if o.db != "" {
		var err error
		if capsRaised, err = seedURLCitizens(ctx, o, fx); err != nil {
			return nil, fmt.Errorf("-db %s: %w", o.db, err)
		}
	}
	if capsRaised && dialect.IsPostgres(o.db) {
		// Nodes on PostgreSQL read the settings again every
		// cluster.CatchUpEvery: two rounds and a second, and every node
		// holds the raised caps.
		wait := 2*cluster.CatchUpEvery + time.Second
		fmt.Fprintf(os.Stderr, "bench: raised the daily comment caps in the database; waiting %s for the nodes to read them\n", wait)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	fmt.Fprintf(os.Stderr, "bench: against %s; read-thread reads proposal %d, the most commented; peak RSS and CPU are not measured (0): the servers are not bench's children\n",
		strings.Join(o.targets, ", "), fx.threadID)
	runs := make([]run, len(o.workloads))
	for i, w := range o.workloads {
		switch {
		case w == "fanout" || (needsSession[w] && o.db == ""):
			fmt.Fprintf(os.Stderr, "bench: skipping %s: with -url bench has no signed-in accounts (give -db), and fanout stops its own server to count "+
				"what was stored; run bench without -url to measure it\n", w)
			continue
		case w == "post-comment" && capsRaised && !dialect.IsPostgres(o.db):
			fmt.Fprintf(os.Stderr, "bench: skipping post-comment: bench has just raised the daily comment caps in %s, and a server reads its "+
				"settings when it starts: restart the servers, then run bench again\n", o.db)
			continue
		}
		runs[i] = func(ctx context.Context, w string) (*result, error) { return runWorkload(ctx, o, fx, w) }
	}
	if !slices.ContainsFunc(runs, func(r run) bool { return r != nil }) {
		return nil, errors.New("-url: none of the chosen workloads can run against another server; choose read-thread or search, or give -db")
	}
	return runs, nil
}

// seedURLCitizens adds o.users signed-in citizens (with o.history earlier
// comments and votes each) to the database the -url servers serve, raises
// its daily comment caps, and lists its open proposals for the support
// workload. It reports whether the caps were below bench's before: the
// running servers then still hold the old ones.
func seedURLCitizens(ctx context.Context, o *options, fx *fixture) (capsRaised bool, err error) {
	st, err := store.Open(ctx, o.db, fx.schema, store.Options{})
	if err != nil {
		return false, err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	caps := st.Settings().Caps
	capsRaised = caps.Comments < benchCap || caps.CommentsFirstDay < benchCap
	if err := seedCitizens(ctx, st, fx, o.users); err != nil {
		return false, err
	}
	if o.history > 0 {
		users := make([]int64, len(fx.users))
		for i, u := range fx.users {
			users[i] = u.UserID
		}
		return capsRaised, st.SeedHistory(ctx, users, fx.threadID, o.history)
	}
	return capsRaised, nil
}

// againstTemp seeds a temporary database and prepares each workload to
// run against a fresh server on a fresh copy of it, so that every workload
// starts from the same data and its peak RSS is its own. cleanup removes the
// temporary directory.
func againstTemp(ctx context.Context, o *options, schema string) (runs []run, cleanup func(), err error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, nil, fmt.Errorf("find this binary to serve with: %w", err)
	}
	dir, err := os.MkdirTemp(o.dir, "epeople-bench-")
	if err != nil {
		return nil, nil, fmt.Errorf("temporary directory: %w", err)
	}
	cleanup = func() { os.RemoveAll(dir) }
	template := filepath.Join(dir, "seeded.db")
	start := time.Now()
	fx, err := seed(ctx, template, schema, o.users)
	if err != nil {
		return nil, cleanup, err
	}
	if err := seedHistory(ctx, template, fx, o.history); err != nil {
		return nil, cleanup, err
	}
	fmt.Fprintf(os.Stderr, "bench: seeded %s in %.1fs: the demo data (its 1,000-comment proposal is #%d; open proposals: %d) and citizens with sessions: %d, "+
		"each with %d earlier comments and votes; each workload runs %s against a fresh server on a copy of it\n",
		template, time.Since(start).Seconds(), fx.threadID, len(fx.proposals), len(fx.users), o.history, o.duration)
	runs = make([]run, len(o.workloads))
	for i := range o.workloads {
		runs[i] = func(ctx context.Context, w string) (res *result, err error) {
			db := filepath.Join(dir, w+".db")
			defer func() {
				for _, f := range []string{db, db + "-wal", db + "-shm"} {
					_ = os.Remove(f)
				}
			}()
			if err := copyFile(template, db); err != nil {
				return nil, err
			}
			debug, err := e2e.FreeAddr()
			if err != nil {
				return nil, err
			}
			srv, err := startServer(ctx, exe, db, o.sockets+64, "-debug-addr", debug)
			if err != nil {
				return nil, err
			}
			defer func() { err = errors.Join(err, srv.Stop()) }()
			wfx := *fx
			wfx.bases, wfx.server, wfx.db, wfx.debug = []string{srv.Base}, srv, db, debug
			return runWorkload(ctx, o, &wfx, w)
		}
	}
	return runs, cleanup, nil
}

// startServer starts this binary serving db on a free loopback port and
// waits until it says it serves, with the per-IP write limit lifted,
// because every bench request comes from 127.0.0.1.
func startServer(ctx context.Context, exe, db string, livePerIP int, args ...string) (*e2e.Server, error) {
	return e2e.Start(ctx, exe, db, db+".log", append([]string{"-live-per-ip", strconv.Itoa(livePerIP), "-post-per-minute", "1000000000"}, args...)...)
}

// benchCap is the daily cap on comments bench sets: no run reaches it.
const benchCap = 1_000_000_000

// sessionTTL is how long the seeded sessions last: longer than any run.
const sessionTTL = 24 * time.Hour

// seed fills a new database at path with the demo data (which has the
// 1,000-comment proposal) and n citizens, each signed in with a session,
// stored as the server stores the sessions it starts at sign-in (signing
// in through /login would cost the server a password hash per citizen).
// The daily caps on comments are raised for the run: they would otherwise
// turn the comment workload into one of refusals; the check itself still runs.
func seed(ctx context.Context, path, schema string, n int) (fx *fixture, err error) {
	st, err := store.Open(ctx, path, schema, store.Options{})
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	res, err := demo.Seed(ctx, st, moderation.NewRenderer(), demo.Options{})
	if err != nil {
		return nil, fmt.Errorf("seed demo data: %w", err)
	}
	fx = &fixture{threadID: res.BenchmarkProposalID, schema: schema}
	if err := seedCitizens(ctx, st, fx, n); err != nil {
		return nil, err
	}
	return fx, nil
}

// seedCitizens lists st's open proposals into fx, raises the daily caps on
// comments, and adds n citizens, each signed in with a session, to st and to fx.
func seedCitizens(ctx context.Context, st *store.Store, fx *fixture, n int) (err error) {
	open, err := st.ListProposals(ctx, store.ProposalQuery{Status: forum.StatusOpen, Limit: 100})
	if err != nil {
		return err
	}
	for _, p := range open.Proposals {
		fx.proposals = append(fx.proposals, p.ID)
	}
	if len(fx.proposals) == 0 {
		return errors.New("seed: the database has no open proposal")
	}
	if err := st.SetSettings(ctx, map[string]string{forum.SettingCapComments: strconv.Itoa(benchCap), forum.SettingCapCommentsFirstDay: strconv.Itoa(benchCap)}); err != nil {
		return err
	}
	hash, err := forum.HashPassword(randomToken())
	if err != nil {
		return err
	}
	// A run against -url may follow another on the same database: the
	// e-mail addresses carry a run's own prefix.
	run := randomToken()[:8]
	for i := range n {
		u, err := st.CreateUser(ctx, forum.User{Role: forum.RoleCitizen, Name: fmt.Sprintf("벤치 시민 %d", i+1),
			Email: fmt.Sprintf("bench%d-%s@bench.e-people.example", i+1, strings.ToLower(run)), Tier: forum.TierEmailVerified}, hash)
		if err != nil {
			return fmt.Errorf("seed citizens: %w", err)
		}
		token, csrf := randomToken(), randomToken()
		if err := st.CreateSession(ctx, store.NewSession{TokenHash: forum.TokenHash(token), UserID: u.ID, CSRF: csrf, TTL: sessionTTL}); err != nil {
			return fmt.Errorf("seed sessions: %w", err)
		}
		fx.users = append(fx.users, e2e.Account{Email: u.Email, UserID: u.ID, Session: token, CSRF: csrf})
	}
	if fx.since, err = st.LastEventID(ctx); err != nil {
		return err
	}
	return nil
}

// randomToken returns 32 random bytes, base64url encoded, like the server's own tokens.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return fmt.Errorf("copy the seeded database: %w", err)
	}
	return dst.Close()
}
