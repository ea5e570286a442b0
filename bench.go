package main

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
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/demo"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/forum/web"
	"github.com/e-people/e-people/moderation"
)

// benchWorkloads are the workloads `epeople bench` knows, in the order it runs them.
var benchWorkloads = []string{"read-thread", "post-comment", "support", "fanout", "search"}

// benchNeedsSession tells the workloads that act as signed-in citizens.
var benchNeedsSession = map[string]bool{"post-comment": true, "support": true, "fanout": true}

// Bounds on what one run may ask for.
const (
	benchMaxDuration    = 10 * time.Minute
	benchMaxConns       = 1024
	benchMaxUsers       = 10000
	benchMaxSockets     = 20000
	benchMaxRequests    = 5_000_000 // per workload: keeps the latency samples within 40 MB
	benchServerStartMax = 60 * time.Second
	benchServerStopMax  = 30 * time.Second
)

// benchOptions are the flags of `epeople bench`.
type benchOptions struct {
	conns, users, sockets int
	duration              time.Duration
	workloads             []string
	target                string // -url: an already running server; empty for a temporary one
	dir                   string // where the temporary database goes
	json                  bool
}

// benchParse reads and checks the flags; every refusal names the flag and the allowed range.
func benchParse(args []string) (*benchOptions, error) {
	o := &benchOptions{}
	fs := flag.NewFlagSet("epeople bench", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	fs.IntVar(&o.conns, "c", 8, "concurrent connections of the HTTP workloads (1-1024)")
	fs.DurationVar(&o.duration, "t", 10*time.Second, "how long each workload runs (at most 10m)")
	list := fs.String("workloads", strings.Join(benchWorkloads, ","), "comma-separated workloads to run: "+strings.Join(benchWorkloads, ", "))
	fs.IntVar(&o.sockets, "sockets", 1000, "live websocket clients of the fanout workload (1-20000)")
	fs.IntVar(&o.users, "users", 200, "signed-in citizens the writing workloads spread over (1-10000)")
	fs.StringVar(&o.target, "url", "", "run against this already running server (loopback only) instead of a temporary one")
	fs.StringVar(&o.dir, "dir", "", "directory for the temporary database; the system's temporary directory when empty")
	fs.BoolVar(&o.json, "json", false, "print one JSON object per workload per line")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: epeople bench [-c 8] [-t 10s] [-workloads "+strings.Join(benchWorkloads, ",")+"] [-sockets 1000] [-users 200] [-url http://127.0.0.1:8080] [-dir DIR] [-json]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("bench takes no arguments, only flags: %q", fs.Arg(0))
	}
	switch {
	case o.conns < 1 || o.conns > benchMaxConns:
		return nil, fmt.Errorf("-c %d: connections must be between 1 and %d", o.conns, benchMaxConns)
	case o.duration <= 0 || o.duration > benchMaxDuration:
		return nil, fmt.Errorf("-t %s: duration must be above 0 and at most %s", o.duration, benchMaxDuration)
	case o.sockets < 1 || o.sockets > benchMaxSockets:
		return nil, fmt.Errorf("-sockets %d: must be between 1 and %d", o.sockets, benchMaxSockets)
	case o.users < 1 || o.users > benchMaxUsers:
		return nil, fmt.Errorf("-users %d: must be between 1 and %d", o.users, benchMaxUsers)
	}
	for _, w := range strings.Split(*list, ",") {
		w = strings.TrimSpace(w)
		switch {
		case w == "":
			continue
		case !slices.Contains(benchWorkloads, w):
			return nil, fmt.Errorf("-workloads: unknown workload %q (known: %s)", w, strings.Join(benchWorkloads, ", "))
		case slices.Contains(o.workloads, w):
			return nil, fmt.Errorf("-workloads: %q is listed twice", w)
		}
		o.workloads = append(o.workloads, w)
	}
	if len(o.workloads) == 0 {
		return nil, fmt.Errorf("-workloads: none given (known: %s)", strings.Join(benchWorkloads, ", "))
	}
	if o.target != "" {
		base, err := benchLoopbackURL(o.target)
		if err != nil {
			return nil, err
		}
		o.target = base
	}
	return o, nil
}

// benchLoopbackURL checks that raw is an http URL on this machine and returns it without a trailing slash.
func benchLoopbackURL(raw string) (string, error) {
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

// benchFixture is what the workloads need to know about the forum they load.
type benchFixture struct {
	base      string       // http://127.0.0.1:PORT
	threadID  int64        // the proposal with 1,000 comments
	proposals []int64      // open proposals, which take supports
	users     []benchUser  // signed-in citizens; none with -url
	since     int64        // the newest event when the workload starts; 0 with -url
	server    *benchServer // nil with -url
	db        string       // the server's database file; empty with -url
}

// benchUser is one signed-in citizen: the session cookie's token and its CSRF token.
type benchUser struct {
	id          int64
	token, csrf string
}

// benchCommand runs `epeople bench`: it measures the forum under each workload
// and prints requests/s, latency percentiles, errors and the server's memory.
func benchCommand(args []string) error {
	o, err := benchParse(args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if slices.Contains(o.workloads, "fanout") {
		if err := benchRaiseFileLimit(o.sockets); err != nil {
			return err
		}
	}
	var runs []benchRun
	if o.target != "" {
		runs, err = benchAgainstURL(ctx, o)
	} else {
		var cleanup func()
		runs, cleanup, err = benchAgainstTemp(ctx, o)
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
		fmt.Fprintf(out, "%-13s %9s %11s %8s %8s %8s %7s %9s %9s\n", "workload", "requests", "requests/s", "p50 ms", "p90 ms", "p99 ms", "errors", "idle MiB", "peak MiB")
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
			b, _ := benchJSON(res)
			fmt.Fprintf(out, "%s\n", b)
		} else {
			fmt.Fprintf(out, "%-13s %9d %11.1f %8.2f %8.2f %8.2f %7d %9.1f %9.1f\n", res.Workload, res.Requests, res.RequestsPerS,
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

// benchRun runs one workload and measures it.
type benchRun func(ctx context.Context, workload string) (*benchResult, error)

// benchAgainstURL prepares the workloads against a running server: only
// those that need no account, against its most-commented proposal.
func benchAgainstURL(ctx context.Context, o *benchOptions) ([]benchRun, error) {
	client := benchClient(1)
	defer client.CloseIdleConnections()
	body, err := benchGet(ctx, client, o.target+"/proposals?sort=debated", nil)
	if err != nil {
		return nil, fmt.Errorf("-url %s: %w", o.target, err)
	}
	m := regexp.MustCompile(`href="/proposals/(\d+)"`).FindStringSubmatch(body)
	if m == nil {
		return nil, fmt.Errorf("-url %s: /proposals?sort=debated lists no proposal; is this e-people?", o.target)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	fx := &benchFixture{base: o.target, threadID: id}
	fmt.Fprintf(os.Stderr, "bench: against %s; read-thread reads proposal %d, the most commented; peak RSS is not measured (0): the server is not bench's child\n", o.target, id)
	runs := make([]benchRun, len(o.workloads))
	for i, w := range o.workloads {
		if benchNeedsSession[w] {
			fmt.Fprintf(os.Stderr, "bench: skipping %s: with -url bench has no signed-in accounts, and the server's per-IP write limit "+
				"and per-citizen daily caps would measure refusals, not work; run bench without -url to measure it\n", w)
			continue
		}
		runs[i] = func(ctx context.Context, w string) (*benchResult, error) { return benchWorkload(ctx, o, fx, w) }
	}
	if !slices.ContainsFunc(runs, func(r benchRun) bool { return r != nil }) {
		return nil, errors.New("-url: none of the chosen workloads can run against another server; choose read-thread or search")
	}
	return runs, nil
}

// benchAgainstTemp seeds a temporary database and prepares each workload to
// run against a fresh server on a fresh copy of it, so that every workload
// starts from the same data and its peak RSS is its own. cleanup removes the
// temporary directory.
func benchAgainstTemp(ctx context.Context, o *benchOptions) (runs []benchRun, cleanup func(), err error) {
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
	fx, err := benchSeed(ctx, template, o.users)
	if err != nil {
		return nil, cleanup, err
	}
	fmt.Fprintf(os.Stderr, "bench: seeded %s in %.1fs: the demo data (its 1,000-comment proposal is #%d; open proposals: %d) and citizens with sessions: %d; "+
		"each workload runs %s against a fresh server on a copy of it\n", template, time.Since(start).Seconds(), fx.threadID, len(fx.proposals), len(fx.users), o.duration)
	runs = make([]benchRun, len(o.workloads))
	for i := range o.workloads {
		runs[i] = func(ctx context.Context, w string) (res *benchResult, err error) {
			db := filepath.Join(dir, w+".db")
			defer func() {
				for _, f := range []string{db, db + "-wal", db + "-shm"} {
					_ = os.Remove(f)
				}
			}()
			if err := benchCopyFile(template, db); err != nil {
				return nil, err
			}
			srv, err := benchStartServer(ctx, exe, db, o.sockets+64)
			if err != nil {
				return nil, err
			}
			defer func() { err = errors.Join(err, srv.stop()) }()
			wfx := *fx
			wfx.base, wfx.server, wfx.db = srv.base, srv, db
			return benchWorkload(ctx, o, &wfx, w)
		}
	}
	return runs, cleanup, nil
}

// benchSeed fills a new database at path with the demo data (which has the
// 1,000-comment proposal) and n citizens, each signed in with a session.
// The daily caps on comments are raised for the run: they would otherwise
// turn the comment workload into one of refusals; the check itself still runs.
func benchSeed(ctx context.Context, path string, n int) (fx *benchFixture, err error) {
	st, err := store.Open(ctx, path, schemaSQL, store.Options{})
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	res, err := demo.Seed(ctx, st, moderation.NewRenderer(), demo.Options{})
	if err != nil {
		return nil, fmt.Errorf("seed demo data: %w", err)
	}
	fx = &benchFixture{threadID: res.BenchmarkProposalID}
	open, err := st.ListProposals(ctx, store.ProposalQuery{Status: forum.StatusOpen, Limit: 100})
	if err != nil {
		return nil, err
	}
	for _, p := range open.Proposals {
		fx.proposals = append(fx.proposals, p.ID)
	}
	if len(fx.proposals) == 0 {
		return nil, errors.New("seed: the demo data has no open proposal")
	}
	if err := st.SetSettings(ctx, map[string]string{"cap_comments": "1000000000", "cap_comments_first_day": "1000000000"}); err != nil {
		return nil, err
	}
	hash, err := forum.HashPassword(benchToken())
	if err != nil {
		return nil, err
	}
	for i := range n {
		u, err := st.CreateUser(ctx, forum.User{Role: forum.RoleCitizen, Name: fmt.Sprintf("벤치 시민 %d", i+1),
			Email: fmt.Sprintf("bench%d@bench.e-people.example", i+1)}, hash)
		if err != nil {
			return nil, fmt.Errorf("seed citizens: %w", err)
		}
		token, csrf, err := web.NewSession(ctx, st, u.ID)
		if err != nil {
			return nil, err
		}
		fx.users = append(fx.users, benchUser{id: u.ID, token: token, csrf: csrf})
	}
	if fx.since, err = st.LastEventID(ctx); err != nil {
		return nil, err
	}
	return fx, nil
}

// benchToken returns 32 random bytes, base64url encoded, like the server's own tokens.
func benchToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func benchCopyFile(from, to string) error {
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

// benchServer is an `epeople serve` child process on a loopback port.
type benchServer struct {
	cmd     *exec.Cmd
	base    string
	log     string // the child's stderr
	done    chan error
	once    sync.Once
	stopErr error
}

// benchStartServer starts this binary serving db on a free loopback port and
// waits until it says it serves. The child takes no EPEOPLE_* settings from
// the environment: only bench's flags, with the per-IP write limit lifted,
// because every bench request comes from 127.0.0.1.
func benchStartServer(ctx context.Context, exe, db string, livePerIP int) (*benchServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &benchServer{base: "http://" + addr, log: db + ".log", done: make(chan error, 1)}
	logf, err := os.Create(s.log)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	s.cmd = exec.Command(exe, "serve", "-db", db, "-addr", addr, "-base-url", s.base,
		"-live-per-ip", strconv.Itoa(livePerIP), "-post-per-minute", "1000000000")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "EPEOPLE_") {
			s.cmd.Env = append(s.cmd.Env, kv)
		}
	}
	s.cmd.Stderr = logf
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive bench
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the server: %w", err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	ready := make(chan bool, 1)
	go func() {
		lines := bufio.NewScanner(stdout)
		ok := false
		for lines.Scan() {
			if strings.Contains(lines.Text(), "serving at") {
				ok = true
				break
			}
		}
		ready <- ok
		_, _ = io.Copy(io.Discard, stdout)
	}()
	timer := time.NewTimer(benchServerStartMax)
	defer timer.Stop()
	select {
	case ok := <-ready:
		if ok {
			return s, nil
		}
		<-s.done
		return nil, fmt.Errorf("the server exited before serving:\n%s", s.logTail())
	case <-timer.C:
		err = fmt.Errorf("the server did not serve within %s:\n%s", benchServerStartMax, s.logTail())
	case <-ctx.Done():
		err = ctx.Err()
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	return nil, err
}

// stop ends the server with SIGTERM, as an operator would, and waits for
// it; later calls return what the first one did.
func (s *benchServer) stop() error {
	s.once.Do(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-s.done:
			if err != nil {
				s.stopErr = fmt.Errorf("server exit: %w\n%s", err, s.logTail())
			}
		case <-time.After(benchServerStopMax):
			_ = s.cmd.Process.Kill()
			<-s.done
			s.stopErr = fmt.Errorf("the server did not stop within %s of SIGTERM", benchServerStopMax)
		}
	})
	return s.stopErr
}

func (s *benchServer) logTail() string {
	b, _ := os.ReadFile(s.log)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

var benchStatusRe = regexp.MustCompile(`(?m)^(VmRSS|VmHWM):\s+(\d+) kB`)

// memory returns the server's resident set now and its peak so far, in MiB.
func (s *benchServer) memory() (rss, peak float64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0, fmt.Errorf("read the server's memory: %w", err)
	}
	for _, m := range benchStatusRe.FindAllSubmatch(b, -1) {
		kib, _ := strconv.ParseFloat(string(m[2]), 64)
		if string(m[1]) == "VmRSS" {
			rss = kib / 1024
		} else {
			peak = kib / 1024
		}
	}
	if rss == 0 || peak == 0 {
		return 0, 0, fmt.Errorf("no VmRSS or VmHWM in /proc/%d/status", s.cmd.Process.Pid)
	}
	return rss, peak, nil
}

// benchRaiseFileLimit lifts the soft limit on open files to the hard one, for
// the sockets of the fanout workload; the server child inherits it.
func benchRaiseFileLimit(sockets int) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	need := uint64(sockets) + 256
	if lim.Max < need {
		return fmt.Errorf("-sockets %d: the open-file limit is %d, and each side needs about %d (raise it with ulimit -Hn)", sockets, lim.Max, need)
	}
	if lim.Cur < need {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return fmt.Errorf("raise the open-file limit: %w", err)
		}
	}
	return nil
}
