package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum/e2e"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/forum/store/storetest"
)

// runBinary runs `epeople bench args…` with a bound on its time and
// returns its stdout, stderr and exit error.
func runBinary(t *testing.T, bin string, limit time.Duration, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"bench"}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("bench %v did not finish within %s\nstderr:\n%s", args, limit, errb.String())
	}
	return out.String(), errb.String(), err
}

// binary builds the epeople binary once per test run; TestMain removes it.
var binary e2e.Builder

func TestMain(m *testing.M) {
	code := storetest.Run(m) // stops the PostgreSQL server a test started
	binary.Cleanup()
	os.Exit(code)
}

// TestBenchCommand runs the real binary's bench subcommand: every workload
// against its own temporary server, the -url mode against a running server,
// and bad input.
func TestBenchCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin, err := binary.Build()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	t.Run("every workload", func(t *testing.T) {
		dir, profiles := t.TempDir(), filepath.Join(t.TempDir(), "profiles")
		stdout, stderr, err := runBinary(t, bin, 3*time.Minute, "-t", "2s", "-c", "2", "-sockets", "20", "-users", "20", "-history", "50", "-dir", dir, "-profile", profiles, "-json")
		if err != nil {
			t.Fatalf("bench: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
		}
		fields := []string{"workload", "requests_per_s", "p50_ms", "p90_ms", "p99_ms", "errors", "peak_rss_mb", "cpu_s", "per_cpu_s"}
		seen := map[string]bool{}
		lines := bufio.NewScanner(strings.NewReader(stdout))
		for lines.Scan() {
			var raw map[string]any
			if err := json.Unmarshal(lines.Bytes(), &raw); err != nil {
				t.Fatalf("line %q is not one JSON object: %v", lines.Text(), err)
			}
			for _, f := range fields {
				if _, ok := raw[f]; !ok {
					t.Errorf("line %s lacks %q", lines.Text(), f)
				}
			}
			var r result
			if err := json.Unmarshal(lines.Bytes(), &r); err != nil {
				t.Fatal(err)
			}
			seen[r.Workload] = true
			switch {
			case r.Requests <= 0 || r.RequestsPerS <= 0:
				t.Errorf("%s: no work done: %s", r.Workload, lines.Text())
			case r.Errors != 0:
				t.Errorf("%s: %d errors: %s\nstderr:\n%s", r.Workload, r.Errors, lines.Text(), stderr)
			case !(0 < r.P50 && r.P50 <= r.P90 && r.P90 <= r.P99):
				t.Errorf("%s: percentiles out of order: %s", r.Workload, lines.Text())
			case r.PeakRSSMB < r.IdleRSSMB || r.IdleRSSMB <= 0:
				t.Errorf("%s: server memory idle %v MiB, peak %v MiB", r.Workload, r.IdleRSSMB, r.PeakRSSMB)
			case r.CPUSeconds <= 0 || r.PerCPUS <= 0:
				t.Errorf("%s: no server CPU time measured: %s", r.Workload, lines.Text())
			}
			if fi, err := os.Stat(filepath.Join(profiles, r.Workload+".pprof")); err != nil || fi.Size() == 0 {
				t.Errorf("%s: no CPU profile written with -profile: %v", r.Workload, err)
			}
			if r.Workload == "fanout" && (r.Sockets != 20 || r.Events == 0 || r.Requests != int64(r.Sockets*r.Events)) {
				t.Errorf("fanout: %d sockets, %d events, %d deliveries; want 20 sockets each with every event", r.Sockets, r.Events, r.Requests)
			}
		}
		for _, w := range workloads {
			if !seen[w] {
				t.Errorf("no line for workload %s\nstdout:\n%s", w, stdout)
			}
		}
		if left, _ := os.ReadDir(dir); len(left) != 0 {
			t.Errorf("bench left %s behind in its -dir", left[0].Name())
		}
	})

	t.Run("against -url", func(t *testing.T) {
		dir := t.TempDir()
		srv, err := e2e.Start(ctx, bin, filepath.Join(dir, "e.db"), filepath.Join(dir, "server.log"), "-demo")
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Kill()
		out, errOut, err := runBinary(t, bin, time.Minute, "-url", srv.Base, "-t", "1s", "-c", "2", "-workloads", "read-thread,support", "-json")
		if err != nil {
			t.Fatalf("bench -url: %v\n%s", err, errOut)
		}
		var r result
		if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &r); err != nil {
			t.Fatalf("want exactly one JSON line (read-thread), got %q: %v", out, err)
		}
		if r.Workload != "read-thread" || r.Requests == 0 || r.Errors != 0 || r.PeakRSSMB != 0 {
			t.Errorf("bench -url read-thread: %+v", r)
		}
		if !strings.Contains(errOut, "skipping support") {
			t.Errorf("no word on skipping support with -url:\n%s", errOut)
		}
	})

	t.Run("against two -url servers", func(t *testing.T) {
		// Two servers on two copies of the demo data: the connections
		// alternate between them, and each counts the pages it served.
		var srvs [2]*e2e.Server
		var debug [2]string
		for i := range srvs {
			dir := t.TempDir()
			if debug[i], err = e2e.FreeAddr(); err != nil {
				t.Fatal(err)
			}
			if srvs[i], err = e2e.Start(ctx, bin, filepath.Join(dir, "e.db"), filepath.Join(dir, "server.log"), "-demo", "-debug-addr", debug[i]); err != nil {
				t.Fatal(err)
			}
			defer srvs[i].Kill()
		}
		out, errOut, err := runBinary(t, bin, time.Minute, "-url", srvs[0].Base+","+srvs[1].Base+"/", "-t", "1s", "-c", "2", "-workloads", "read-thread", "-json")
		if err != nil {
			t.Fatalf("bench -url A,B: %v\n%s", err, errOut)
		}
		var r result
		if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &r); err != nil || r.Requests == 0 || r.Errors != 0 {
			t.Fatalf("bench -url A,B read-thread: %q %v", out, err)
		}
		var served int64
		for i := range srvs {
			n := threadPagesServed(t, debug[i])
			if n == 0 {
				t.Errorf("server %d served no thread page: the load was not spread", i+1)
			}
			served += n
		}
		// Each server also served bench's first look at the thread, and
		// requests in flight at the end were answered but not all counted.
		if served < r.Requests {
			t.Errorf("the servers served %d thread pages, bench counted %d", served, r.Requests)
		}
	})

	t.Run("against -url with -db", func(t *testing.T) {
		dir := t.TempDir()
		db := filepath.Join(dir, "e.db")
		srv, err := e2e.Start(ctx, bin, db, filepath.Join(dir, "server.log"), "-demo", "-post-per-minute", "1000000000")
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Kill()
		// The first run raises the daily caps, which the running server
		// read at its start: it measures support and skips post-comment.
		out, errOut, err := runBinary(t, bin, 2*time.Minute, "-url", srv.Base, "-db", db, "-users", "10", "-history", "0", "-t", "1s", "-c", "2", "-workloads", "post-comment,support", "-json")
		if err != nil || !strings.Contains(errOut, "skipping post-comment") || strings.Count(strings.TrimSpace(out), "\n") != 0 {
			t.Fatalf("bench -url -db, first run: %v; want one line (support) and post-comment skipped\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
		}
		if err := srv.Stop(); err != nil {
			t.Fatal(err)
		}
		if srv, err = e2e.Start(ctx, bin, db, filepath.Join(dir, "server2.log"), "-post-per-minute", "1000000000"); err != nil {
			t.Fatal(err)
		}
		defer srv.Kill()
		before := countRows(t, db, "comments")
		out, errOut, err = runBinary(t, bin, 2*time.Minute, "-url", srv.Base, "-db", db, "-users", "10", "-history", "5", "-t", "1s", "-c", "2", "-workloads", "post-comment,support", "-json")
		if err != nil {
			t.Fatalf("bench -url -db: %v\n%s", err, errOut)
		}
		seen := map[string]result{}
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var r result
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			seen[r.Workload] = r
		}
		for _, w := range []string{"post-comment", "support"} {
			if r, ok := seen[w]; !ok || r.Requests == 0 || r.Errors != 0 {
				t.Errorf("bench -url -db %s: %+v (ran: %v)\n%s", w, r, ok, errOut)
			}
		}
		// The comments bench posted, and the 10 citizens' 5 earlier ones each, are stored.
		if got, want := countRows(t, db, "comments")-before, seen["post-comment"].Requests+10*5; got < want {
			t.Errorf("%d comments more in the database, want at least %d", got, want)
		}
		if _, _, err := runBinary(t, bin, 30*time.Second, "-db", db); err == nil {
			t.Error("bench -db without -url: exit status 0")
		}
	})

	t.Run("against -url with -db on PostgreSQL", func(t *testing.T) {
		// A node on PostgreSQL reads the settings again every few seconds:
		// bench waits for it to hold the raised caps, and posts comments
		// on its first run.
		dir := t.TempDir()
		db := storetest.NewPostgresDatabase(t)
		srv, err := e2e.Start(ctx, bin, db, filepath.Join(dir, "server.log"), "-demo", "-post-per-minute", "1000000000")
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Kill()
		before := countRows(t, db, "comments")
		out, errOut, err := runBinary(t, bin, 2*time.Minute, "-url", srv.Base, "-db", db, "-users", "10", "-history", "5", "-t", "1s", "-c", "2", "-workloads", "post-comment,support", "-json")
		if err != nil {
			t.Fatalf("bench -url -db: %v\n%s\n%s", err, errOut, srv.LogTail())
		}
		var posted int64
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var r result
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			if r.Requests == 0 || r.Errors != 0 {
				t.Errorf("bench -url -db %s: %+v", r.Workload, r)
			}
			if r.Workload == "post-comment" {
				posted = r.Requests
			}
		}
		if posted == 0 {
			t.Fatalf("post-comment did not run on the first run against PostgreSQL:\n%s", errOut)
		}
		if got, want := countRows(t, db, "comments")-before, posted+10*5; got < want {
			t.Errorf("%d comments more in the database, want at least %d", got, want)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"-workloads", "read-thread,write-everything"}, `unknown workload "write-everything"`},
			{[]string{"-workloads", "search,search"}, `"search" is listed twice`},
			{[]string{"-c", "0"}, "-c 0: connections must be between 1 and 1024"},
			{[]string{"-t", "0s"}, "duration must be above 0"},
			{[]string{"-t", "1h"}, "at most 10m0s"},
			{[]string{"-sockets", "-5"}, "-sockets -5"},
			{[]string{"-users", "0"}, "-users 0"},
			{[]string{"-url", "http://192.0.2.1:8080"}, "only talks to loopback addresses"},
			{[]string{"-url", "ftp://127.0.0.1/"}, "give the server's root as http://HOST:PORT"},
			{[]string{"-url", "http://127.0.0.1:8080,http://192.0.2.1:8080"}, "only talks to loopback addresses"},
			{[]string{"-url", "http://127.0.0.1:8080,http://127.0.0.1:8080/"}, "listed twice"},
			{[]string{"-db", "x.db"}, "-db: only with -url"},
			{[]string{"-frobnicate"}, "flag provided but not defined: -frobnicate"},
			{[]string{"read-thread"}, "bench takes no arguments"},
		} {
			_, stderr, err := runBinary(t, bin, 30*time.Second, tc.args...)
			if err == nil {
				t.Errorf("bench %v: exit status 0", tc.args)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("bench %v: stderr %q lacks %q", tc.args, stderr, tc.want)
			}
		}
	})
}

