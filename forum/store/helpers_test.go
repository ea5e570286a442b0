package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store/storetest"
	"github.com/e-people/e-people/moderation"
)

// readSchema returns the fresh-database schema from the repository root.
func readSchema(tb testing.TB) string {
	tb.Helper()
	return storetest.Schema(tb)
}

// openTest opens a store on a new file in a temporary directory; now is its
// clock (time.Now when nil). The store is closed when the test ends.
func openTest(tb testing.TB, now func() time.Time) *Store {
	tb.Helper()
	return openTestAt(tb, storetest.Database(tb), now)
}

// openTestAt is openTest on a chosen path.
func openTestAt(tb testing.TB, path string, now func() time.Time) *Store {
	tb.Helper()
	s, err := Open(context.Background(), path, readSchema(tb), Options{Now: now})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close store: %v", err)
		}
	})
	return s
}

// clock is a settable clock for time rules.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

var ctx = context.Background()

var userSeq atomic.Int64

// newUser creates an e-mail-verified citizen with a unique e-mail.
func newUser(tb testing.TB, s *Store, name string) *forum.User {
	tb.Helper()
	n := userSeq.Add(1)
	u, err := s.CreateUser(ctx, forum.User{Role: forum.RoleCitizen, Name: name, Tier: forum.TierEmailVerified,
		Email: fmt.Sprintf("%s.%d@example.kr", name, n)}, "hash")
	if err != nil {
		tb.Fatalf("create user %s: %v", name, err)
	}
	return u
}

// newUsers creates n e-mail-verified citizens at once with a direct
// multi-row INSERT and returns their ids in order.
func newUsers(tb testing.TB, s *Store, n int) []int64 {
	tb.Helper()
	prefix := fmt.Sprintf("bulk%d", userSeq.Add(1))
	rows, err := s.DB().Query(`WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
		INSERT INTO users (role, name, email, password_hash, created_at, tier)
		SELECT 'citizen', 'u' || i, ? || '.' || i || '@example.kr', 'hash', 0, 'email_verified' FROM seq ORDER BY i RETURNING id`, n, prefix)
	if err != nil {
		tb.Fatalf("insert users: %v", err)
	}
	defer rows.Close()
	ids := make([]int64, 0, n)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil || len(ids) != n {
		tb.Fatalf("insert users: %d of %d, %v", len(ids), n, err)
	}
	return ids
}

// places creates a ministry and a category under it.
func places(tb testing.TB, s *Store, slug string) (ministryID, categoryID int64) {
	tb.Helper()
	m, err := s.CreateMinistry(ctx, forum.Ministry{Slug: slug, NameKO: "부처 " + slug, NameEN: "Ministry " + slug})
	if err != nil {
		tb.Fatal(err)
	}
	c, err := s.CreateCategory(ctx, forum.Category{Slug: slug, NameKO: "분야 " + slug, NameEN: "Area " + slug, MinistryID: m.ID})
	if err != nil {
		tb.Fatal(err)
	}
	return m.ID, c.ID
}

// world is a store with a ministry, a category and an author.
type world struct {
	s        *Store
	clock    *clock
	ministry int64
	category int64
	author   *forum.User
}

func newWorld(tb testing.TB) *world {
	tb.Helper()
	c := newClock()
	s := openTest(tb, c.now)
	m, cat := places(tb, s, "main")
	return &world{s: s, clock: c, ministry: m, category: cat, author: newUser(tb, s, "author")}
}

func html(s string) moderation.Sanitized { return moderation.TrustedFromStore("<p>" + s + "</p>") }

// propose creates a proposal by the world's author.
func (w *world) propose(tb testing.TB, title string, draft bool, threshold int) *forum.Proposal {
	tb.Helper()
	p, err := w.s.CreateProposal(ctx, NewProposal{
		AuthorID:     w.author.ID,
		Input:        forum.ProposalInput{Title: title, Body: title + " 본문", CategoryID: w.category, MinistryID: w.ministry},
		Body:         html(title),
		SponsorToken: "token-" + title,
		Draft:        draft,
	}, threshold)
	if err != nil {
		tb.Fatalf("create proposal %q: %v", title, err)
	}
	return p
}

