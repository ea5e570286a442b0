package e2e

// Helpers for the tests that drive the real epeople binary: the binary built
// once per `go test` run, a demo database seeded once and copied for each
// server, servers that end with the test, signed-in visitors that post forms
// with their CSRF token from their own loopback address, live sockets, and
// checks of what the SQLite file holds afterwards.

import (
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/forum/store/storetest"
	"github.com/gorilla/websocket"
	_ "github.com/mattn/go-sqlite3"
)

// harness holds what is made once per test run: the binary and the demo
// database. TestMain removes both at the end.
var harness struct {
	binary   Builder
	demoOnce sync.Once
	demoDir  string
	demo     *demoDB
}

func TestMain(m *testing.M) {
	code := storetest.Run(m) // the cluster test's PostgreSQL and NATS stop here
	harness.binary.Cleanup()
	if harness.demoDir != "" {
		_ = os.RemoveAll(harness.demoDir)
	}
	os.Exit(code)
}

// binary is the epeople binary, built once per test run.
func binary(t *testing.T) string {
	t.Helper()
	bin, err := harness.binary.Build()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// launchServer starts `epeople serve` on db at a free loopback address and
// returns at once; the process is killed at the end of the test if still running.
func launchServer(t *testing.T, db string, args ...string) *Server {
	t.Helper()
	s, err := Launch(binary(t), db, filepath.Join(t.TempDir(), "server.log"), args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !s.Exited() {
			s.Kill()
		}
	})
	return s
}

// startServer launches the server and waits until it says it serves.
func startServer(t *testing.T, db string, args ...string) *Server {
	t.Helper()
	s, err := Start(context.Background(), binary(t), db, filepath.Join(t.TempDir(), "server.log"), args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !s.Exited() {
			s.Kill()
		}
	})
	return s
}

// stopServer stops the server and fails the test unless it exits 0 within StopTimeout.
func stopServer(t *testing.T, s *Server) {
	t.Helper()
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
}

// demoDB is a stopped, checkpointed demo database and its signed-in accounts.
type demoDB struct {
	path     string
	accounts []Account
}

// demoAccounts is how many demo citizens the template signs in: each sign-in
// costs an argon2id hash, so it happens once per test run.
const demoAccounts = 20

// demoTemplate seeds a demo database once per test run (`serve -demo`), signs
// in demoAccounts citizens through /login, stops the server and raises the
// daily caps. Copy it with copyDemo.
func demoTemplate(t *testing.T) *demoDB {
	t.Helper()
	harness.demoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "epeople-test-")
		if err != nil {
			t.Fatal(err)
		}
		harness.demoDir = dir
		path := filepath.Join(dir, "demo", "e.db")
		start := time.Now()
		srv := startServer(t, path, "-demo")
		seeded := time.Since(start)
		emails := make([]string, demoAccounts)
		for i := range emails {
			emails[i] = fmt.Sprintf("citizen%d@e-people.example", i+1)
		}
		accounts, err := SignInAll(context.Background(), srv.Base, emails, "demo-citizen-2026!")
		if err != nil {
			t.Fatal(err)
		}
		d := &demoDB{path: path, accounts: accounts}
		stopServer(t, srv)
		// The demo citizens were all created today, and seeding gave each of
		// them dozens of comments today: the first-day and daily comment caps
		// (10 and 60) would refuse them at once. The tests raise the caps the
		// way an administrator's settings do, so that comment volume is
		// limited by the tests' own pacing, not by anti-spam caps.
		ctx := context.Background()
		st, err := store.Open(ctx, path, storetest.Schema(t), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SetSettings(ctx, map[string]string{forum.SettingCapComments: "100000", forum.SettingCapCommentsFirstDay: "100000"}); err != nil {
			t.Fatal(err)
		}
		for i := range d.accounts {
			u, _, err := st.UserByEmail(ctx, d.accounts[i].Email)
			if err != nil {
				t.Fatal(err)
			}
			d.accounts[i].UserID = u.ID
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("demo database seeded and %d citizens signed in, in %s", demoAccounts, time.Since(start).Round(time.Millisecond))
		t.Logf("(seeding to \"serving at\": %s)", seeded.Round(time.Millisecond))
		harness.demo = d
	})
	if harness.demo == nil {
		t.Fatal("the demo database could not be prepared (see the first test that asked for it)")
	}
	return harness.demo
}

