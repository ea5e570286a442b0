package web

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

// TestCaps_HoldUnderParallelRequests sends 50 requests of each capped action
// at once from one citizen through the real app: exactly the cap is stored
// and every other request is refused with 429 and a Retry-After.
func TestCaps_HoldUnderParallelRequests(t *testing.T) {
	const parallel = 50
	e := newEnv(t)
	ctx := context.Background()
	author := e.register("대상 작성자")
	authorID := author.user().ID
	// Open proposals to support and comments to report, one per request.
	proposals := make([]int64, parallel)
	comments := make([]int64, parallel)
	for i := range parallel {
		p, err := e.st.CreateProposal(ctx, store.NewProposal{AuthorID: authorID,
			Input: forum.ProposalInput{Title: fmt.Sprint("대상 제안 ", i), Body: "본문", CategoryID: e.cats[0].ID, MinistryID: e.mins[0].ID},
			Body:  moderation.TrustedFromStore("<p>본문</p>"), SponsorToken: fmt.Sprint("limits-", i)}, 0)
		if err != nil {
			t.Fatal(err)
		}
		proposals[i] = p.ID
		cm, err := e.st.CreateComment(ctx, store.NewComment{Subject: forum.ProposalSubject(p.ID), AuthorID: authorID,
			Input: forum.CommentInput{Stance: forum.StanceFor, Body: "대상 의견"}, Body: moderation.TrustedFromStore("<p>대상 의견</p>")})
		if err != nil {
			t.Fatal(err)
		}
		comments[i] = cm.ID
	}
	if err := e.st.SetSettings(ctx, map[string]string{"cap_proposals": "3", "cap_comments_first_day": "10",
		"cap_supports": "5", "cap_reports": "20"}); err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now().In(seoul)
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, seoul)

	for _, tc := range []struct {
		a    store.Activity
		cap  int
		path func(i int) string
		form func(i int) url.Values
	}{
		{store.ActivityProposals, 3, func(int) string { return "/proposals" }, func(i int) url.Values {
			return url.Values{"title": {fmt.Sprint("자전거 도로 확충 제안 ", i)}, "body": {fmt.Sprint("구간 ", i, "에 자전거 도로를 놓아 주십시오.")},
				"category": {itoa(int(e.cats[0].ID))}, "ministry": {itoa(int(e.mins[0].ID))}}
		}},
		{store.ActivityComments, 10, func(int) string { return "/proposals/" + itoa(int(proposals[0])) + "/comments" }, func(i int) url.Values {
			return url.Values{"stance": {"for"}, "body": {fmt.Sprint("첫날 의견 ", i, "번째입니다")}}
		}},
		{store.ActivitySupports, 5, func(i int) string { return "/proposals/" + itoa(int(proposals[i])) + "/support" }, func(int) url.Values {
			return url.Values{}
		}},
		{store.ActivityReports, 20, func(int) string { return "/reports" }, func(i int) url.Values {
			return url.Values{"kind": {"comment"}, "id": {itoa(int(comments[i]))}, "reason": {"spam"}}
		}},
	} {
		t.Run(string(tc.a), func(t *testing.T) {
			c := e.register("첫날 시민")
			token := c.csrf()
			statuses := make([]resp, parallel)
			var wg sync.WaitGroup
			for i := range parallel {
				form := tc.form(i)
				form.Set("_csrf", token)
				wg.Go(func() { statuses[i] = c.do("POST", tc.path(i), form) })
			}
			wg.Wait()
			stored, refused := 0, 0
			for _, r := range statuses {
				switch {
				case r.Status == 303:
					stored++
				case r.Status == 429 && r.Header.Get("Retry-After") != "":
					refused++
				default:
					t.Errorf("status %d (Retry-After %q), want 303 or 429: %.300s", r.Status, r.Header.Get("Retry-After"), r.Body)
				}
			}
			n, err := e.st.CountSince(ctx, c.user().ID, tc.a, midnight)
			if err != nil {
				t.Fatal(err)
			}
			if n != tc.cap || stored != tc.cap || refused != parallel-tc.cap {
				t.Errorf("%d rows stored, %d answered 303, %d refused with 429; want %d, %d, %d", n, stored, refused, tc.cap, tc.cap, parallel-tc.cap)
			}
		})
	}
}

