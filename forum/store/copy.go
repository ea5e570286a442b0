package store

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Moving a forum from SQLite to PostgreSQL (epeople migrate). Copy copies
// every table, parents before the tables that refer to them, each in
// primary-key order, in batches that are each one PostgreSQL transaction.
// Its progress is therefore the target itself: every row up to the largest
// key the target holds has been copied, so a copy that was interrupted
// continues after that key, and a finished one copies nothing. Verify then
// reads every row of every table from both, in key order, and compares them.
// The source must not change while this runs: the forum is stopped.
//
// The list of tables, their columns and keys come from the target's catalog
// (schema_postgres.sql, the twin of schema.sql: TestSchemaTwin), so that a
// table added to both schemas is copied without a change here.

// CopyOptions tunes Copy.
type CopyOptions struct {
	// Batch is how many rows one PostgreSQL transaction copies; 500 when 0.
	Batch int
	// Report, when set, is told after each batch how many rows of a table
	// the target holds (done) of the source's (total).
	Report func(table string, done, total int64)
}

// copyTable is a table as Copy and Verify see it.
type copyTable struct {
	name     string
	cols     []string // in the table's order, without generated columns
	text     []bool   // cols[i] is text
	key      []int    // the primary key, as indexes into cols
	identity string   // the identity column, if any
}

// SchemaVersion is the database's schema version: PRAGMA user_version on
// SQLite, the schema_version table on PostgreSQL.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	// The two databases keep the version differently (postgres.go).
	q := `PRAGMA user_version`
	if s.pg {
		q = `SELECT version FROM schema_version`
	}
	var v int
	if err := s.r.QueryRowContext(ctx, q).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// Copy copies every row of the SQLite forum from into the PostgreSQL forum
