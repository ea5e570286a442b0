package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/forum/store/storetest"
)

// scenario is one request to the forum and what must come of it, in the
// style of pocketbase's API scenarios. Each scenario runs on its own copy of
// a seed forum, so it needs no other scenario to have run first.
//
// In path, form values, location, header values, want, notWant, follow and
// rows, {name} stands for the fixture's id of that name: the seed names its
// people and records ({pid}, {writer}, {mod1}, ...), setup names what it
// builds ({cid}, {review}, ...), and the runner adds {log}, the last
// moderation log row before the request, and {new}, the comment a
// redirect's #c fragment points to.
type scenario struct {
	name  string
	setup func(f *fixture) // builds what the request needs on the case's copy of the seed; optional

	as     string     // who sends the request: a client of the seed or of setup ("guest" is signed out)
	method string     // GET or POST; a POST carries the sender's CSRF token
	path   string     // the request path with its query
	form   url.Values // the fields of a POST

	status   int               // the response status
	location string            // the Location of a redirect, when it matters
	header   map[string]string // response headers that must have these values
	want     []string          // the response body contains each of these
	notWant  []string          // ... and none of these
	follow   []string          // the page the redirect leads to (where its flash shows) contains each of these
	// unchanged: the request is refused and leaves everything it could
	// touch as it was (modWorld before and after are equal).
	unchanged bool
	rows      []row                                  // queries on the case's database file after the request
	check     func(t *testing.T, f *fixture, r resp) // what the fields above cannot say
}

// row is a query against the case's database and the single value it must return.
type row struct{ query, want string }

// stringAgg is the aggregate that joins texts with a separator (and takes
// an ORDER BY), for rows' queries: SQLite calls it group_concat, PostgreSQL string_agg.
func stringAgg() string {
	if storetest.Postgres() {
		return "string_agg"
	}
	return "group_concat"
}

// fixture is one scenario's forum: a server on a copy of the seed's
// database, the seed's people signed in to it, and the ids setup named.
type fixture struct {
	t       *testing.T
	e       *env
	clients map[string]*client
	ids     map[string]int64
	db      *storetest.Reader // for rows; opened on first use
}

// seed is a forum built once and copied for every scenario, which is
// cheaper than building it again: staff sign in with an argon2 hash, and a
// proposal needs its co-sponsors.
type seed struct {
	e       *env
	file    string // a consistent copy of its database: a SQLite file, or a PostgreSQL URL
	clients map[string]*client
	ids     map[string]int64
}

// newSeed builds a forum with build and keeps a copy of its database.
func newSeed(t *testing.T, build func(f *fixture)) *seed {
	t.Helper()
	e := newEnv(t)
	e.srv.hashPassword = cheapHash // no scenario signs in with a password; staff do, through e.staff
	f := &fixture{t: t, e: e, clients: map[string]*client{"guest": e.client()}, ids: map[string]int64{}}
	build(f)
	s := &seed{e: e, file: filepath.Join(t.TempDir(), "seed.db"), clients: f.clients, ids: f.ids}
	if storetest.Postgres() {
		// PostgreSQL copies a database as a template that nobody is
		// connected to: the seed's store is done, and its copy is the
		// template of every fork.
		if err := e.st.Close(); err != nil {
			t.Fatal(err)
		}
		s.file = storetest.CopyPostgresDatabase(t, e.db)
		return s
	}
	if err := e.st.Backup(context.Background(), s.file); err != nil {
		t.Fatal(err)
	}
	return s
}

// fork opens a new store and server on a fresh copy of the seed's database,
// at the seed's time, with the seed's people signed in.
func (s *seed) fork(t *testing.T) *fixture {
	t.Helper()
	e := &env{t: t, clock: &clock{t: s.e.clock.Now()}, cats: s.e.cats, mins: s.e.mins}
	if storetest.Postgres() {
		e.db = storetest.CopyPostgresDatabase(t, s.file)
	} else {
		b, err := os.ReadFile(s.file)
		if err != nil {
			t.Fatal(err)
		}
		e.db = filepath.Join(t.TempDir(), "test.db")
		if err := os.WriteFile(e.db, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// The copy is at the current schema version, so Open has nothing to create.
	var err error
	if e.st, err = store.Open(context.Background(), e.db, "", store.Options{Now: e.clock.Now}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.st.Close() })
	cfg := s.e.srv.cfg // with the seed's parsed templates; the live hub is the fork's own
	cfg.Now = e.clock.Now
	e.srv = newServer(t, e.st, cfg)
	e.srv.hashPassword = cheapHash
	f := &fixture{t: t, e: e, clients: map[string]*client{}, ids: cloneMap(s.ids)}
	for name, c := range s.clients {
		f.clients[name] = &client{e: e, cookies: cloneMap(c.cookies), lang: c.lang}
	}
	return f
}

// run runs each scenario in its own subtest on its own fork of s. Forks
// share nothing, so the subtests run in parallel.
func (s *seed) run(t *testing.T, cases []scenario) {
	t.Helper()
	for _, sc := range cases {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			f := s.fork(t)
			if sc.setup != nil {
				sc.setup(f)
			}
			f.run(sc)
		})
	}
}

