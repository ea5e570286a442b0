package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum/e2e"
)

// TestBenchTally_Percentiles checks the nearest-rank percentiles and the rate.
func TestBenchTally_Percentiles(t *testing.T) {
	tl := &benchTally{elapsed: 2 * time.Second, errors: 3}
	for i := 100; i >= 1; i-- {
		tl.lat = append(tl.lat, time.Duration(i)*time.Millisecond)
	}
	r := tl.result("x")
	if r.P50 != 50 || r.P90 != 90 || r.P99 != 99 || r.Requests != 100 || r.RequestsPerS != 50 || r.Errors != 3 {
		t.Fatalf("got p50 %v p90 %v p99 %v, %d requests at %v/s, %d errors; want 50 90 99, 100 at 50/s, 3",
			r.P50, r.P90, r.P99, r.Requests, r.RequestsPerS, r.Errors)
	}
	if r := (&benchTally{}).result("empty"); r.P99 != 0 || r.RequestsPerS != 0 {
		t.Fatalf("an empty tally reports %+v", r)
	}
}

// benchRunBinary runs `epeople bench args…` with a bound on its time and
// returns its stdout, stderr and exit error.
func benchRunBinary(t *testing.T, bin string, limit time.Duration, args ...string) (stdout, stderr string, err error) {
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

	t.Run("every workload", func(t *testing.T) {
		dir := t.TempDir()
		stdout, stderr, err := benchRunBinary(t, bin, 3*time.Minute, "-t", "2s", "-c", "2", "-sockets", "20", "-users", "20", "-dir", dir, "-json")
		if err != nil {
			t.Fatalf("bench: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
		}
		fields := []string{"workload", "requests_per_s", "p50_ms", "p90_ms", "p99_ms", "errors", "peak_rss_mb"}
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
			var r benchResult
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
			}
			if r.Workload == "fanout" && (r.Sockets != 20 || r.Events == 0 || r.Requests != int64(r.Sockets*r.Events)) {
				t.Errorf("fanout: %d sockets, %d events, %d deliveries; want 20 sockets each with every event", r.Sockets, r.Events, r.Requests)
			}
		}
		for _, w := range benchWorkloads {
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
		addr, err := e2e.FreeAddr()
		if err != nil {
			t.Fatal(err)
		}
		srv := exec.Command(bin, "serve", "-demo", "-db", filepath.Join(dir, "e.db"), "-addr", addr)
		stdout, err := srv.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		srv.Stderr = io.Discard
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }()
		ready := make(chan bool, 1)
		go func() {
			lines := bufio.NewScanner(stdout)
			for lines.Scan() {
				if strings.Contains(lines.Text(), "serving at") {
					ready <- true
					break
				}
			}
			_, _ = io.Copy(io.Discard, stdout)
		}()
		select {
		case <-ready:
		case <-time.After(60 * time.Second):
			t.Fatal("the demo server did not serve within 60s")
		}
		out, errOut, err := benchRunBinary(t, bin, time.Minute, "-url", "http://"+addr, "-t", "1s", "-c", "2", "-workloads", "read-thread,support", "-json")
		if err != nil {
			t.Fatalf("bench -url: %v\n%s", err, errOut)
		}
		var r benchResult
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
			{[]string{"-frobnicate"}, "flag provided but not defined: -frobnicate"},
			{[]string{"read-thread"}, "bench takes no arguments"},
		} {
			_, stderr, err := benchRunBinary(t, bin, 30*time.Second, tc.args...)
			if err == nil {
				t.Errorf("bench %v: exit status 0", tc.args)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("bench %v: stderr %q lacks %q", tc.args, stderr, tc.want)
			}
		}
	})
}
