package web

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/e-people/e-people/assets"
	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/live"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/forum/store/storetest"
	"github.com/e-people/e-people/views"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// env is a real server on a real database: a SQLite file, or a PostgreSQL
// database when EPEOPLE_TEST_DB=postgres.
type env struct {
	t     testing.TB
	srv   *Server
	st    *store.Store
	clock *clock
	db    string            // where st lives: the SQLite file or the PostgreSQL URL
	rd    *storetest.Reader // a reader on db, opened by reader
	cats  []forum.Category
	mins  []forum.Ministry
}

// reader returns a read-only connection to e's database, opened on first use.
func (e *env) reader() *storetest.Reader {
	e.t.Helper()
	if e.rd == nil {
		e.rd = storetest.OpenReader(e.t, e.db)
	}
	return e.rd
}

func corpusDir(t testing.TB) string {
	dir, _ := filepath.Abs("../../../shared/corpora")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("test corpora not found at %s (this checkout is not beside shared/)", dir)
	}
	return dir
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{t: t, clock: &clock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}, db: storetest.Database(t)}
	var err error
	e.st, err = store.Open(context.Background(), e.db, storetest.Schema(t), store.Options{Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.st.Close() })
	common := corpusPasswords(t)
	if common == nil { // a checkout that is not beside shared/: the few the tests name
		common = forum.CommonPasswords{"1234567890": {}, "qwertyuiop": {}, "password123": {}}
	}
	e.srv = newServer(t, e.st, Config{BaseURL: "http://127.0.0.1", Views: views.FS, Assets: assets.FS, Passwords: common,
		Now: e.clock.Now, AuthPerMinute: 1000, PostPerMinute: 1 << 30, Logger: testLogger()})
	ctx := context.Background()
	m, err := e.st.CreateMinistry(ctx, forum.Ministry{Slug: "mohw", NameKO: "보건복지부", NameEN: "Ministry of Health and Welfare", NameZH: "保健福祉部"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.st.CreateCategory(ctx, forum.Category{Slug: "welfare", NameKO: "복지", NameEN: "Welfare", NameZH: "福利", MinistryID: m.ID})
	if err != nil {
		t.Fatal(err)
	}
	e.mins, e.cats = []forum.Ministry{m}, []forum.Category{c}
	// Tests post far more than a citizen may in a day; the caps have their own test.
	if err := e.st.SetSettings(ctx, map[string]string{forum.SettingSponsorThreshold: "2", "cap_proposals": "100000",
		"cap_comments": "100000", "cap_comments_first_day": "100000", "cap_supports": "100000", "cap_reports": "100000"}); err != nil {
		t.Fatal(err)
	}
	return e
}

// testLogger is the servers' error log: discarded, or written to stderr
// when EPEOPLE_TEST_LOG is set, to see why a request answered 500.
func testLogger() *slog.Logger {
	if os.Getenv("EPEOPLE_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// corpusPasswords loads the common-password list that `make run` uses, from
// shared/ beside this checkout, or returns nil when it is not there.
func corpusPasswords(t testing.TB) forum.CommonPasswords {
	t.Helper()
	f, err := os.Open("../../../shared/corpora/passwords-zxcvbn/passwords-top10000.txt")
	if err != nil {
		return nil
	}
	defer f.Close()
	list, err := forum.LoadCommonPasswords(f)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// newServer builds a server on st wired as main's serve command wires it:
// the templates parsed once (or cfg's) for the pages and the live hub's renderer, a
// running hub on cfg's clock with its sockets in cfg.Live, and the store's
// commits told to the server's caches, the hub and the sockets, in that
// order. The store tells only the newest server of its commits, as in a
// restart. The hub stops when the test ends.
func newServer(t testing.TB, st *store.Store, cfg Config) *Server {
	t.Helper()
	tpl := cfg.Templates
	if tpl == nil {
		var err error
		if tpl, err = ParseTemplates(cfg.Views, cfg.Assets, cfg.BaseURL); err != nil {
			t.Fatal(err)
		}
	}
	hub := live.New(st, NewEventRenderer(st, tpl, cfg.Logger).Render, live.Options{Now: cfg.Now})
	sockets := live.NewSockets(hub, live.SocketOptions{BaseURL: cfg.BaseURL})
	cfg.Templates, cfg.Live = tpl, sockets
	srv, err := New(st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	st.SetNotify(func(events []forum.Event) {
		srv.Invalidate(events)
		hub.Publish(events)
		sockets.CloseSuspended(events)
	})
	go hub.Run(context.Background())
	t.Cleanup(hub.Close)
	return srv
}

// shutdown stops e's server as main does: the live sockets with their
// close frames first, then the HTTP server.
func (e *env) shutdown(ctx context.Context) error {
	e.srv.cfg.Live.Close(ctx)
	return e.srv.Shutdown(ctx)
}

// client is a browser: it keeps cookies and knows its CSRF token.
type client struct {
	e       *env
	mu      sync.Mutex // guards cookies: tests send from several goroutines
	cookies map[string]string
	lang    string
}

func (e *env) client() *client { return &client{e: e, cookies: map[string]string{}} }

type resp struct {
	Status int
	Header http.Header
	Body   string
}

func (c *client) do(method, path string, form url.Values, hdr ...string) resp {
	c.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return c.send(req)
}

// send sends req with the client's cookies and keeps the cookies it gets back.
func (c *client) send(req *http.Request) resp {
	c.e.t.Helper()
	if req.Host == "example.com" { // httptest's default: address the site (BaseURL) instead
		req.Host = "127.0.0.1"
	}
	c.mu.Lock()
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	c.mu.Unlock()
	res, err := c.e.srv.App().Test(req, -1)
	if err != nil {
		c.e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 || (!ck.Expires.IsZero() && ck.Expires.Before(time.Now())) || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	return resp{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

func (c *client) get(path string) resp { return c.do("GET", path, nil) }

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrf returns the token the server put in the page's forms.
func (c *client) csrf() string {
	c.e.t.Helper()
	r := c.get("/login")
	m := csrfRe.FindStringSubmatch(r.Body)
	if m == nil {
		c.e.t.Fatalf("no CSRF token in page: %.300s", r.Body)
	}
	return m[1]
}

// post submits a form with the client's CSRF token.
func (c *client) post(path string, form url.Values) resp {
	c.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", c.csrf())
	return c.do("POST", path, form)
}

var userSeq int

// register creates a citizen account through the web, verifies its e-mail
// address, and returns the signed-in client.
func (e *env) register(name string) *client {
	e.t.Helper()
	c := e.registerUnverified(name)
	if _, err := e.st.SetTier(context.Background(), c.user().ID, forum.TierEmailVerified); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// registerUnverified creates a citizen account through the web and returns
// the signed-in client; the account stays registered, its address unchecked.
func (e *env) registerUnverified(name string) *client {
	e.t.Helper()
	userSeq++
	c := e.client()
	r := c.post("/register", url.Values{"name": {name}, "email": {"user" + itoa(userSeq) + "@example.org"},
		"password": {"correct horse battery staple"}, "consent": {"1"}})
	if r.Status != http.StatusSeeOther {
		e.t.Fatalf("register %q: status %d: %.500s", name, r.Status, r.Body)
	}
	return c
}

func itoa(n int) string { return strconv.Itoa(n) }

// user returns the signed-in user of c.
func (c *client) user() *forum.User {
	c.e.t.Helper()
	tok := c.cookies[SessionCookie]
	sess, err := c.e.st.SessionByToken(context.Background(), forum.TokenHash(tok))
	if err != nil {
		c.e.t.Fatalf("no session: %v", err)
	}
	return sess.User
}

// propose creates a proposal through the web and returns its id.
func (c *client) propose(title, body string) int64 {
	c.e.t.Helper()
	r := c.post("/proposals", url.Values{"title": {title}, "body": {body},
		"category": {itoa(int(c.e.cats[0].ID))}, "ministry": {itoa(int(c.e.mins[0].ID))}})
	if r.Status != http.StatusSeeOther {
		c.e.t.Fatalf("propose: status %d: %.800s", r.Status, r.Body)
	}
	loc := r.Header.Get("Location")
	id, ok := strings.CutPrefix(loc, "/proposals/")
	if !ok {
		c.e.t.Fatalf("propose: redirected to %q", loc)
	}
	return atoi64(id)
}

// openProposal creates a proposal and gathers its co-sponsors so it is public.
func (e *env) openProposal(author *client, title, body string) int64 {
	e.t.Helper()
	id := author.propose(title, body)
	p, err := e.st.Proposal(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	for i := 0; p.Status == forum.StatusGathering; i++ {
		s := e.register("Sponsor " + itoa(i))
		if r := s.post("/proposals/"+itoa(int(id))+"/sponsor/"+p.SponsorToken, nil); r.Status != http.StatusSeeOther {
			e.t.Fatalf("sponsor: %d %.300s", r.Status, r.Body)
		}
		if p, err = e.st.Proposal(context.Background(), id); err != nil {
			e.t.Fatal(err)
		}
	}
	return id
}

func contains(t testing.TB, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !bytes.Contains([]byte(body), []byte(w)) {
			t.Errorf("%s: missing %q", what, w)
		}
	}
}

func atoi64(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// doRaw posts an already-encoded form body, for bytes url.Values would mend.
func (c *client) doRaw(method, path, body string) resp {
	c.e.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.send(req)
}