// TestSeedHistory: the citizens' history is written with the counters it
// changes, so the server under load sees a consistent forum.
func TestSeedHistory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	fx, err := seed(context.Background(), path, schemaForTest(t), 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := seedHistory(context.Background(), path, fx, 40); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), path, fx.schema, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.CheckCounters(context.Background()); err != nil {
		t.Errorf("counters after the history: %v", err)
	}
	for _, u := range fx.users {
		got, err := st.UserComments(context.Background(), u.UserID, 100)
		if err != nil || len(got) != 40 {
			t.Errorf("citizen %d has %d earlier comments (%v), want 40", u.UserID, len(got), err)
		}
	}
}

// schemaForTest is the repository's schema.sql, which the binary embeds.
func schemaForTest(t *testing.T) string {
	b, err := os.ReadFile(filepath.Join("..", "..", "schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// threadPagesServed reads, from the /metrics of the server whose debug
// address is debug, how many thread pages it answered with 200.
func threadPagesServed(t *testing.T, debug string) int64 {
	t.Helper()
	res, err := http.Get("http://" + debug + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	const series = `epeople_http_requests_total{code="200",method="GET",route="/proposals/:id<int>"} `
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, series); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metrics line %q: %v", line, err)
			}
			return int64(n)
		}
	}
	return 0
}

// countRows counts the rows of table in the database at path (a SQLite file or a postgres:// URL).
func countRows(t *testing.T, path, table string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(storetest.OpenReader(t, path).Value(`SELECT count(*) FROM `+table), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