func (f *fixture) run(sc scenario) {
	t := f.t
	f.ids["log"] = f.int(`SELECT COALESCE(max(id), 0) FROM moderation_actions`)
	var before string
	if sc.unchanged {
		before = modWorld(t, f.e)
	}
	c := f.as(sc.as)
	var r resp
	switch sc.method {
	case "GET":
		r = c.get(f.expand(sc.path))
	case "POST":
		r = c.post(f.expand(sc.path), f.expandForm(sc.form))
	default:
		t.Fatalf("scenario method %q: want GET or POST", sc.method)
	}
	if r.Status != sc.status {
		t.Fatalf("%s %s as %s: status %d, want %d: %.500s", sc.method, sc.path, sc.as, r.Status, sc.status, r.Body)
	}
	loc := r.Header.Get("Location")
	if _, id, ok := strings.Cut(loc, "#c"); ok {
		f.ids["new"] = atoi64(id)
	}
	if sc.location != "" && loc != f.expand(sc.location) {
		t.Errorf("redirected to %q, want %q", loc, f.expand(sc.location))
	}
	for k, v := range sc.header {
		if got := r.Header.Get(k); got != f.expand(v) {
			t.Errorf("header %s: %q, want %q", k, got, f.expand(v))
		}
	}
	f.contains("response", r.Body, sc.want, sc.notWant)
	if len(sc.follow) > 0 {
		f.contains("page after the redirect", modFollow(t, c, r).Body, sc.follow, nil)
	}
	if sc.unchanged {
		if after := modWorld(t, f.e); after != before {
			t.Errorf("a refused request changed the state:\n%s", modDiff(before, after))
		}
	}
	for _, rw := range sc.rows {
		if got, want := f.value(rw.query), f.expand(rw.want); got != want {
			t.Errorf("%s\n  = %q, want %q", f.expand(rw.query), got, want)
		}
	}
	if sc.check != nil {
		sc.check(t, f, r)
	}
	if err := f.e.st.CheckCounters(context.Background()); err != nil {
		t.Error(err)
	}
}

// as returns the client of a person of the seed or of setup.
func (f *fixture) as(name string) *client {
	f.t.Helper()
	c, ok := f.clients[name]
	if !ok {
		f.t.Fatalf("no client %q in the fixture", name)
	}
	return c
}

// set names an id for the {name} placeholders, and returns it.
func (f *fixture) set(name string, id int64) int64 {
	f.ids[name] = id
	return id
}

// id returns a named id.
func (f *fixture) id(name string) int64 {
	f.t.Helper()
	id, ok := f.ids[name]
	if !ok {
		f.t.Fatalf("no id %q in the fixture", name)
	}
	return id
}

// expand replaces each {name} with the id of that name.
func (f *fixture) expand(s string) string {
	f.t.Helper()
	for strings.Contains(s, "{") {
		before, rest, _ := strings.Cut(s, "{")
		name, after, ok := strings.Cut(rest, "}")
		if !ok {
			break
		}
		s = before + modID(f.id(name)) + after
	}
	return s
}

// expandForm returns a copy of form with the placeholders in its values expanded.
func (f *fixture) expandForm(form url.Values) url.Values {
	f.t.Helper()
	out := url.Values{}
	for k, vs := range form {
		for _, v := range vs {
			out.Add(k, f.expand(v))
		}
	}
	return out
}

func (f *fixture) contains(what, body string, want, notWant []string) {
	f.t.Helper()
	for _, w := range want {
		if w = f.expand(w); !strings.Contains(body, w) {
			f.t.Errorf("%s: missing %q", what, w)
		}
	}
	for _, w := range notWant {
		if w = f.expand(w); strings.Contains(body, w) {
			f.t.Errorf("%s: shows %q", what, w)
		}
	}
}

// value runs a query on the database file (placeholders expanded) and returns its single value.
func (f *fixture) value(query string) string {
	f.t.Helper()
	if f.db == nil {
		f.db = f.e.reader()
	}
	return f.db.Value(f.expand(query))
}

func (f *fixture) int(query string) int64 { return atoi64(f.value(query)) }

// post sends a form as who and fails the test unless it redirects; for setup steps.
func (f *fixture) post(who, path string, form url.Values) resp {
	f.t.Helper()
	r := f.as(who).post(f.expand(path), f.expandForm(form))
	if r.Status != http.StatusSeeOther {
		f.t.Fatalf("setup: POST %s as %s: status %d: %.300s", path, who, r.Status, r.Body)
	}
	return r
}

// register signs a new citizen up through the web as the client called
// name, at the address name@example.org, and returns their user id.
func (f *fixture) register(name, display string) int64 {
	f.t.Helper()
	f.clients[name] = f.e.client()
	f.post(name, "/register", url.Values{"name": {display}, "email": {name + "@example.org"}, "password": {"correct horse battery staple"}, "consent": {"1"}})
	id := f.as(name).user().ID
	if _, err := f.e.st.SetTier(context.Background(), id, "email_verified"); err != nil { // as if the link were opened
		f.t.Fatal(err)
	}
	return f.set(name, id)
}

// cloneMap returns a shallow copy of m.
func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
