package web

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// TestObserve_RoutesRequestIDsAndAccessLog: Config.Observe and the access
// log name a request by its route's pattern (made-up paths by one name),
// the response returns a sane X-Request-ID it was given and a new one
// otherwise, and the access log's JSON lines hold no password, cookie or
// CSRF token though the requests carried them.
func TestObserve_RoutesRequestIDsAndAccessLog(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	var seen []Answered
	var logs bytes.Buffer
	e.srv.cfg.Observe = func(a Answered) { mu.Lock(); seen = append(seen, a); mu.Unlock() }
	e.srv.cfg.AccessLog = slog.New(slog.NewJSONHandler(&logs, nil))
	last := func() Answered { mu.Lock(); defer mu.Unlock(); return seen[len(seen)-1] }

	c := e.client()
	for _, tc := range []struct {
		path, route string
		status      int
	}{
		{"/proposals/424242", "/proposals/:id<int>", 404},
		{"/proposals", "/proposals", 200},
		{"/made-up/" + strings.Repeat("x", 40), UnmatchedRoute, 404},
		{"/admin/made-up", "/admin", 303}, // the guard on /admin answers first
	} {
		r := c.get(tc.path)
		if a := last(); r.Status != tc.status || a.Route != tc.route || a.Status != tc.status || a.Method != "GET" || a.Bytes != len(r.Body) || a.Took <= 0 {
			t.Errorf("GET %s: status %d, observed %+v; want route %s, status %d, %d bytes", tc.path, r.Status, a, tc.route, tc.status, len(r.Body))
		}
	}

	if got := c.do("GET", "/proposals", nil, RequestIDHeader, "trace-42:a.b_c").Header.Get(RequestIDHeader); got != "trace-42:a.b_c" {
		t.Errorf("a sane request id came back as %q", got)
	}
	made := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-z]+$`)
	ids := map[string]bool{}
	for _, given := range []string{"", "two words", "<script>", strings.Repeat("a", 65), "ключ"} {
		got := c.do("GET", "/proposals", nil, RequestIDHeader, given).Header.Get(RequestIDHeader)
		if !made.MatchString(got) || ids[got] {
			t.Errorf("request id %q came back as %q, want a new one of the server's", given, got)
		}
		ids[got] = true
	}

	u := e.register("관찰자")
	token := u.csrf()
	u.post("/logout", nil)
	u.post("/login", url.Values{"email": {"user" + itoa(userSeq) + "@example.org"}, "password": {"correct horse battery staple"}})
	if u.cookies[SessionCookie] == "" {
		t.Fatal("not signed in again")
	}
	out := logs.String()
	for _, secret := range []string{"correct horse battery staple", token, u.cookies[SessionCookie]} {
		if strings.Contains(out, secret) {
			t.Errorf("the access log holds %q", secret)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	posts := 0
	for _, line := range lines {
		var fields map[string]any
		if err := json.Unmarshal([]byte(line), &fields); err != nil {
			t.Fatalf("not JSON: %v: %s", err, line)
		}
		for _, f := range []string{"msg", "method", "route", "status", "duration", "bytes", "request_id"} {
			if _, ok := fields[f]; !ok {
				t.Errorf("line without %s: %s", f, line)
			}
		}
		if fields["method"] == "POST" && fields["route"] == "/login" {
			posts++
		}
	}
	if len(lines) != len(seen) || posts != 1 {
		t.Errorf("%d access log lines, %d requests observed, %d sign-ins logged (want 1)", len(lines), len(seen), posts)
	}
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkObserve measures what observe costs a request: a bare app
// answering one route with no middleware, with observe and nothing to tell,
// with observe telling Observe, and with observe writing the JSON access
// log to nowhere and to a file. The differences are observe's cost;
// cpu-ns/op (the process's CPU time per request) survives a busy machine
// better than ns/op.
func BenchmarkObserve(b *testing.B) {
	file, err := os.Create(filepath.Join(b.TempDir(), "access.log"))
	if err != nil {
		b.Fatal(err)
	}
	defer file.Close()
	for _, bc := range []struct {
		name    string
		observe bool
		cfg     Config
	}{
		{"bare", false, Config{}},
		{"observe", true, Config{}},
		{"observe+metrics-hook", true, Config{Observe: func(Answered) {}}},
		{"observe+json-discard", true, Config{AccessLog: slog.New(slog.NewJSONHandler(io.Discard, nil))}},
		{"observe+json-file", true, Config{AccessLog: slog.New(slog.NewJSONHandler(file, nil))}},
		{"observe+text-file", true, Config{AccessLog: slog.New(slog.NewTextHandler(file, nil))}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := &Server{cfg: bc.cfg, requestIDs: newRequestIDs()}
			app := fiber.New(fiber.Config{Immutable: true, ErrorHandler: s.handleError})
			if bc.observe {
				app.Use(s.observe)
			}
			app.Get("/proposals/:id<int>", func(c *fiber.Ctx) error { return c.SendString("ok") })
			h := app.Handler()
			var ctx fasthttp.RequestCtx
			ctx.Request.Header.SetMethod(fiber.MethodGet)
			ctx.Request.SetRequestURI("/proposals/12")
			b.ReportAllocs()
			start := cpuTime()
			for b.Loop() {
				h(&ctx)
				ctx.Response.Reset()
			}
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

// TestServer_ThreadCacheStats counts a thread's first view after a new
// comment as misses (the comments read, the new comment drawn, the guest's
// page of comments drawn) and the next view as hits only: a guest's page
// is kept whole, a member's is drawn from the comments' fragments.
func TestServer_ThreadCacheStats(t *testing.T) {
	e := newEnv(t)
	author := e.register("글쓴이")
	id := e.openProposal(author, "통계 시험 제안", "본문")
	page := "/proposals/" + itoa(int(id))
	if r := author.post(page+"/comments", url.Values{"stance": {"for"}, "body": {"첫 의견"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("comment: %d", r.Status)
	}
	guest := e.client()
	before := e.srv.ThreadCacheStats()
	guest.get(page)
	first := e.srv.ThreadCacheStats()
	guest.get(page)
	second := e.srv.ThreadCacheStats()
	if first.ThreadReads <= before.ThreadReads || first.FragmentDrawn <= before.FragmentDrawn || first.PageDrawn <= before.PageDrawn {
		t.Errorf("first view: %+v after %+v, want the comments read and drawn", first, before)
	}
	// The second guest is served the page as kept (guestpages.go), its comments from the kept page of comments.
	if second.ThreadReads != first.ThreadReads || second.FragmentDrawn != first.FragmentDrawn || second.PageDrawn != first.PageDrawn ||
		second.PageHits <= first.PageHits {
		t.Errorf("second view: %+v after %+v, want hits only", second, first)
	}
	reader := e.register("읽는 시민") // not the author, whose own comment is drawn for them
	reader.get(page)              // a member's kind of fragment is drawn once
	drawn := e.srv.ThreadCacheStats()
	reader.get(page)
	member := e.srv.ThreadCacheStats()
	if member.FragmentHits <= drawn.FragmentHits || member.FragmentDrawn != drawn.FragmentDrawn || member.PageDrawn != drawn.PageDrawn {
		t.Errorf("a member's second view: %+v after %+v, want the fragments reused", member, drawn)
	}
}
