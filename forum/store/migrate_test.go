package store

import (
	"database/sql"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/e-people/e-people/forum"
)

// buildFrozen makes a database as a binary of version v left it: the frozen
// testdata/schema_vN.sql with the rows of testdata/data_vN.sql in it.
func buildFrozen(tb testing.TB, v int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), fmt.Sprintf("v%d.db", v))
	db := rawOpen(tb, path, "_foreign_keys=on")
	for _, file := range []string{fmt.Sprintf("testdata/schema_v%d.sql", v), fmt.Sprintf("testdata/data_v%d.sql", v)} {
		script, err := os.ReadFile(file)
		if err != nil {
			tb.Fatalf("build version %d: %v", v, err)
		}
		if _, err := db.Exec(string(script)); err != nil {
			tb.Fatalf("build version %d: %s: %v", v, file, err)
		}
	}
	db.Close()
	if got := userVersion(tb, path); got != v {
		tb.Fatalf("testdata/schema_v%d.sql sets user_version %d", v, got)
	}
	return path
}

// schemaDump describes a database's schema as text to compare: every
// sqlite_schema entry with its SQL normalised, each table's columns, foreign
// keys and indexes, each index's columns, and the user_version. The SQL is
// normalised because ALTER TABLE splices a new column into the stored text of
// CREATE TABLE on one line, where schema.sql gives it a line of its own.
func schemaDump(tb testing.TB, path string) string {
	tb.Helper()
	db := rawOpen(tb, path, "mode=ro")
	defer db.Close()
	rows, err := db.Query(`SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_schema ORDER BY type, name`)
	if err != nil {
		tb.Fatal(err)
	}
	type entry struct{ typ, name, table, sql string }
	var entries []entry
	for rows.Next() {
		var e entry
		if err := rows.Scan(&e.typ, &e.name, &e.table, &e.sql); err != nil {
			tb.Fatal(err)
		}
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	rows.Close()
	var b strings.Builder
	for _, e := range entries {
		fmt.Fprintf(&b, "%s %s on %s: %s\n", e.typ, e.name, e.table, normalizeSQL(e.sql))
		switch e.typ {
		case "table":
			dumpRows(tb, db, &b, e.name+" column", `SELECT * FROM pragma_table_xinfo(?)`, e.name)
			dumpRows(tb, db, &b, e.name+" foreign key", `SELECT * FROM pragma_foreign_key_list(?) ORDER BY id, seq`, e.name)
			dumpRows(tb, db, &b, e.name+" index", `SELECT name, "unique", origin, partial FROM pragma_index_list(?) ORDER BY name`, e.name)
		case "index":
			dumpRows(tb, db, &b, e.name+" key", `SELECT * FROM pragma_index_xinfo(?)`, e.name)
		}
	}
	dumpRows(tb, db, &b, "user_version", `PRAGMA user_version`)
	return b.String()
}

// normalizeSQL drops -- comments and collapses white space outside quotes.
func normalizeSQL(s string) string {
	var b strings.Builder
	var quote rune
	space := false
	for i := 0; i < len(s); i++ {
		c := rune(s[i])
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '-' && strings.HasPrefix(s[i:], "--"):
			for i < len(s) && s[i] != '\n' {
				i++
			}
			space = true
			continue
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			space = true
			continue
		}
		// A space before "," or ")" or after "(" is dropped: ALTER TABLE
		// splices ", column" before the closing parenthesis of the text.
		if space && b.Len() > 0 && c != ',' && c != ')' && !strings.HasSuffix(b.String(), "(") {
			b.WriteByte(' ')
		}
		space = false
		b.WriteByte(s[i])
	}
	return b.String()
}

// dumpRows writes each row of a query as a line of label and column=value pairs.
func dumpRows(tb testing.TB, db *sql.DB, b *strings.Builder, label, query string, args ...any) {
	tb.Helper()
	rows, err := db.Query(query, args...)
	if err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		tb.Fatal(err)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		b.WriteString(label)
		for i, v := range vals {
			b.WriteString(" " + cols[i] + "=")
			switch v := v.(type) {
			case nil:
				b.WriteString("NULL")
			case []byte:
				b.WriteString(strconv.Quote(string(v)))
			case string:
				b.WriteString(strconv.Quote(v))
			default:
				fmt.Fprint(b, v)
			}
		}
		b.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
}