// copyDemo copies the demo database into a new temporary directory (or dir
// when given) and returns the copy's path.
func copyDemo(t *testing.T, dir string) string {
	t.Helper()
	d := demoTemplate(t)
	if dir == "" {
		dir = t.TempDir()
	}
	dst := filepath.Join(dir, "e.db")
	b, err := os.ReadFile(d.path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dst
}

// visitor sends requests as one account (or anonymously) from one address.
type visitor struct {
	Account
	base string
	hc   *http.Client

	mu       sync.Mutex
	confirms map[int64]url.Values // by proposal: the support step's confirmation, once read (supportStep)
}

// newVisitor returns a's client against base from ip; a may be the zero account.
// Its idle connections are closed when the test ends.
func newVisitor(t *testing.T, base string, a Account, ip net.IP, timeout time.Duration) *visitor {
	v := &visitor{Account: a, base: base, hc: NewClient(ip, 32, timeout)}
	t.Cleanup(v.hc.CloseIdleConnections)
	return v
}

// reply is what one request got.
type reply struct {
	Status     int
	RetryAfter string
	Body       []byte
	Latency    time.Duration
}

// do sends one request, asking for gzip as a browser does, and reads the
// whole answer, unpacked.
func (v *visitor) do(method, path string, form url.Values) (reply, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, v.base+path, body)
	if err != nil {
		return reply{}, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method == http.MethodPost {
		req.Header.Set("Accept", "application/json")
		req.Header.Set("X-CSRF-Token", v.CSRF)
	}
	if v.Session != "" {
		req.AddCookie(v.Cookie())
	}
	req.Header.Set("Accept-Encoding", "gzip")
	start := time.Now()
	res, err := v.hc.Do(req)
	if err != nil {
		return reply{Latency: time.Since(start)}, err
	}
	defer res.Body.Close()
	rd := io.Reader(res.Body)
	if res.Header.Get("Content-Encoding") == "gzip" {
		if rd, err = gzip.NewReader(res.Body); err != nil {
			return reply{Status: res.StatusCode, Latency: time.Since(start)}, err
		}
	}
	b, err := io.ReadAll(rd)
	r := reply{Status: res.StatusCode, RetryAfter: res.Header.Get("Retry-After"), Body: b, Latency: time.Since(start)}
	return r, err
}

func (v *visitor) get(path string) (reply, error) { return v.do(http.MethodGet, path, nil) }

// post sends a form with the session's CSRF token, asking for JSON.
func (v *visitor) post(path string, form url.Values) (reply, error) {
	if form == nil {
		form = url.Values{}
	}
	return v.do(http.MethodPost, path, form)
}

// comment posts body under proposal id; on 201 it returns the new comment's id.
func (v *visitor) comment(id int64, body string) (reply, int64, error) {
	r, err := v.post(fmt.Sprintf("/proposals/%d/comments", id), url.Values{"body": {body}, "stance": {"neutral"}})
	if err != nil || r.Status != http.StatusCreated {
		return r, 0, err
	}
	var out struct {
		CommentID int64 `json:"comment_id"`
		Held      bool  `json:"held"`
	}
	if err := json.Unmarshal(r.Body, &out); err != nil || out.CommentID == 0 {
		return r, 0, fmt.Errorf("comment answer %q: %v", r.Body, err)
	}
	if out.Held {
		return r, 0, fmt.Errorf("comment %d was held for review", out.CommentID)
	}
	return r, out.CommentID, nil
}

// setSupport supports (on) or unsupports proposal id. A support of a
// proposal with an argument against it confirms the support step (the
// strongest arguments, read before the first support of each proposal and
// kept): refused with 409 objection_unseen (they changed since), it reads
// the step again and sends the support once more.
func (v *visitor) setSupport(id int64, on bool) (reply, error) {
	if !on {
		return v.post(fmt.Sprintf("/proposals/%d/unsupport", id), nil)
	}
	path := fmt.Sprintf("/proposals/%d/support", id)
	v.mu.Lock()
	form, read := v.confirms[id]
	v.mu.Unlock()
	if !read { // read the step first (a GET): a refused POST would spend the write budget
		var err error
		if form, err = v.supportStep(id); err != nil {
			return reply{}, err
		}
	}
	r, err := v.post(path, form)
	if err != nil || r.Status != http.StatusConflict || !strings.Contains(string(r.Body), `"objection_unseen"`) {
		return r, err
	}
	if form, err = v.supportStep(id); err != nil {
		return r, err
	}
	return v.post(path, form)
}

// supportStep reads the support step of proposal id as a script does
// (GET /proposals/{id}/support, JSON) and keeps the confirmation it asks
// for; nil when the proposal has no argument against.
func (v *visitor) supportStep(id int64) (url.Values, error) {
	req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/proposals/%d/support", v.base, id), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if v.Session != "" {
		req.AddCookie(v.Cookie())
	}
	res, err := v.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var step struct {
		Objection bool `json:"objection"`
		Confirm   struct {
			Against int64 `json:"against"`
			For     int64 `json:"for"`
		} `json:"confirm"`
	}
	if err := json.NewDecoder(res.Body).Decode(&step); err != nil || res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("support step of %d: %d, %v", id, res.StatusCode, err)
	}
	var form url.Values
	if step.Objection {
		form = url.Values{"seen": {"1"}, "against": {strconv.FormatInt(step.Confirm.Against, 10)}, "for": {strconv.FormatInt(step.Confirm.For, 10)}}
	}
	v.mu.Lock()
	if v.confirms == nil {
		v.confirms = map[int64]url.Values{}
	}
	v.confirms[id] = form
	v.mu.Unlock()
	return form, nil
}