// openProposal creates a proposal that is open at once.
func (w *world) openProposal(tb testing.TB, title string) *forum.Proposal {
	tb.Helper()
	return w.propose(tb, title, false, 0)
}

// comment posts a comment; parent 0 is top level.
func (w *world) comment(tb testing.TB, proposalID, authorID, parent int64, body string) *forum.Comment {
	tb.Helper()
	c, err := w.s.CreateComment(ctx, NewComment{Subject: forum.ProposalSubject(proposalID), AuthorID: authorID,
		Input: forum.CommentInput{ParentID: parent, Stance: forum.StanceFor, Body: body}, Body: html(body)})
	if err != nil {
		tb.Fatalf("create comment: %v", err)
	}
	return c
}

// ev is an event as the tests compare it.
type ev struct{ Type, Topic string }

func (e ev) String() string { return e.Type + "@" + e.Topic }

// lastEventID returns the id of the newest stored event.
func lastEventID(tb testing.TB, s *Store) int64 {
	tb.Helper()
	var id int64
	if err := s.DB().QueryRow(`SELECT COALESCE(max(id), 0) FROM events`).Scan(&id); err != nil {
		tb.Fatal(err)
	}
	return id
}

// eventsAfter returns the stored events newer than id, in order.
func eventsAfter(tb testing.TB, s *Store, id int64) []ev {
	tb.Helper()
	// The copies a ministry's topic gets of its proposals' and debates'
	// events are left out: TestStore_MinistryTopic checks them.
	rows, err := s.DB().Query(`SELECT type, topic, payload FROM events WHERE id > ? AND topic NOT LIKE 'ministry:%' ORDER BY id`, id)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []ev
	for rows.Next() {
		var e ev
		var payload string
		if err := rows.Scan(&e.Type, &e.Topic, &payload); err != nil {
			tb.Fatal(err)
		}
		if !json.Valid([]byte(payload)) {
			tb.Errorf("event %s has invalid JSON payload %q", e, payload)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// expectEvents runs do and checks that it appended exactly want to the events table.
func expectEvents(tb testing.TB, s *Store, do func(), want ...ev) {
	tb.Helper()
	before := lastEventID(tb, s)
	do()
	got := eventsAfter(tb, s, before)
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		tb.Errorf("events = %v, want %v", got, want)
	}
}

// count runs a count query on the writer.
func count(tb testing.TB, s *Store, query string, args ...any) int {
	tb.Helper()
	var n int
	if err := s.DB().QueryRow(query, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

// checkCounters fails the test when a stored counter disagrees with its rows.
func checkCounters(tb testing.TB, s *Store) {
	tb.Helper()
	if err := s.CheckCounters(ctx); err != nil {
		tb.Errorf("CheckCounters: %v", err)
	}
}

// wantErr fails unless err matches target with errors.Is.
func wantErr(tb testing.TB, err, target error) {
	tb.Helper()
	if !errors.Is(err, target) {
		tb.Errorf("error = %v, want %v", err, target)
	}
}

// wantInvalid fails unless err is a *forum.ValidationError with key.
func wantInvalid(tb testing.TB, err error, key string) {
	tb.Helper()
	var ve *forum.ValidationError
	if !errors.As(err, &ve) {
		tb.Errorf("error = %v (%T), want a *forum.ValidationError %s", err, err, key)
		return
	}
	if ve.Key != key {
		tb.Errorf("validation key = %q, want %q", ve.Key, key)
	}
}

// rawOpen opens path with a plain connection, outside the store.
func rawOpen(tb testing.TB, path, params string) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?"+params)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// queryPlan returns the steps of SQLite's plan for query (EXPLAIN QUERY
// PLAN), one detail line each: "SEARCH …" looks rows up, "SCAN …" reads
// every row of a table or index.
func queryPlan(tb testing.TB, s *Store, query string, args ...any) []string {
	tb.Helper()
	rows, err := s.DB().Query(`EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		tb.Fatalf("plan of %s: %v", query, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			tb.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return plan
}