// tableColumns returns the columns of every table in the database at path.
func tableColumns(tb testing.TB, path string) map[string][]string {
	tb.Helper()
	db := rawOpen(tb, path, "mode=ro")
	defer db.Close()
	rows, err := db.Query(`SELECT m.name, c.name FROM sqlite_schema m, pragma_table_info(m.name) c
		WHERE m.type = 'table' ORDER BY m.name, c.cid`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			tb.Fatal(err)
		}
		out[table] = append(out[table], column)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// dataDump returns every row of the given tables and columns in the
// database at path, in a stable order, as text.
func dataDump(tb testing.TB, path string, tables map[string][]string) string {
	tb.Helper()
	db := rawOpen(tb, path, "mode=ro")
	defer db.Close()
	var b strings.Builder
	for _, table := range slices.Sorted(maps.Keys(tables)) {
		cols := tables[table]
		quoted := make([]string, len(cols))
		order := make([]string, len(cols))
		for i, c := range cols {
			quoted[i], order[i] = `"`+c+`"`, strconv.Itoa(i+1)
		}
		dumpRows(tb, db, &b, table, `SELECT `+strings.Join(quoted, ", ")+` FROM "`+table+`" ORDER BY `+strings.Join(order, ", "))
	}
	return b.String()
}

// lineDiff lists the lines only in a (as -) and only in b (as +).
func lineDiff(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ina, inb := in(a), in(b)
	var out strings.Builder
	for _, l := range strings.Split(a, "\n") {
		if !inb[l] {
			out.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if !ina[l] {
			out.WriteString("+ " + l + "\n")
		}
	}
	return out.String()
}

// rewrittenBy names, for each schema version, the columns of older rows
// its upgrade rewrites on purpose; the upgrade test leaves them out of its
// comparison of the rows before and after, and checks them by the rule
// they follow (CheckCounters for counters) and in a test of their own.
var rewrittenBy = map[int]map[string][]string{
	// Version 3 counts supports and co-sponsorships of verified accounts
	// only; the accounts of version 2 are all unverified.
	3: {"proposals": {"support_count", "sponsor_count"}},
	// Version 6's text upgrade (upgradeTexts) rebuilds the search index
	// from the rendered bodies, adding what older rows lacked, and records
	// its formats in settings ("*": the whole table; TestStore_TextUpgrade
	// checks them).
	6: {"search_index": {"*"}, "search_index_content": {"*"}, "search_index_data": {"*"},
		"search_index_docsize": {"*"}, "search_index_idx": {"*"}, "settings": {"*"}},
}

// TestOpen_UpgradeMatchesFresh builds a database from every frozen older
// schema with rows of its time in it, lets Open upgrade it, and expects the
// schema of a fresh database and every old row as it was.
func TestOpen_UpgradeMatchesFresh(t *testing.T) {
	frozen, err := filepath.Glob("testdata/schema_v*.sql")
	if err != nil || len(frozen) == 0 {
		t.Fatalf("no frozen schemas in testdata: %v", err)
	}
	freshPath := filepath.Join(t.TempDir(), "fresh.db")
	s, err := Open(ctx, freshPath, readSchema(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	fresh := schemaDump(t, freshPath)

	versionOf := regexp.MustCompile(`schema_v(\d+)\.sql$`)
	for _, file := range frozen {
		m := versionOf.FindStringSubmatch(file)
		if m == nil {
			t.Errorf("%s: name is not schema_vN.sql", file)
			continue
		}
		v, _ := strconv.Atoi(m[1])
		t.Run(filepath.Base(file), func(t *testing.T) {
			if v >= Version() {
				t.Fatalf("frozen schema version %d is not older than this binary's %d: schema.sql is the current one", v, Version())
			}
			path := buildFrozen(t, v)
			tables := tableColumns(t, path)
			for u := v; u < Version(); u++ {
				for table, cols := range rewrittenBy[u+1] {
					if slices.Equal(cols, []string{"*"}) {
						delete(tables, table)
						continue
					}
					tables[table] = slices.DeleteFunc(tables[table], func(c string) bool { return slices.Contains(cols, c) })
				}
			}
			before := dataDump(t, path, tables)
			s, err := Open(ctx, path, readSchema(t), Options{})
			if err != nil {
				t.Fatalf("upgrade from version %d: %v", v, err)
			}
			checkCounters(t, s)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if got := schemaDump(t, path); got != fresh {
				t.Errorf("upgraded from version %d differs from fresh:\n%s", v, lineDiff(got, fresh))
			}
			if after := dataDump(t, path, tables); after != before {
				t.Errorf("rows changed in the upgrade from version %d:\n%s", v, lineDiff(before, after))
			}
		})
	}
}

// TestOpen_UpgradeToV2CountsCommentChanges checks the first upgrade on the
// rows version 1 left: their comments start at version 1, and the database
// adds one on every later change to a comment row, whoever writes it.
func TestOpen_UpgradeToV2CountsCommentChanges(t *testing.T) {
	s := openTestAt(t, buildFrozen(t, 1), nil)
	flat, err := s.Comments(ctx, forum.ProposalSubject(1))
	if err != nil || len(flat) != 3 {
		t.Fatalf("comments after the upgrade: %d, %v; want the 3 of version 1", len(flat), err)
	}
	for _, c := range flat {
		if c.Version != 1 {
			t.Errorf("comment %d from version 1 has version %d, want 1", c.ID, c.Version)
		}
	}
	voted, err := s.VoteComment(ctx, 2, 2, 1)
	if err != nil || voted.Version != 2 || voted.Up != 1 {
		t.Fatalf("vote on an old comment: %+v, %v; want version 2 and one up vote", voted, err)
	}
	// An UPDATE outside the store's methods counts too, even one that writes
	// back what was there: the trigger keeps the version, not each writer.
	if _, err := s.DB().Exec(`UPDATE comments SET mod_reason = mod_reason WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int64]int64{1: 2, 2: 2, 3: 1} {
		c, err := s.Comment(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Version != want {
			t.Errorf("comment %d: version %d, want %d", id, c.Version, want)
		}
	}
	c, err := s.CreateComment(ctx, NewComment{Subject: forum.ProposalSubject(1), AuthorID: 3,
		Input: forum.CommentInput{ParentID: 2, Stance: forum.StanceNeutral, Body: "새 의견"}, Body: html("새 의견")})
	if err != nil || c.Version != 1 {
		t.Fatalf("new comment after the upgrade: %+v, %v; want version 1", c, err)
	}
	checkCounters(t, s)
}

// TestOpen_UpgradeToV3MovesUnverifiedCounts checks the third upgrade on the
// rows version 1 left: every account is registered and unverified, so the
// one support counted so far moves to the unverified figure; the accounts
// were last seen when they were made; and a session of version 2 lives on,
// with an id.
func TestOpen_UpgradeToV3MovesUnverifiedCounts(t *testing.T) {
	path := buildFrozen(t, 1)
	raw := rawOpen(t, path, "")
	if _, err := raw.Exec(`INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ('old-session', 2, 'csrf-old', 1764230400, 4102444800)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	s := openTestAt(t, path, nil)
	var supports, unverified, registered, users, unseen int
	db := s.DB()
	if err := db.QueryRow(`SELECT support_count, unverified_supports FROM proposals WHERE id = 1`).Scan(&supports, &unverified); err != nil {
		t.Fatal(err)
	}
	if supports != 0 || unverified != 1 {
		t.Errorf("proposal 1 after the upgrade: %d verified and %d unverified supports, want 0 and 1", supports, unverified)
	}
	if err := db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE tier = 'registered'), count(*) FILTER (WHERE last_seen_at IS NOT created_at) FROM users`).
		Scan(&users, &registered, &unseen); err != nil {
		t.Fatal(err)
	}
	if users == 0 || registered != users || unseen != 0 {
		t.Errorf("accounts after the upgrade: %d, %d registered, %d not seen at creation; want all registered and seen when made", users, registered, unseen)
	}
	sess, err := s.SessionByToken(ctx, "old-session")
	if err != nil || sess.ID == 0 || sess.User.ID != 2 || sess.CSRF != "csrf-old" || sess.User.Tier != forum.TierRegistered {
		t.Fatalf("session of version 2 after the upgrade: %+v, %v", sess, err)
	}
	checkCounters(t, s)
}