// reconfigure replaces e's server with one on the same store whose config
// edit changed; clients keep their cookies, and the limiters start empty.
func (e *env) reconfigure(edit func(*Config)) {
	e.t.Helper()
	cfg := e.srv.cfg
	edit(&cfg)
	e.srv = newServer(e.t, e.st, cfg)
}

var apiRouteParam = regexp.MustCompile(`:[A-Za-z_]+(<[^>]*>)?\??|\*`)

// TestAPI_EveryRouteHasCORSAndLimit walks every registered route under /api/
// and checks each answers with the API's CORS header and is counted by the
// API's one limiter, so a route added later cannot skip either.
func TestAPI_EveryRouteHasCORSAndLimit(t *testing.T) {
	e := newEnv(t)
	e.reconfigure(func(c *Config) { c.APIPerMinute = 1000 })
	anon := e.client()
	last, seen := 1000, 0
	for _, r := range e.srv.App().GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		seen++
		path := apiRouteParam.ReplaceAllString(r.Path, "1")
		res := anon.do(r.Method, path, nil, "Accept", "application/json")
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("%s %s: Access-Control-Allow-Origin %q, want *", r.Method, r.Path, got)
		}
		left, err := strconv.Atoi(res.Header.Get("X-Ratelimit-Remaining"))
		if err != nil || left != last-1 {
			t.Errorf("%s %s: X-RateLimit-Remaining %q after %d left, want %d: the API limiter did not count it",
				r.Method, r.Path, res.Header.Get("X-Ratelimit-Remaining"), last, last-1)
		}
		if err == nil {
			last = left
		}
	}
	if seen < 8 {
		t.Errorf("only %d routes under /api/", seen)
	}
}

// login tries to sign in as email from the client address xff, the last hop
// a trusted proxy would add ("" sends no X-Forwarded-For).
func login(c *client, email, password, xff string) resp {
	c.e.t.Helper()
	token := c.csrf()
	form := url.Values{"email": {email}, "password": {password}, "_csrf": {token}}
	if xff == "" {
		return c.do("POST", "/login", form)
	}
	return c.do("POST", "/login", form, "X-Forwarded-For", xff)
}

// TestClientIP_TrustedProxies: behind a trusted proxy each client has its own
// bucket, keyed on the right-most address the proxy added; without trusted
// proxies X-Forwarded-For is ignored, so forging it resets nothing.
func TestClientIP_TrustedProxies(t *testing.T) {
	e := newEnv(t)
	anon := e.client()
	// app.Test's peer address is 0.0.0.0: that is the proxy here.
	e.reconfigure(func(c *Config) { c.AuthPerMinute = 2; c.TrustedProxies = []string{"0.0.0.0/32", "10.0.0.0/8"} })
	for i := range 2 {
		if r := login(anon, fmt.Sprint("a", i, "@example.org"), "wrong password", "203.0.113.7"); r.Status != 401 {
			t.Fatalf("sign-in %d from 203.0.113.7: %d, want 401", i, r.Status)
		}
	}
	for _, tc := range []struct {
		xff  string
		want int
	}{
		{"203.0.113.7", 429},                          // its bucket is spent
		{"198.51.100.1, 203.0.113.7", 429},            // a forged left-most entry changes nothing
		{"203.0.113.7, 10.1.2.3", 429},                // a trusted inner proxy is skipped
		{"198.51.100.9", 401},                         // another citizen behind the same proxy
		{"203.0.113.7, 198.51.100.10, 10.0.0.1", 401}, // the right-most untrusted address is the client
	} {
		if r := login(anon, "b@example.org", "wrong password", tc.xff); r.Status != tc.want {
			t.Errorf("X-Forwarded-For %q: status %d, want %d", tc.xff, r.Status, tc.want)
		}
	}

	e.reconfigure(func(c *Config) { c.AuthPerMinute = 2; c.TrustedProxies = nil })
	for i := range 2 {
		if r := login(anon, fmt.Sprint("c", i, "@example.org"), "wrong password", fmt.Sprint("198.51.100.", 20+i)); r.Status != 401 {
			t.Fatalf("sign-in %d: %d, want 401", i, r.Status)
		}
	}
	if r := login(anon, "d@example.org", "wrong password", "198.51.100.99"); r.Status != 429 {
		t.Errorf("without trusted proxies a new X-Forwarded-For got %d, want 429 (the header must be ignored)", r.Status)
	}
	if _, err := New(e.st, Config{Views: e.srv.cfg.Views, Assets: e.srv.cfg.Assets, TrustedProxies: []string{"10.0.0.0/33"}}); err == nil {
		t.Error("a bad trusted proxy range was accepted")
	}
}

