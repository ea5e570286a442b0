package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/e-people/e-people/forum/store/dialect"
	"github.com/e-people/e-people/forum/store/storetest"
)

// The schema twin: schema.sql (SQLite) and schema_postgres.sql must describe
// the same database. Both are built by store.Open, read back from each
// database's catalog, and written as the same lines in the same words:
//
//	table T
//	column T.N name TYPE [NOT NULL] [DEFAULT v]
//	primary key T (a, b)
//	unique T (a, b)
//	foreign key T (a) -> U (b) ON DELETE x
//	check T (the columns it names)
//	index I on T (a, b DESC) [unique] [where predicate]
//	trigger G on T
//	version N
//
// The known differences are left out or reduced to what both share:
// search_index (an FTS5 virtual table on SQLite; a table with a generated
// tsvector column and a GIN index on PostgreSQL) is compared by the names of
// its searchable columns, PostgreSQL's schema_version table is the version
// line (SQLite's user_version), and the comments_version trigger (AFTER
// UPDATE on SQLite, a BEFORE UPDATE trigger function on PostgreSQL) by its
// name and table.

// TestSchemaTwin builds a fresh SQLite database from schema.sql and a fresh
// PostgreSQL database from schema_postgres.sql and finds them equal.
func TestSchemaTwin(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "twin.db")
	lite, err := Open(ctx, path, readSchema(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pg, err := Open(ctx, storetest.NewPostgresDatabase(t), "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	a, b := sqliteTwin(t, lite.DB()), postgresTwin(t, pg.DB())
	if a != b {
		t.Fatalf("schema.sql and schema_postgres.sql differ (- SQLite only, + PostgreSQL only):\n%s", lineDiff(a, b))
	}
	// The description is not empty, nor blind to what it claims to compare.
	for _, want := range []string{
		"column users.5 email TEXT NOT NULL",
		"foreign key sessions (user_id) -> users (id) ON DELETE CASCADE",
		"index proposals_newest on proposals (status, published_at DESC, id DESC)",
		"index users_identity on users (identity_hash) unique where identity_hash is not null",
		"check users (ministry_id, role)",
		"unique reports (item_kind, item_id, reporter_id)",
		"primary key follows (user_id, item_kind, item_id)",
		"search_index columns kind, item_id, tokens, status, ministry_id, category_id, created_at",
		"trigger comments_version on comments",
		fmt.Sprintf("version %d", Version()),
	} {
		if !strings.Contains(a, want+"\n") {
			t.Errorf("schema description lacks %q:\n%s", want, a)
		}
	}
}

// TestSchemaTwin_SeesOneSidedChanges: a column, an index or a check added to
// one schema only is a difference the comparison reports.
func TestSchemaTwin_SeesOneSidedChanges(t *testing.T) {
	ctx := context.Background()
	base := postgresTwin(t, openTwinPG(t, ctx).DB())
	for _, change := range []struct{ sql, line string }{
		{`ALTER TABLE users ADD COLUMN nickname TEXT NOT NULL DEFAULT ''`, "+ column users.23 nickname TEXT NOT NULL DEFAULT ''"},
		{`CREATE INDEX comments_status ON comments (status)`, "+ index comments_status on comments (status)"},
		{`ALTER TABLE outbox ADD CHECK (attempts >= 0)`, "+ check outbox (attempts)"},
		{`ALTER TABLE sessions ALTER COLUMN ip DROP NOT NULL`, "+ column sessions.9 ip TEXT DEFAULT ''"},
	} {
		db := openTwinPG(t, ctx).DB()
		if _, err := db.ExecContext(ctx, change.sql); err != nil {
			t.Fatalf("%s: %v", change.sql, err)
		}
		diff := lineDiff(base, postgresTwin(t, db))
		if !strings.Contains(diff, change.line+"\n") {
			t.Errorf("after %s the comparison says:\n%s\nwant the line %q", change.sql, diff, change.line)
		}
	}
}

// TestSchemaTwin_SeesOneSidedSQLiteChanges: the same on the SQLite side.
func TestSchemaTwin_SeesOneSidedSQLiteChanges(t *testing.T) {
	ctx := context.Background()
	open := func() *Store {
		s, err := Open(ctx, filepath.Join(t.TempDir(), "twin.db"), readSchema(t), Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	base := sqliteTwin(t, open().DB())
	for _, change := range []struct{ sql, line string }{
		{`ALTER TABLE users ADD COLUMN nickname TEXT NOT NULL DEFAULT ''`, "+ column users.23 nickname TEXT NOT NULL DEFAULT ''"},
		{`CREATE INDEX comments_status ON comments (status DESC) WHERE status = 'deleted'`, "+ index comments_status on comments (status DESC) where status = 'deleted'"},
		{`ALTER TABLE outbox ADD COLUMN tries INTEGER CHECK (tries >= 0)`, "+ check outbox (tries)"},
		{`DROP INDEX events_public`, "- index events_public on events (public, id)"},
	} {
		db := open().DB()
		if _, err := db.ExecContext(ctx, change.sql); err != nil {
			t.Fatalf("%s: %v", change.sql, err)
		}
		diff := lineDiff(base, sqliteTwin(t, db))
		if !strings.Contains(diff, change.line+"\n") {
			t.Errorf("after %s the comparison says:\n%s\nwant the line %q", change.sql, diff, change.line)
		}
	}
}

func openTwinPG(tb testing.TB, ctx context.Context) *Store {
	tb.Helper()
	s, err := Open(ctx, storetest.NewPostgresDatabase(tb), "", Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// twin accumulates the lines of a schema description.
type twin struct {
	lines []string
}

func (w *twin) add(format string, args ...any) {
	w.lines = append(w.lines, fmt.Sprintf(format, args...))
}

func (w *twin) String() string {
	slices.Sort(w.lines)
	return strings.Join(w.lines, "\n") + "\n"
}

// twinStrings runs a query of one text column.
func twinStrings(tb testing.TB, db *sql.DB, query string, args ...any) []string {
	tb.Helper()
	rows, err := db.Query(query, args...)
	if err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			tb.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

var (
	sqlComment   = regexp.MustCompile(`--[^\n]*`)
	sqlLiteral   = regexp.MustCompile(`'(?:[^']|'')*'`)
	sqlIdent     = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)
	sqlSpace     = regexp.MustCompile(`\s+`)
	pgCast       = regexp.MustCompile(`::[a-z ]+`)
	pgIndexDef   = regexp.MustCompile(`^CREATE (UNIQUE )?INDEX (\S+) ON (?:\S+\.)?(\S+) USING (\w+) \((.*?)\)(?: WHERE (.*))?$`)
	pgForeignKey = regexp.MustCompile(`^FOREIGN KEY \((.*?)\) REFERENCES (?:\S+\.)?(\w+)\((.*?)\)(.*)$`)
	onDelete     = regexp.MustCompile(`ON DELETE (CASCADE|SET NULL|SET DEFAULT|RESTRICT|NO ACTION)`)
)

// normPredicate writes an index's WHERE clause the same way for both
// databases: PostgreSQL's casts and parentheses gone, lower case, single spaces.
func normPredicate(s string) string {
	s = pgCast.ReplaceAllString(s, "")
	s = strings.NewReplacer("(", "", ")", "").Replace(s)
	return strings.ToLower(strings.TrimSpace(sqlSpace.ReplaceAllString(s, " ")))
}

// namedColumns lists, sorted, the columns of cols that expr names outside
// its string literals.
func namedColumns(expr string, cols []string) string {
	expr = pgCast.ReplaceAllString(sqlLiteral.ReplaceAllString(expr, "''"), "")
	var named []string
	for _, id := range sqlIdent.FindAllString(expr, -1) {
		if slices.Contains(cols, id) && !slices.Contains(named, id) {
			named = append(named, id)
		}
	}
	slices.Sort(named)
	return strings.Join(named, ", ")
}

// sqliteChecks returns the CHECK expressions in a CREATE TABLE statement,
// on columns or on the table, each without its outer parentheses.
func sqliteChecks(create string) []string {
	create = sqlComment.ReplaceAllString(create, "")
	var out []string
	upper := strings.ToUpper(create)
	for i := 0; ; {
		j := strings.Index(upper[i:], "CHECK")
		if j < 0 {
			return out
		}
		i += j + len("CHECK")
		k := strings.IndexByte(create[i:], '(')
		if k < 0 {
			return out
		}
		start, depth, inLit := i+k, 0, false
		for p := start; p < len(create); p++ {
			switch c := create[p]; {
			case c == '\'':
				inLit = !inLit
			case inLit:
			case c == '(':
				depth++
			case c == ')':
				depth--
				if depth == 0 {
					out = append(out, create[start+1:p])
					i = p
					p = len(create)
				}
			}
		}
	}
}

// sqliteTwin describes the SQLite database db.
func sqliteTwin(tb testing.TB, db *sql.DB) string {
	tb.Helper()
	w := &twin{}
	tables := twinStrings(tb, db, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'search_index_%' ORDER BY name`)
	for _, table := range tables {
		var create string
		if err := db.QueryRow(`SELECT sql FROM sqlite_schema WHERE name = ?`, table).Scan(&create); err != nil {
			tb.Fatal(err)
		}
		cols := twinStrings(tb, db, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
		if table == "search_index" {
			if !strings.Contains(strings.ToLower(create), "using fts5") {
				tb.Fatalf("search_index is not an FTS5 table: %s", create)
			}
			w.add("search_index columns %s", strings.Join(cols, ", "))
			continue
		}
		w.add("table %s", table)
		rows, err := db.Query(`SELECT cid, name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid`, table)
		if err != nil {
			tb.Fatal(err)
		}
		var pk []string
		pkPos := map[string]int{}
		for rows.Next() {
			var cid, notNull, pkN int
			var name, typ string
			var dflt sql.NullString
			if err := rows.Scan(&cid, &name, &typ, &notNull, &dflt, &pkN); err != nil {
				tb.Fatal(err)
			}
			line := fmt.Sprintf("column %s.%d %s %s", table, cid+1, name, strings.ToUpper(typ))
			// A primary key's columns are NOT NULL on PostgreSQL; on
			// SQLite only an INTEGER PRIMARY KEY's is, but the forum never
			// stores a NULL key.
			if notNull == 1 || pkN > 0 {
				line += " NOT NULL"
			}
			if dflt.Valid {
				line += " DEFAULT " + dflt.String
			}
			w.add("%s", line)
			if pkN > 0 {
				pk = append(pk, name)
				pkPos[name] = pkN
			}
		}
		rows.Close()
		slices.SortFunc(pk, func(a, b string) int { return pkPos[a] - pkPos[b] })
		if len(pk) > 0 {
			w.add("primary key %s (%s)", table, strings.Join(pk, ", "))
		}
		fks, err := db.Query(`SELECT id, "table", "from", "to", on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`, table)
		if err != nil {
			tb.Fatal(err)
		}
		type fk struct {
			target, del string
			from, to    []string
		}
		byID := map[int]*fk{}
		var ids []int
		for fks.Next() {
			var id int
			var target, from, to, del string
			if err := fks.Scan(&id, &target, &from, &to, &del); err != nil {
				tb.Fatal(err)
			}
			if byID[id] == nil {
				byID[id] = &fk{target: target, del: del}
				ids = append(ids, id)
			}
			byID[id].from = append(byID[id].from, from)
			byID[id].to = append(byID[id].to, to)
		}
		fks.Close()
		for _, id := range ids {
			f := byID[id]
			w.add("foreign key %s (%s) -> %s (%s) ON DELETE %s", table, strings.Join(f.from, ", "), f.target, strings.Join(f.to, ", "), f.del)
		}
		for _, check := range sqliteChecks(create) {
			w.add("check %s (%s)", table, namedColumns(check, cols))
		}
		idx, err := db.Query(`SELECT name, "unique", origin FROM pragma_index_list(?)`, table)
		if err != nil {
			tb.Fatal(err)
		}
		type index struct {
			name, origin string
			unique       bool
		}
		var indexes []index
		for idx.Next() {
			var x index
			if err := idx.Scan(&x.name, &x.unique, &x.origin); err != nil {
				tb.Fatal(err)
			}
			indexes = append(indexes, x)
		}
		idx.Close()
		for _, x := range indexes {
			keys := twinStrings(tb, db, `SELECT name || CASE WHEN "desc" THEN ' DESC' ELSE '' END FROM pragma_index_xinfo(?) WHERE key ORDER BY seqno`, x.name)
			switch x.origin {
			case "pk":
				// The primary key's own index: the primary key line says it.
			case "u":
				w.add("unique %s (%s)", table, strings.Join(keys, ", "))
			default:
				var isql string
				if err := db.QueryRow(`SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?`, x.name).Scan(&isql); err != nil {
					tb.Fatal(err)
				}
				line := fmt.Sprintf("index %s on %s (%s)", x.name, table, strings.Join(keys, ", "))
				if x.unique {
					line += " unique"
				}
				if i := strings.Index(strings.ToUpper(isql), " WHERE "); i >= 0 {
					line += " where " + normPredicate(isql[i+len(" WHERE "):])
				}
				w.add("%s", line)
			}
		}
	}
	for _, trig := range twinStrings(tb, db, `SELECT name || ' on ' || tbl_name FROM sqlite_schema WHERE type = 'trigger'`) {
		w.add("trigger %s", trig)
	}
	var version int
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil {
		tb.Fatal(err)
	}
	w.add("version %d", version)
	return w.String()
}

// pgTypes names PostgreSQL's column types as schema.sql does.
var pgTypes = map[string]string{"bigint": "INTEGER", "text": "TEXT", "double precision": "REAL", "bytea": "BLOB"}

// postgresTwin describes the PostgreSQL database db (its current schema).
func postgresTwin(tb testing.TB, db *sql.DB) string {
	tb.Helper()
	w := &twin{}
	tables := twinStrings(tb, db, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	for _, table := range tables {
		switch table {
		case "schema_version":
			var version int
			if err := db.QueryRow(`SELECT version FROM schema_version`).Scan(&version); err != nil {
				tb.Fatal(err)
			}
			w.add("version %d", version)
			continue
		case "search_index":
			cols := twinStrings(tb, db, `SELECT column_name FROM information_schema.columns
				WHERE table_schema = current_schema() AND table_name = 'search_index' AND column_name NOT IN ('rowid', 'document') ORDER BY ordinal_position`)
			w.add("search_index columns %s", strings.Join(cols, ", "))
			continue
		}
		w.add("table %s", table)
		rows, err := db.Query(`SELECT ordinal_position, column_name, data_type, is_nullable, COALESCE(column_default, '')
			FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`, table)
		if err != nil {
			tb.Fatal(err)
		}
		var cols []string
		for rows.Next() {
			var pos int
			var name, typ, nullable, dflt string
			if err := rows.Scan(&pos, &name, &typ, &nullable, &dflt); err != nil {
				tb.Fatal(err)
			}
			cols = append(cols, name)
			t, ok := pgTypes[typ]
			if !ok {
				t = "unexpected type " + typ
			}
			line := fmt.Sprintf("column %s.%d %s %s", table, pos, name, t)
			if nullable == "NO" {
				line += " NOT NULL"
			}
			if dflt != "" {
				line += " DEFAULT " + pgCast.ReplaceAllString(dflt, "")
			}
			w.add("%s", line)
		}
		rows.Close()
		cons, err := db.Query(`SELECT contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = CAST(? AS regclass) ORDER BY conname`, table)
		if err != nil {
			tb.Fatal(err)
		}
		for cons.Next() {
			var typ, def string
			if err := cons.Scan(&typ, &def); err != nil {
				tb.Fatal(err)
			}
			switch typ {
			case "p":
				w.add("primary key %s %s", table, strings.TrimPrefix(def, "PRIMARY KEY "))
			case "u":
				w.add("unique %s %s", table, strings.TrimPrefix(def, "UNIQUE "))
			case "f":
				m := pgForeignKey.FindStringSubmatch(def)
				if m == nil {
					tb.Fatalf("unreadable foreign key on %s: %s", table, def)
				}
				del := "NO ACTION"
				if d := onDelete.FindStringSubmatch(m[4]); d != nil {
					del = d[1]
				}
				w.add("foreign key %s (%s) -> %s (%s) ON DELETE %s", table, m[1], m[2], m[3], del)
			case "c":
				w.add("check %s (%s)", table, namedColumns(def, cols))
			default:
				w.add("constraint %s %s %s", typ, table, def)
			}
		}
		cons.Close()
		// Indexes other than those of the primary key and unique constraints.
		defs := twinStrings(tb, db, `SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
			WHERE i.indrelid = CAST(? AS regclass) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`, table)
		for _, def := range defs {
			m := pgIndexDef.FindStringSubmatch(def)
			if m == nil {
				tb.Fatalf("unreadable index on %s: %s", table, def)
			}
			line := fmt.Sprintf("index %s on %s (%s)", m[2], m[3], m[5])
			if m[4] != "btree" {
				line += " using " + m[4]
			}
			if m[1] != "" {
				line += " unique"
			}
			if m[6] != "" {
				line += " where " + normPredicate(m[6])
			}
			w.add("%s", line)
		}
	}
	for _, trig := range twinStrings(tb, db, `SELECT t.tgname || ' on ' || c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
		WHERE NOT t.tgisinternal AND c.relnamespace = CAST(current_schema() AS regnamespace)`) {
		w.add("trigger %s", trig)
	}
	return w.String()
}

// TestOpenPostgres_UpgradeMatchesFresh: a PostgreSQL database as the first
// version with PostgreSQL support left it (testdata/postgres_v4.sql), opened
// by this binary, is upgraded to the schema of a fresh one, keeping its rows;
// and a database newer than the binary is refused.
func TestOpenPostgres_UpgradeMatchesFresh(t *testing.T) {
	ctx := context.Background()
	script, err := os.ReadFile(fmt.Sprintf("testdata/postgres_v%d.sql", postgresFirstVersion))
	if err != nil {
		t.Fatal(err)
	}
	url := storetest.NewPostgresDatabase(t)
	raw, err := dialect.OpenPostgres(url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.ExecContext(ctx, string(script)); err != nil {
		t.Fatalf("build version %d: %v", postgresFirstVersion, err)
	}
	if _, err := raw.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('kept', 'across the upgrade')`); err != nil {
		t.Fatal(err)
	}
	old := postgresTwin(t, raw)
	if !strings.Contains(old, fmt.Sprintf("version %d\n", postgresFirstVersion)) {
		t.Fatalf("testdata/postgres_v%d.sql is not at version %d:\n%s", postgresFirstVersion, postgresFirstVersion, old)
	}
	upgraded, err := Open(ctx, url, "", Options{})
	if err != nil {
		t.Fatalf("open version %d: %v", postgresFirstVersion, err)
	}
	got := postgresTwin(t, upgraded.DB())
	var kept string
	if err := upgraded.DB().QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'kept'`).Scan(&kept); err != nil || kept != "across the upgrade" {
		t.Errorf("row of version %d after the upgrade: %v %q", postgresFirstVersion, err, kept)
	}
	upgraded.Close()
	want := postgresTwin(t, openTwinPG(t, ctx).DB())
	if got != want {
		t.Fatalf("upgraded PostgreSQL schema differs from a fresh one (- upgraded, + fresh):\n%s", lineDiff(got, want))
	}

	if _, err := raw.ExecContext(ctx, `UPDATE schema_version SET version = version + 1`); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(ctx, url, "", Options{}); err == nil || !strings.Contains(err.Error(), "newer than this binary") {
		if s != nil {
			s.Close()
		}
		t.Fatalf("open a database of version %d with a binary of version %d: %v, want refused", Version()+1, Version(), err)
	}
}
