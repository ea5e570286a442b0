package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/demo"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/forum/store/storetest"
	"github.com/e-people/e-people/moderation"
	"golang.org/x/crypto/argon2"
)

// demoSQLite is an SQLite forum filled with the demo data.
func demoSQLite(tb testing.TB) *store.Store {
	tb.Helper()
	ctx := context.Background()
	src, err := store.Open(ctx, filepath.Join(tb.TempDir(), "forum.db"), storetest.Schema(tb), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { src.Close() })
	if _, err := demo.Seed(ctx, src, moderation.NewRenderer(), demo.Options{
		Now:               func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) },
		BenchmarkComments: 60,
		Hash:              cheapHash,
	}); err != nil {
		tb.Fatalf("seed: %v", err)
	}
	return src
}

// cheapHash is an argon2id hash with tiny parameters: seeding in microseconds.
func cheapHash(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, 1, 64, 1, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=64,t=1,p=1$%s$%s", argon2.Version, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// tableCounts counts the rows of every table of the forum, by a query of
// its own (not Verify's).
func tableCounts(tb testing.TB, s *store.Store, tables []string) string {
	tb.Helper()
	var b strings.Builder
	for _, t := range tables {
		var n int
		if err := s.DB().QueryRow(`SELECT count(*) FROM ` + t).Scan(&n); err != nil {
			tb.Fatalf("count %s: %v", t, err)
		}
		fmt.Fprintf(&b, "%s %d\n", t, n)
	}
	return b.String()
}

var copiedTables = []string{"settings", "ministries", "categories", "users", "sessions", "proposals", "proposal_revisions",
	"sponsors", "supports", "debates", "comments", "comment_votes", "reports", "review_items", "moderation_actions",
	"appeals", "notifications", "proposal_ministries", "transfers", "responses", "response_revisions", "follows",
	"outbox", "account_tokens", "recovery_codes", "consents", "events", "nodes", "rate_limits", "search_index"}

// TestCopy_SQLiteToPostgres moves the demo forum from SQLite to PostgreSQL:
// a copy interrupted in one table after another resumes each time, and ends
// with the same rows as the source, a second run copies nothing, Verify finds a row changed in the
// target, and the PostgreSQL forum then reads the proposals and takes a
// new comment with an id of its own.
func TestCopy_SQLiteToPostgres(t *testing.T) {
	ctx := context.Background()
	src := demoSQLite(t)
	dst, err := store.Open(ctx, storetest.NewPostgresDatabase(t), "", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	want := tableCounts(t, src, copiedTables)
	if strings.Contains(want, "search_index 0\n") || strings.Contains(want, "comments 0\n") {
		t.Fatalf("the demo forum lacks rows to copy:\n%s", want)
	}

	// Interrupted again and again (in the order Copy takes the tables), each
	// time just after a batch of a table whose key is an integer, two
	// integers, or integers and text.
	for _, stop := range []string{"events", "users", "follows", "recovery_codes", "supports", "comments", "comment_votes"} {
		cctx, cancel := context.WithCancel(ctx)
		stopped := false
		err = store.Copy(cctx, src, dst, store.CopyOptions{Batch: 7, Report: func(table string, done, total int64) {
			if table == stop && done < total {
				stopped = true
				cancel()
			}
		}})
		cancel()
		if !stopped || !errors.Is(err, context.Canceled) {
			t.Fatalf("copy interrupted in %s: stopped %v, %v, want context.Canceled", stop, stopped, err)
		}
		if err := store.Verify(ctx, src, dst, 0); err == nil || !strings.Contains(err.Error(), "\n  "+stop+": ") ||
			!strings.Contains(err.Error(), "missing from the target") {
			t.Fatalf("verify a copy interrupted in %s: %v, want its rows missing", stop, err)
		}
	}

	// Resumed: the rest, and nothing twice (a key copied twice would fail).
	var last = map[string][2]int64{}
	if err := store.Copy(ctx, src, dst, store.CopyOptions{Batch: 7, Report: func(table string, done, total int64) {
		last[table] = [2]int64{done, total}
	}}); err != nil {
		t.Fatalf("resume the copy: %v", err)
	}
	for table, dt := range last {
		if dt[0] != dt[1] {
			t.Errorf("%s: %d of %d rows after the copy", table, dt[0], dt[1])
		}
	}
	if got := tableCounts(t, dst, copiedTables); got != want {
		t.Fatalf("row counts after the copy: got\n%s\nwant\n%s", got, want)
	}
	if err := store.Verify(ctx, src, dst, 0); err != nil {
		t.Fatalf("verify the finished copy: %v", err)
	}
	// Spot check beside Verify: the same users, in the same order, by name and e-mail.
	for _, q := range []string{`SELECT string_agg(name || ' ' || email, ',' ORDER BY id) FROM users`,
		`SELECT string_agg(CAST(id AS TEXT) || ':' || body_src, ',' ORDER BY id) FROM comments`} {
		var a, b string
		if err := src.DB().QueryRow(strings.ReplaceAll(strings.ReplaceAll(q, "string_agg", "group_concat"), "CAST(id AS TEXT)", "id")).Scan(&a); err != nil {
			t.Fatal(err)
		}
		if err := dst.DB().QueryRow(q).Scan(&b); err != nil {
			t.Fatal(err)
		}
		if a != b || a == "" {
			t.Fatalf("%s: source %.200q, target %.200q", q, a, b)
		}
	}

	// A second run copies nothing and still verifies.
	copied := 0
	if err := store.Copy(ctx, src, dst, store.CopyOptions{Report: func(_ string, done, total int64) {
		if done != total {
			copied++
		}
	}}); err != nil || copied != 0 {
		t.Fatalf("copy again: %v, %d tables short", err, copied)
	}
	if err := store.Verify(ctx, src, dst, 0); err != nil {
		t.Fatalf("verify after the second run: %v", err)
	}

	// A tampered row, a missing one and an extra one are reported.
	if _, err := dst.DB().Exec(`UPDATE users SET name = 'tampered' WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	if _, err := dst.DB().Exec(`DELETE FROM settings WHERE key = ?`, demo.SeededAtKey); err != nil {
		t.Fatal(err)
	}
	if _, err := dst.DB().Exec(`INSERT INTO rate_limits (key, window_start, hits) VALUES ('extra', 1, 1)`); err != nil {
		t.Fatal(err)
	}
	err = store.Verify(ctx, src, dst, 0)
	for _, want := range []string{
		"3 tables differ",
		`users: 1 rows differ`, `(id 2): name is`, `"tampered" in the target`,
		`(key "demo_seeded_at"): missing from the target`,
		`(key "extra"): only in the target`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("verify a tampered copy: %v\nwant %q", err, want)
		}
	}

	// The PostgreSQL forum works: it reads a proposal and takes a comment
	// whose id follows the copied ones.
	var proposalID, authorID, maxComment int64
	if err := src.DB().QueryRow(`SELECT id, author_id FROM proposals WHERE status = 'open' AND mod_state = 'visible' ORDER BY id LIMIT 1`).Scan(&proposalID, &authorID); err != nil {
		t.Fatal(err)
	}
	if err := src.DB().QueryRow(`SELECT max(id) FROM comments`).Scan(&maxComment); err != nil {
		t.Fatal(err)
	}
	ps, err := src.Proposal(ctx, proposalID)
	if err != nil {
		t.Fatal(err)
	}
	pd, err := dst.Proposal(ctx, proposalID)
	if err != nil || pd.Title != ps.Title || pd.Supports != ps.Supports {
		t.Fatalf("proposal %d on PostgreSQL: %v %+v, want %+v", proposalID, err, pd, ps)
	}
	body := "이전 후 첫 댓글"
	c, err := dst.CreateComment(ctx, store.NewComment{Subject: forum.ProposalSubject(proposalID), AuthorID: authorID,
		Input: forum.CommentInput{Stance: forum.StanceFor, Body: body}, Body: moderation.TrustedFromStore("<p>" + body + "</p>")})
	if err != nil {
		t.Fatalf("comment on the copied forum: %v", err)
	}
	if c.ID <= maxComment {
		t.Fatalf("new comment id %d, want past the copied %d", c.ID, maxComment)
	}
}

// TestCopy_RefusesOtherVersions: a target at another schema version than
// the source is refused before a row is copied.
func TestCopy_RefusesOtherVersions(t *testing.T) {
	ctx := context.Background()
	src, err := store.Open(ctx, filepath.Join(t.TempDir(), "forum.db"), storetest.Schema(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if err := src.SetSetupToken(ctx, "h"); err != nil {
		t.Fatal(err)
	}
	dst, err := store.Open(ctx, storetest.NewPostgresDatabase(t), "", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if _, err := dst.DB().Exec(`UPDATE schema_version SET version = version - 1`); err != nil {
		t.Fatal(err)
	}
	err = store.Copy(ctx, src, dst, store.CopyOptions{})
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("target at %d", store.Version()-1)) {
		t.Fatalf("copy to an older schema: %v", err)
	}
	var n int
	if err := dst.DB().QueryRow(`SELECT count(*) FROM settings`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("rows copied to a refused target: %v %d", err, n)
	}
	if err := store.Copy(ctx, dst, src, store.CopyOptions{}); err == nil {
		t.Fatal("copy from PostgreSQL to SQLite accepted")
	}
}

// TestCopy_TextKeysInByteOrder: text keys are copied, resumed and verified
// in SQLite's order (by bytes) even when the PostgreSQL database sorts text
// by a language's rules, where "a" comes before "B".
func TestCopy_TextKeysInByteOrder(t *testing.T) {
	ctx := context.Background()
	src, err := store.Open(ctx, filepath.Join(t.TempDir(), "forum.db"), storetest.Schema(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	keys := []string{"B", "a", "b", "C", "c", "가", "Ä"}
	for i, k := range keys {
		if _, err := src.DB().Exec(`INSERT INTO rate_limits (key, window_start, hits) VALUES (?, ?, ?)`, k, i, i); err != nil {
			t.Fatal(err)
		}
	}
	// A database of the test server whose text sorts as in English.
	base := storetest.NewPostgresDatabase(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("icu_%d", time.Now().UnixNano())
	if _, err := admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'`); err != nil {
		t.Fatalf("create a database sorting text as in English: %v", err)
	}
	defer admin.Exec(`DROP DATABASE ` + name + ` WITH (FORCE)`) //nolint:errcheck
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	dst, err := store.Open(ctx, u.String(), "", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	var first string
	if err := dst.DB().QueryRow(`SELECT key FROM (VALUES ('B'), ('a')) AS v (key) ORDER BY key LIMIT 1`).Scan(&first); err != nil || first != "a" {
		t.Fatalf("the target sorts %q first (%v), want \"a\": not the order this test needs", first, err)
	}

	for stopAt := 1; stopAt < len(keys); stopAt += 2 {
		cctx, cancel := context.WithCancel(ctx)
		err := store.Copy(cctx, src, dst, store.CopyOptions{Batch: 1, Report: func(table string, done, total int64) {
			if table == "rate_limits" && done == int64(stopAt) {
				cancel()
			}
		}})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("copy interrupted after %d keys: %v", stopAt, err)
		}
	}
	if err := store.Copy(ctx, src, dst, store.CopyOptions{Batch: 1}); err != nil {
		t.Fatalf("finish the copy: %v", err)
	}
	if err := store.Verify(ctx, src, dst, 0); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if got, want := tableCounts(t, dst, []string{"rate_limits"}), fmt.Sprintf("rate_limits %d\n", len(keys)); got != want {
		t.Fatalf("copied %s, want %s", got, want)
	}
}