// TestLogin_ThrottlePerAccount: failed sign-ins to one account are limited
// whatever address they come from, successful ones spend nothing, and the
// throttle of one account leaves the others alone.
func TestLogin_ThrottlePerAccount(t *testing.T) {
	e := newEnv(t)
	victim := e.register("피해 시민")
	email := victim.user().Email
	other := e.register("다른 시민").user().Email
	anon := e.client()
	e.reconfigure(func(c *Config) { c.TrustedProxies = []string{"0.0.0.0/32"} })
	const pw = "correct horse battery staple"
	for range 3 { // successful sign-ins spend nothing
		if r := login(e.client(), email, pw, "192.0.2.1"); r.Status != 303 {
			t.Fatalf("sign-in: %d, want 303", r.Status)
		}
	}
	for i := range loginFailuresPerAccount {
		addr := fmt.Sprint("198.51.100.", i+1) // a new address every time
		try := email
		if i%2 == 1 {
			try = "  " + strings.ToUpper(email) // the same account, written differently
		}
		if r := login(anon, try, "wrong password", addr); r.Status != 401 {
			t.Fatalf("failure %d: %d, want 401", i, r.Status)
		}
	}
	r := login(e.client(), email, pw, "192.0.2.1")
	if r.Status != 429 || r.Header.Get("Retry-After") == "" {
		t.Errorf("sign-in after %d failures: %d (Retry-After %q), want 429 with Retry-After", loginFailuresPerAccount, r.Status, r.Header.Get("Retry-After"))
	}
	if r := login(e.client(), other, pw, "198.51.100.1"); r.Status != 303 {
		t.Errorf("another account from the attacker's address: %d, want 303", r.Status)
	}
}

// TestPostLimit_RefusedRequestsSpendNoQuota: requests refused for want of a
// session or of a CSRF token do not spend a signed-in citizen's write quota,
// even from the same address.
func TestPostLimit_RefusedRequestsSpendNoQuota(t *testing.T) {
	e := newEnv(t)
	author := e.register("작성 시민")
	citizen := e.register("지지 시민")
	pid := e.openProposal(author, "공원 음수대 설치", "공원마다 음수대를 놓아 주십시오.")
	stranger := e.client()
	token := stranger.csrf() // a stranger's own valid token: the request passes CSRF and fails sign-in
	e.reconfigure(func(c *Config) { c.PostPerMinute = 5 })
	support := "/proposals/" + itoa(int(pid)) + "/support"
	for range 20 {
		if r := stranger.do("POST", support, url.Values{"_csrf": {token}}); r.Status != 401 && r.Status != 429 {
			t.Fatalf("a stranger's support: %d, want 401 or 429", r.Status)
		}
		if r := citizen.do("POST", support, url.Values{"_csrf": {"forged"}}); r.Status != 403 {
			t.Fatalf("a forged support: %d, want 403", r.Status)
		}
	}
	if r := citizen.post(support, nil); r.Status != 303 {
		t.Errorf("the citizen's own support after 40 refused requests from the same address: %d, want 303", r.Status)
	}
}

// TestClientIP_EveryLimitUsesIt reads the package's source: nothing but
// clientIP asks Fiber for the peer address, and every limiter names its key,
// so a limiter added later cannot fall back to Fiber's c.IP() and key all
// citizens behind the proxy together.
func TestClientIP_EveryLimitUsesIt(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	limiters := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && (sel.Sel.Name == "IP" || sel.Sel.Name == "IPs") && len(n.Args) == 0 {
					t.Errorf("%s: %s() outside clientIP: per-IP limits key on s.clientIP", fset.Position(n.Pos()), sel.Sel.Name)
				}
			case *ast.CompositeLit:
				sel, ok := n.Type.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Config" || fmt.Sprint(sel.X) != "limiter" {
					return true
				}
				limiters++
				keyed := false
				for _, el := range n.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok && fmt.Sprint(kv.Key) == "KeyGenerator" {
						keyed = true
					}
				}
				if !keyed {
					t.Errorf("%s: a limiter without a KeyGenerator keys on c.IP(), the proxy's address", fset.Position(n.Pos()))
				}
			}
			return true
		})
	}
	if limiters < 4 {
		t.Errorf("found %d limiters, want at least 4 (writes, sign-in, sign-in per account, API)", limiters)
	}
}
