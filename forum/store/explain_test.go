package store

import (
	"strings"
	"testing"
)

// pgPlan returns PostgreSQL's plan for query (EXPLAIN), one line per node,
// for the PostgreSQL counterparts of the tests of SQLite's plans. Sequential
// scans are priced out for the one statement (enable_seqscan off), as they
// would be by a table of millions of rows: on a test's few rows the planner
// would read the whole table anyway, so the plan would not tell whether an
// index can answer the query. With them priced out, a "Seq Scan" left in the
// plan is one no index could replace.
func pgPlan(tb testing.TB, s *Store, query string, args ...any) string {
	tb.Helper()
	conn, err := s.DB().Conn(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SET enable_seqscan = off`); err != nil {
		tb.Fatal(err)
	}
	defer conn.ExecContext(ctx, `RESET enable_seqscan`) //nolint:errcheck
	rows, err := conn.QueryContext(ctx, `EXPLAIN `+query, args...)
	if err != nil {
		tb.Fatalf("plan of %s: %v", query, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			tb.Fatal(err)
		}
		plan = append(plan, line)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return strings.Join(plan, "\n")
}

// pgUsesIndexes fails tb unless plan reads every one of indexes (by an index
// scan, an index-only scan or a bitmap scan: each names the index) and
// scans no table whole.
func pgUsesIndexes(tb testing.TB, what, plan string, indexes ...string) {
	tb.Helper()
	for _, ix := range indexes {
		if !strings.Contains(plan, " using "+ix+" ") && !strings.Contains(plan, " on "+ix+" ") &&
			!strings.HasSuffix(plan, " using "+ix) && !strings.HasSuffix(plan, " on "+ix) {
			tb.Errorf("%s does not read the index %s:\n%s", what, ix, plan)
		}
	}
	if strings.Contains(plan, "Seq Scan") {
		tb.Errorf("%s scans a table:\n%s", what, plan)
	}
}