// commentBook records what the server answered to comment posts.
type commentBook struct {
	mu      sync.Mutex
	prefix  string           // every body the test posts starts with it
	acked   map[string]int64 // body → id: acknowledged, must be stored once
	refused map[string]int   // body → status: refused, must not be stored
	unknown map[string]bool  // no answer: may or may not be stored
}

func newCommentBook(prefix string) *commentBook {
	return &commentBook{prefix: prefix, acked: map[string]int64{}, refused: map[string]int{}, unknown: map[string]bool{}}
}

// record files the outcome of posting body.
func (b *commentBook) record(body string, r reply, id int64, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case err == nil && id != 0:
		b.acked[body] = id
	case r.Status != 0:
		b.refused[body] = r.Status
	default:
		b.unknown[body] = true
	}
}

// verify checks the database against the book: every acknowledged comment
// stored exactly once under its id, no refused one stored, nothing else stored.
func (b *commentBook) verify(t *testing.T, db *sql.DB) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	rows, err := db.Query(`SELECT id, body_src FROM comments WHERE substr(body_src, 1, ?) = ?`, len(b.prefix), b.prefix)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	stored := map[string][]int64{}
	for rows.Next() {
		var id int64
		var body string
		if err := rows.Scan(&id, &body); err != nil {
			t.Fatal(err)
		}
		stored[body] = append(stored[body], id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	lost, dup, wrong, refusedStored, phantom := 0, 0, 0, 0, 0
	for body, id := range b.acked {
		switch ids := stored[body]; {
		case len(ids) == 0:
			lost++
			if lost <= 3 {
				t.Errorf("acknowledged comment %d lost: %.40q", id, body)
			}
		case len(ids) > 1:
			dup++
			t.Errorf("acknowledged comment stored %d times: %v", len(ids), ids)
		case ids[0] != id:
			wrong++
			t.Errorf("acknowledged as comment %d but stored as %d", id, ids[0])
		}
	}
	for body, status := range b.refused {
		if len(stored[body]) > 0 {
			refusedStored++
			t.Errorf("comment refused with %d is stored anyway as %v", status, stored[body])
		}
	}
	for body, ids := range stored {
		_, acked := b.acked[body]
		if !acked && !b.unknown[body] && b.refused[body] == 0 {
			phantom++
			t.Errorf("comment %v stored but never posted by this test: %.40q", ids, body)
		}
		if !acked && len(ids) > 1 {
			dup++
			t.Errorf("unacknowledged comment stored %d times: %v", len(ids), ids)
		}
	}
	if lost > 3 {
		t.Errorf("… %d acknowledged comments lost in all", lost)
	}
	t.Logf("comments: %d acknowledged, %d refused, %d unanswered; stored: %d of this test's; lost %d, duplicated %d, misnumbered %d, refused-but-stored %d, unexplained %d",
		len(b.acked), len(b.refused), len(b.unknown), len(stored), lost, dup, wrong, refusedStored, phantom)
}

// supportKey is one (user, proposal) pair.
type supportKey struct{ user, proposal int64 }

// supportBook tracks the support state the server acknowledged for the
// pairs the test toggles; each pair is toggled by one goroutine at a time.
type supportBook struct {
	mu      sync.Mutex
	state   map[supportKey]bool // last acknowledged state
	unknown map[supportKey]bool // a toggle went unanswered: either state is fine
	acked   int
}

// loadSupports reads the current state of every pair of users × proposals.
func loadSupports(t *testing.T, db *sql.DB, users []int64, proposals []int64) *supportBook {
	t.Helper()
	b := &supportBook{state: map[supportKey]bool{}, unknown: map[supportKey]bool{}}
	for _, u := range users {
		for _, p := range proposals {
			var n int
			if err := db.QueryRow(`SELECT count(*) FROM supports WHERE user_id = ? AND proposal_id = ?`, u, p).Scan(&n); err != nil {
				t.Fatal(err)
			}
			b.state[supportKey{u, p}] = n > 0
		}
	}
	return b
}

// toggle flips the pair's support through v and records the answer. It
// returns the answer and whether the server acknowledged it.
func (b *supportBook) toggle(v *visitor, k supportKey) (reply, error) {
	b.mu.Lock()
	on := !b.state[k]
	b.mu.Unlock()
	r, err := v.setSupport(k.proposal, on)
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case err == nil && r.Status == http.StatusOK:
		b.state[k] = on
		delete(b.unknown, k)
		b.acked++
	case err != nil:
		b.unknown[k] = true
	}
	return r, err
}

