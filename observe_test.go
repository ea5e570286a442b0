package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum/e2e"
	"github.com/gorilla/websocket"
)

// scrape returns the metrics the operators' listener at addr serves.
func scrape(t *testing.T, addr string) string {
	t.Helper()
	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %s\n%s", res.Status, b)
	}
	return string(b)
}

// sample returns the value of the series named exactly series (name and
// labels as the text format writes them), or -1 when there is none.
func sample(metrics, series string) float64 {
	for _, line := range strings.Split(metrics, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return -1
			}
			return f
		}
	}
	return -1
}

// TestBinary_MetricsAndAccessLog runs the real binary with -debug-addr and
// JSON logs: /metrics on the operators' listener (and not on the public
// one) counts a page by its route pattern, a write in the group commit's
// histograms and an open live socket; the access log's lines are JSON with
// the request's fields, and hold no password, session cookie, CSRF token or
// token from a URL, though the requests carried them.
func TestBinary_MetricsAndAccessLog(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin, err := binary.Build()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "e.db")
	const email, password = "citizen@example.org", "a citizen's long passphrase"
	if out, err := exec.Command(bin, "admin", "create", "-db", db, "-role", "citizen", "-email", email,
		"-password", password, "-name", "시민").CombinedOutput(); err != nil {
		t.Fatalf("admin create: %v %s", err, out)
	}
	debugAddr, err := e2e.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	srv, err := e2e.Start(ctx, bin, db, filepath.Join(dir, "stderr"), "-debug-addr", debugAddr, "-log-format", "json")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Kill()

	before := scrape(t, debugAddr)
	commits := sample(before, "epeople_store_commit_batch_writes_count")
	if commits < 0 || sample(before, "epeople_store_commit_duration_seconds_count") != commits {
		t.Fatalf("commit histograms missing or apart before signing in:\n%s", before)
	}
	if !strings.Contains(before, "go_goroutines ") || !strings.Contains(before, "process_cpu_seconds_total ") {
		t.Error("no Go runtime or process metrics")
	}
	// Signing in posts the password and CSRF token, and writes a session.
	acct, err := e2e.SignIn(ctx, srv.Base, net.IPv4(127, 0, 0, 1), email, password)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.Base+"/verify/PATHSECRET0123456789?token=QUERYSECRET0123456789", nil)
	req.AddCookie(acct.Cookie())
	req.Header.Set("X-CSRF-Token", acct.CSRF)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res, err = http.Get(srv.Base + "/no-such-page-" + acct.CSRF); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown page: %s", res.Status)
	}

	after := scrape(t, debugAddr)
	for series, least := range map[string]float64{
		`epeople_http_requests_total{code="200",method="GET",route="/proposals"}`:               1,
		`epeople_http_requests_total{code="303",method="POST",route="/login"}`:                  1,
		`epeople_http_requests_total{code="404",method="GET",route="unmatched"}`:                1,
		`epeople_http_request_duration_seconds_count{method="GET",route="/login",status="2xx"}`: 1,
		"epeople_store_commit_batch_writes_count":                                               commits + 1,
		"epeople_store_commit_duration_seconds_count":                                           commits + 1,
	} {
		if got := sample(after, series); got < least {
			t.Errorf("%s = %v, want at least %v", series, got, least)
		}
	}
	if strings.Contains(after, "PATHSECRET") || strings.Contains(after, "no-such-page") {
		t.Error("a URL's path became a label")
	}

	// On SQLite the one node leads, once its elector has run.
	leader := -1.0
	for range 100 { // bounded
		if leader = sample(scrape(t, debugAddr), "epeople_leader"); leader == 1 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if leader != 1 {
		t.Errorf("epeople_leader = %v on the only node, want 1", leader)
	}

	// A live socket shows in the gauge while it is open.
	dialer := websocket.Dialer{}
	conn, _, err := dialer.Dial("ws://"+srv.Addr+"/live?topics=feed", http.Header{"Origin": {srv.Base}})
	if err != nil {
		t.Fatal(err)
	}
	open := -1.0
	for range 100 { // the socket counts once the server has taken it over; bounded
		if open = sample(scrape(t, debugAddr), "epeople_live_sockets_open"); open == 1 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	conn.Close()
	if open != 1 {
		t.Errorf("epeople_live_sockets_open = %v with one socket open, want 1", open)
	}

	if res, err = http.Get(srv.Base + "/metrics"); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics on the public address: %s, want 404", res.Status)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}

	logs, err := os.ReadFile(srv.Log)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{password, acct.Session, acct.CSRF, "PATHSECRET", "QUERYSECRET"} {
		if strings.Contains(string(logs), secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
	requests := map[string]bool{}
	lines := bufio.NewScanner(strings.NewReader(string(logs)))
	for lines.Scan() {
		var line map[string]any
		if err := json.Unmarshal(lines.Bytes(), &line); err != nil {
			t.Fatalf("a log line is not JSON: %v: %s", err, lines.Text())
		}
		if line["msg"] != "request" {
			continue
		}
		for _, field := range []string{"method", "route", "status", "duration", "bytes", "request_id"} {
			if _, ok := line[field]; !ok {
				t.Errorf("access log line without %s: %s", field, lines.Text())
			}
		}
		requests[line["method"].(string)+" "+line["route"].(string)] = true
	}
	for _, want := range []string{"GET /login", "POST /login", "GET /verify/:token", "GET unmatched", "GET /live"} {
		if !requests[want] {
			t.Errorf("no access log line for %s; have %v", want, requests)
		}
	}
}

// TestBinary_BadLogFlagsRefused: a log format or level the server does not
// know stops it at start with a message that names the flag.
func TestBinary_BadLogFlagsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin, err := binary.Build()
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "e.db")
	for _, args := range [][]string{{"-log-format", "xml"}, {"-log-level", "verbose"}} {
		out, err := exec.Command(bin, append([]string{"serve", "-db", db, "-addr", "127.0.0.1:0"}, args...)...).CombinedOutput()
		if err == nil || !regexp.MustCompile(`epeople: `+args[0]+` "`+args[1]+`": want `).Match(out) {
			t.Errorf("%v: %v %s", args, err, out)
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("the server opened the database before refusing its flags")
	}
}