// to, continuing a copy that was interrupted, and sets to's identity
// sequences past the largest ids. Both must be at the same schema version
// (Open upgrades each to this binary's).
func Copy(ctx context.Context, from, to *Store, opt CopyOptions) error {
	if opt.Batch <= 0 {
		opt.Batch = 500
	}
	tables, err := copyPlan(ctx, from, to)
	if err != nil {
		return err
	}
	for _, t := range tables {
		if err := copyRows(ctx, from, to, t, opt); err != nil {
			return err
		}
	}
	for _, t := range tables {
		if t.identity == "" {
			continue
		}
		// The next id the sequence hands out is one past the largest copied.
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence(?, ?), (SELECT COALESCE(max(%s), 0) + 1 FROM %s), false)`,
			copyIdent(t.identity), copyIdent(t.name))
		if _, err := to.w.ExecContext(ctx, q, t.name, t.identity); err != nil {
			return fmt.Errorf("set the id sequence of %s: %w", t.name, err)
		}
	}
	return nil
}

// copyPlan checks that from is SQLite and to PostgreSQL at the same schema
// version, and lists the tables to copy, parents first.
func copyPlan(ctx context.Context, from, to *Store) ([]copyTable, error) {
	if from.pg || !to.pg {
		return nil, errors.New("copy a forum: the source must be SQLite and the target PostgreSQL")
	}
	vf, err := from.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	vt, err := to.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	if vf != vt {
		return nil, fmt.Errorf("copy a forum: the source is at schema version %d and the target at %d: open both with the same binary first", vf, vt)
	}
	return to.copyTables(ctx)
}

// copyTables reads the tables, their columns, keys and foreign keys from the
// PostgreSQL catalog, and orders them so that a table comes after the
// tables it refers to.
func (s *Store) copyTables(ctx context.Context) ([]copyTable, error) {
	names, err := catalogStrings(ctx, s.r, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_version' ORDER BY table_name`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	byName := map[string]*copyTable{}
	for _, name := range names {
		t := &copyTable{name: name}
		rows, err := s.r.QueryContext(ctx, `SELECT column_name, data_type, is_identity FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = ? AND is_generated = 'NEVER' ORDER BY ordinal_position`, name)
		if err != nil {
			return nil, fmt.Errorf("list the columns of %s: %w", name, err)
		}
		for rows.Next() {
			var col, typ, identity string
			if err := rows.Scan(&col, &typ, &identity); err != nil {
				rows.Close()
				return nil, fmt.Errorf("list the columns of %s: %w", name, err)
			}
			t.cols = append(t.cols, col)
			t.text = append(t.text, typ == "text")
			if identity == "YES" {
				t.identity = col
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("list the columns of %s: %w", name, err)
		}
		key, err := catalogStrings(ctx, s.r, `SELECT k.column_name FROM information_schema.table_constraints c
			JOIN information_schema.key_column_usage k ON k.constraint_schema = c.constraint_schema AND k.constraint_name = c.constraint_name
			WHERE c.table_schema = current_schema() AND c.table_name = ? AND c.constraint_type = 'PRIMARY KEY' ORDER BY k.ordinal_position`, name)
		if err != nil {
			return nil, fmt.Errorf("read the primary key of %s: %w", name, err)
		}
		if len(key) == 0 {
			return nil, fmt.Errorf("copy %s: it has no primary key to copy in the order of", name)
		}
		for _, k := range key {
			t.key = append(t.key, slices.Index(t.cols, k))
		}
		byName[name] = t
	}
	refs, err := s.r.QueryContext(ctx, `SELECT tc.table_name, ccu.table_name FROM information_schema.table_constraints tc
		JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_schema = tc.constraint_schema AND ccu.constraint_name = tc.constraint_name
		WHERE tc.table_schema = current_schema() AND tc.constraint_type = 'FOREIGN KEY'`)
	if err != nil {
		return nil, fmt.Errorf("list foreign keys: %w", err)
	}
	parents := map[string][]string{}
	for refs.Next() {
		var child, parent string
		if err := refs.Scan(&child, &parent); err != nil {
			refs.Close()
			return nil, fmt.Errorf("list foreign keys: %w", err)
		}
		if child != parent { // comments' parents: copied first in id order
			parents[child] = append(parents[child], parent)
		}
	}
	refs.Close()
	if err := refs.Err(); err != nil {
		return nil, fmt.Errorf("list foreign keys: %w", err)
	}
	var order []copyTable
	placed := map[string]bool{}
	for len(order) < len(names) {
		progress := false
		for _, name := range names {
			if placed[name] || slices.ContainsFunc(parents[name], func(p string) bool { return !placed[p] }) {
				continue
			}
			placed[name], progress = true, true
			order = append(order, *byName[name])
		}
		if !progress {
			return nil, errors.New("order tables: their foreign keys form a cycle")
		}
	}
	return order, nil
}

// copyRows copies the rows of t that the target lacks: those after the
// largest key it holds.
func copyRows(ctx context.Context, from, to *Store, t copyTable, opt CopyOptions) error {
	var total, done int64
	if err := from.r.QueryRowContext(ctx, `SELECT count(*) FROM `+copyIdent(t.name)).Scan(&total); err != nil {
		return fmt.Errorf("count the rows of %s: %w", t.name, err)
	}
	if err := to.r.QueryRowContext(ctx, `SELECT count(*) FROM `+copyIdent(t.name)).Scan(&done); err != nil {
		return fmt.Errorf("count the copied rows of %s: %w", t.name, err)
	}
	after, err := lastKey(ctx, to, t)
	if err != nil {
		return err
	}
	cols := copyIdents(t.cols)
	keys := t.keyList(false)
	// PostgreSQL allows 65535 parameters to a statement.
	batch := min(opt.Batch, 60000/len(t.cols))
	reported := false
	for {
		q := `SELECT ` + cols + ` FROM ` + copyIdent(t.name)
		var args []any
		if after != nil {
			q += ` WHERE (` + keys + `) > (` + placeholders("?", len(after)) + `)`
			args = after
		}
		q += ` ORDER BY ` + keys + ` LIMIT ` + strconv.Itoa(batch)
		rows, err := copyReadRows(ctx, from.r, q, len(t.cols), args...)
		if err != nil {
			return fmt.Errorf("read %s: %w", t.name, err)
		}
		if len(rows) == 0 {
			break
		}
		if err := insertRows(ctx, to, t, rows); err != nil {
			return err
		}
		done += int64(len(rows))
		if opt.Report != nil {
			opt.Report(t.name, done, total)
			reported = true
		}
		last := rows[len(rows)-1]
		after = after[:0]
		for _, k := range t.key {
			after = append(after, last[k])
		}
		if len(rows) < batch {
			break
		}
	}
	if opt.Report != nil && !reported { // nothing left to copy
		opt.Report(t.name, done, total)
	}
	return nil
}

// lastKey is the largest key of t in the target, nil when it has no rows.
func lastKey(ctx context.Context, to *Store, t copyTable) ([]any, error) {
	var names, desc []string
	for i, k := range t.key {
		names = append(names, copyIdent(t.cols[k]))
		desc = append(desc, strings.Split(t.keyList(true), ", ")[i]+" DESC")
	}
	q := `SELECT ` + strings.Join(names, ", ") + ` FROM ` + copyIdent(t.name) + ` ORDER BY ` + strings.Join(desc, ", ") + ` LIMIT 1`
	rows, err := copyReadRows(ctx, to.r, q, len(t.key))
	if err != nil {
		return nil, fmt.Errorf("find where the copy of %s stopped: %w", t.name, err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return rows[0], nil
}

// insertRows inserts rows into t in one PostgreSQL transaction.
func insertRows(ctx context.Context, to *Store, t copyTable, rows [][]any) error {
	var q strings.Builder
	q.WriteString(`INSERT INTO ` + copyIdent(t.name) + ` (` + copyIdents(t.cols) + `) VALUES `)
	args := make([]any, 0, len(rows)*len(t.cols))
	q.WriteString(placeholders(`(`+placeholders("?", len(t.cols))+`)`, len(rows)))
	for _, r := range rows {
		for c, v := range r {
			if b, ok := v.([]byte); ok && t.text[c] {
				v = string(b)
			}
			args = append(args, v)
		}
	}
	tx, err := to.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("copy %s: %w", t.name, err)
	}
	defer tx.Rollback() //nolint:errcheck
	if t.name == "events" {
		// Events are numbered in commit order under this lock (postgres.go).
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, pgEventsLock); err != nil {
			return fmt.Errorf("copy %s: %w", t.name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
		return fmt.Errorf("copy %s: %w", t.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("copy %s: %w", t.name, err)
	}
	return nil
}

// Verify compares every row of every table of the SQLite forum from with
// the PostgreSQL forum to, in key order, and returns an error listing the
// first differences of each table (at most perTable; 5 when 0): rows
// missing from the target, rows only in the target, and values that differ.
func Verify(ctx context.Context, from, to *Store, perTable int) error {
	if perTable <= 0 {
		perTable = 5
	}
	tables, err := copyPlan(ctx, from, to)
	if err != nil {
		return err
	}
	var report []string
	differing := 0
	for _, t := range tables {
		found, n, err := verifyTable(ctx, from, to, t, perTable)
		if err != nil {
			return err
		}
		if n > 0 {
			differing++
			report = append(report, fmt.Sprintf("%s: %d rows differ", t.name, n))
			report = append(report, found...)
		}
	}
	if differing > 0 {
		return fmt.Errorf("verify the copy: %d tables differ:\n  %s", differing, strings.Join(report, "\n  "))
	}
	return nil
}

// verifyTable streams t from both databases in key order and lists the
// first perTable differences, and how many rows differ.
func verifyTable(ctx context.Context, from, to *Store, t copyTable, perTable int) ([]string, int, error) {
	cols := copyIdents(t.cols)
	src, err := from.r.QueryContext(ctx, `SELECT `+cols+` FROM `+copyIdent(t.name)+` ORDER BY `+t.keyList(false))
	if err != nil {
		return nil, 0, fmt.Errorf("verify %s: %w", t.name, err)
	}
	defer src.Close()
	dst, err := to.r.QueryContext(ctx, `SELECT `+cols+` FROM `+copyIdent(t.name)+` ORDER BY `+t.keyList(true))
	if err != nil {
		return nil, 0, fmt.Errorf("verify %s: %w", t.name, err)
	}
	defer dst.Close()
	var found []string
	n := 0
	differ := func(format string, args ...any) {
		n++
		if len(found) < perTable {
			found = append(found, "  "+fmt.Sprintf(format, args...))
		}
	}
	a, err := copyNextRow(src, len(t.cols))
	if err != nil {
		return nil, 0, fmt.Errorf("verify %s: %w", t.name, err)
	}
	b, err := copyNextRow(dst, len(t.cols))
	if err != nil {
		return nil, 0, fmt.Errorf("verify %s: %w", t.name, err)
	}
	for a != nil || b != nil {
		c := 0
		switch {
		case a == nil:
			c = 1
		case b == nil:
			c = -1
		default:
			c = t.compareKeys(a, b)
		}
		switch {
		case c < 0:
			differ("%s: missing from the target", t.describeKey(a))
		case c > 0:
			differ("%s: only in the target", t.describeKey(b))
		default:
			for i := range t.cols {
				if va, vb := copyValue(a[i]), copyValue(b[i]); va != vb {
					differ("%s: %s is %s in the source, %s in the target", t.describeKey(a), t.cols[i], copyShow(va), copyShow(vb))
					break
				}
			}
		}
		if c <= 0 {
			if a, err = copyNextRow(src, len(t.cols)); err != nil {
				return nil, 0, fmt.Errorf("verify %s: %w", t.name, err)
			}
		}
		if c >= 0 {
			if b, err = copyNextRow(dst, len(t.cols)); err != nil {
				return nil, 0, fmt.Errorf("verify %s: %w", t.name, err)
			}
		}
	}
	return found, n, nil
}

// keyList is the primary key as an ORDER BY list. On PostgreSQL text
// columns sort by their bytes (COLLATE "C"), which is SQLite's order
// (BINARY); SQLite knows no collation of that name.
func (t copyTable) keyList(pg bool) string {
	var out []string
	for _, k := range t.key {
		col := copyIdent(t.cols[k])
		if pg && t.text[k] {
			col += ` COLLATE "C"`
		}
		out = append(out, col)
	}
	return strings.Join(out, ", ")
}

// compareKeys orders rows a and b of t by their keys, as keyList sorts them.
func (t copyTable) compareKeys(a, b []any) int {
	for _, k := range t.key {
		va, vb := copyValue(a[k]), copyValue(b[k])
		var c int
		switch x := va.(type) {
		case int64:
			y, _ := vb.(int64)
			c = cmp.Compare(x, y)
		case string:
			y, _ := vb.(string)
			c = strings.Compare(x, y)
		default:
			c = cmp.Compare(fmt.Sprint(va), fmt.Sprint(vb))
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// describeKey names a row by its key, e.g. "(id 3)".
func (t copyTable) describeKey(r []any) string {
	var parts []string
	for _, k := range t.key {
		parts = append(parts, t.cols[k]+" "+copyShow(copyValue(r[k])))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// copyValue gives a value read from either database one Go type per kind:
// int64, float64, string or nil.
func copyValue(v any) any {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	}
	return v
}

func copyShow(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		if len(x) > 60 {
			x = x[:60] + "…"
		}
		return strconv.Quote(x)
	}
	return fmt.Sprint(v)
}

// copyNextRow reads the next row of rows, nil after the last.
func copyNextRow(rows *sql.Rows, n int) ([]any, error) {
	if !rows.Next() {
		return nil, rows.Err()
	}
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	for i, v := range vals {
		if b, ok := v.([]byte); ok {
			vals[i] = bytes.Clone(b)
		}
	}
	return vals, nil
}

// copyReadRows reads every row of a query of n columns.
func copyReadRows(ctx context.Context, db *sql.DB, query string, n int, args ...any) ([][]any, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]any
	for {
		r, err := copyNextRow(rows, n)
		if err != nil {
			return nil, err
		}
		if r == nil {
			return out, nil
		}
		out = append(out, r)
	}
}

func catalogStrings(ctx context.Context, db *sql.DB, query string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// copyIdent quotes a name from the catalog for either database.
func copyIdent(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

func copyIdents(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = copyIdent(n)
	}
	return strings.Join(out, ", ")
}