// verify checks every pair whose last toggle was answered against the
// database; pairs left unknown take the stored state from here on.
func (b *supportBook) verify(t *testing.T, db *sql.DB) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	bad := 0
	for k, want := range b.state {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM supports WHERE user_id = ? AND proposal_id = ?`, k.user, k.proposal).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if b.unknown[k] {
			b.state[k] = n > 0
			delete(b.unknown, k)
			continue
		}
		if (n > 0) != want {
			bad++
			t.Errorf("user %d on proposal %d: acknowledged supported=%v, stored %d rows", k.user, k.proposal, want, n)
		}
	}
	t.Logf("supports: %d toggles acknowledged, %d pairs checked, %d wrong", b.acked, len(b.state), bad)
}

// openDB opens the SQLite file directly, as another process would.
func openDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	return db
}

// checkDB opens a stopped server's database and checks PRAGMA
// integrity_check and every stored counter against its rows.
func checkDB(t *testing.T, path string) {
	t.Helper()
	db := openDB(t, path)
	var res string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Errorf("integrity_check: %v %q", err, res)
	}
	db.Close()
	ctx := context.Background()
	st, err := store.Open(ctx, path, storetest.Schema(t), store.Options{})
	if err != nil {
		t.Fatalf("reopen the database: %v", err)
	}
	if err := st.CheckCounters(ctx); err != nil {
		t.Error(err)
	}
	if err := st.Close(); err != nil {
		t.Error(err)
	}
}

// maxEventID is the newest stored event's id.
func maxEventID(t *testing.T, path string) int64 {
	t.Helper()
	db := openDB(t, path)
	defer db.Close()
	var id int64
	if err := db.QueryRow(`SELECT COALESCE(max(id), 0) FROM events`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// eventIDs lists the stored event ids on topics after since, in order.
func eventIDs(t *testing.T, db *sql.DB, topics []string, since int64) []int64 {
	t.Helper()
	q := `SELECT id FROM events WHERE id > ? AND topic IN (` + strings.Repeat("?,", len(topics)-1) + `?) ORDER BY id`
	args := []any{since}
	for _, tp := range topics {
		args = append(args, tp)
	}
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// liveMsg is the part of a live event message the tests look at.
type liveMsg struct {
	ID   int64
	Type string
	Data struct {
		CommentID int64 `json:"comment_id"`
	}
}

// liveClient is one websocket subscriber that reads everything it is sent.
type liveClient struct {
	ws   *websocket.Conn
	done chan struct{} // closed when reading stopped
	// onMsg, when set, sees every message as it arrives (from the reader goroutine).
	onMsg func(m liveMsg, at time.Time)

	mu        sync.Mutex
	ids       []int64
	states    []string // the node's bus status messages, in order ("reconnecting", "live")
	closeCode int      // the code of the close frame received; 0 for none
	err       error    // why reading stopped
}

// dialLive opens a live socket on topics, replaying after since, with the
// site's own Origin. netDial, when set, makes the TCP connection.
func dialLive(base, topics string, since int64, netDial func(ctx context.Context, network, addr string) (net.Conn, error)) (*websocket.Conn, error) {
	d := websocket.Dialer{ReadBufferSize: 4096, WriteBufferSize: 256, HandshakeTimeout: 10 * time.Second, NetDialContext: netDial}
	u := fmt.Sprintf("ws%s/live?topics=%s&since=%d", strings.TrimPrefix(base, "http"), url.QueryEscape(topics), since)
	ws, res, err := d.Dial(u, http.Header{"Origin": {base}})
	if err != nil && res != nil {
		err = fmt.Errorf("%w (HTTP %s)", err, res.Status)
	}
	return ws, err
}

// startReading reads ws until it fails, keeping the ids and the close code.
func startReading(ws *websocket.Conn, onMsg func(liveMsg, time.Time)) *liveClient {
	c := &liveClient{ws: ws, done: make(chan struct{}), onMsg: onMsg}
	go func() {
		defer close(c.done)
		for {
			_, b, err := ws.ReadMessage()
			at := time.Now()
			if err != nil {
				c.mu.Lock()
				c.err = err
				var ce *websocket.CloseError
				if errors.As(err, &ce) {
					c.closeCode = ce.Code
				}
				c.mu.Unlock()
				return
			}
			var env struct {
				ID   int64           `json:"id"`
				Type string          `json:"type"`
				Data json.RawMessage `json:"data"`
			}
			if json.Unmarshal(b, &env) != nil || env.ID == 0 {
				var st struct {
					State string `json:"state"`
				}
				if env.Type == "status" && json.Unmarshal(env.Data, &st) == nil {
					c.mu.Lock()
					c.states = append(c.states, st.State)
					c.mu.Unlock()
				}
				continue // not an event (a reload notice, a status)
			}
			m := liveMsg{ID: env.ID, Type: env.Type}
			_ = json.Unmarshal(env.Data, &m.Data) // only comment events carry comment_id

			c.mu.Lock()
			c.ids = append(c.ids, m.ID)
			c.mu.Unlock()
			if c.onMsg != nil {
				c.onMsg(m, at)
			}
		}
	}()
	return c
}

// received returns a copy of the event ids read so far.
func (c *liveClient) received() []int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.ids)
}

// statuses returns a copy of the status messages read so far.
func (c *liveClient) statuses() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.states)
}

// has reports whether the client has read event id.
func (c *liveClient) has(id int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.ids) > 0 && c.ids[len(c.ids)-1] >= id
}

// stop closes the client's connection and waits for its reader.
func (c *liveClient) stop() {
	_ = c.ws.Close()
	<-c.done
}

// compareIDs describes how got differs from want (in order, no duplicates),
// or returns "" when they are equal; missing lists the ids of want not in got.
func compareIDs(got, want []int64) (diff string, missing []int64) {
	if slices.Equal(got, want) {
		return "", nil
	}
	seen := map[int64]int{}
	dups := 0
	for _, id := range got {
		if seen[id]++; seen[id] == 2 {
			dups++
		}
	}
	for _, id := range want {
		if seen[id] == 0 {
			missing = append(missing, id)
		}
	}
	ordered := slices.IsSorted(got)
	return fmt.Sprintf("got %d events, want %d: %d missing (first: %v), %d duplicated, in order: %v",
		len(got), len(want), len(missing), missing[:min(len(missing), 5)], dups, ordered), missing
}

// logEvents logs the stored rows of up to five event ids, to tell which
// events a socket missed.
func logEvents(t *testing.T, path string, ids []int64) {
	t.Helper()
	db := openDB(t, path)
	defer db.Close()
	for _, id := range ids[:min(len(ids), 5)] {
		var topic, typ, payload string
		var created int64
		if err := db.QueryRow(`SELECT topic, type, payload, created_at FROM events WHERE id = ?`, id).Scan(&topic, &typ, &payload, &created); err != nil {
			t.Logf("event %d: %v", id, err)
			continue
		}
		t.Logf("event %d: %s %s %s at %s", id, topic, typ, payload, time.Unix(created, 0).UTC().Format(time.RFC3339))
	}
}

// waitFor polls cond every 20 ms until it holds or timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// percentiles formats the nearest-rank p50/p90/p99 and the max of ds.
func percentiles(ds []time.Duration) string {
	if len(ds) == 0 {
		return "n=0"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	ms := func(p float64) string { return strconv.FormatFloat(float64(Percentile(s, p))/1e6, 'f', 1, 64) }
	return fmt.Sprintf("n=%d p50=%sms p90=%sms p99=%sms max=%sms", len(s), ms(0.50), ms(0.90), ms(0.99), ms(1))
}

// verifyStored checks the stopped server's database: integrity, counters, and
// every acknowledged comment and support (supports may be nil) as written.
func verifyStored(t *testing.T, db string, comments *commentBook, supports *supportBook) {
	t.Helper()
	checkDB(t, db)
	raw := openDB(t, db)
	defer raw.Close()
	comments.verify(t, raw)
	if supports != nil {
		supports.verify(t, raw)
	}
}
