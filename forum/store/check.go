package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// counterChecks pairs each stored counter with the count of the rows it stands
// for: table.column is the counter, and count is a scalar subquery over the
// counted rows, correlated to the counter's row through the alias t.
var counterChecks = []struct{ table, column, count string }{
	{"proposals", "sponsor_count", `SELECT count(*) FROM sponsors x JOIN users u ON u.id = x.user_id WHERE x.proposal_id = t.id AND ` + countedTier("u")},
	{"proposals", "unverified_sponsors", `SELECT count(*) FROM sponsors x JOIN users u ON u.id = x.user_id WHERE x.proposal_id = t.id AND NOT ` + countedTier("u")},
	{"proposals", "support_count", `SELECT count(*) FROM supports x JOIN users u ON u.id = x.user_id WHERE x.proposal_id = t.id AND ` + countedTier("u")},
	{"proposals", "unverified_supports", `SELECT count(*) FROM supports x JOIN users u ON u.id = x.user_id WHERE x.proposal_id = t.id AND NOT ` + countedTier("u")},
	{"proposals", "comment_count", `SELECT count(*) FROM comments x WHERE x.proposal_id = t.id AND ` + keptComment("x")},
	{"debates", "comment_count", `SELECT count(*) FROM comments x WHERE x.debate_id = t.id AND ` + keptComment("x")},
	{"proposals", "revision_count", `SELECT count(*) FROM proposal_revisions x WHERE x.proposal_id = t.id AND x.state = 'published'`},
	{"comments", "up_count", `SELECT count(*) FROM comment_votes x WHERE x.comment_id = t.id AND x.value = 1`},
	{"comments", "down_count", `SELECT count(*) FROM comment_votes x WHERE x.comment_id = t.id AND x.value = -1`},
}

// CheckCounters recomputes every stored counter (a proposal's sponsors and
// supports, verified and not, its visible comments and revisions; a debate's visible arguments;
// a comment's up and down votes)
// from the rows it counts, and returns an error naming each mismatch, or nil
// when all agree. It only reads.
func (s *Store) CheckCounters(ctx context.Context) error {
	var errs []error
	for _, c := range counterChecks {
		name := c.table + "." + c.column
		query := `SELECT id, stored, counted FROM (SELECT t.id AS id, t.` + c.column + ` AS stored, (` + c.count + `) AS counted
			FROM ` + c.table + ` t) AS m WHERE stored <> counted ORDER BY id`
		bad, err := s.counterMismatches(ctx, name, query)
		if err != nil {
			return fmt.Errorf("check counters: %w", err)
		}
		errs = append(errs, bad...)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("check counters: %w", err)
	}
	return nil
}

func (s *Store) counterMismatches(ctx context.Context, name, query string) ([]error, error) {
	rows, err := s.r.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, mapErr(err))
	}
	defer rows.Close()
	var bad []error
	for rows.Next() {
		var id, stored, counted int64
		if err := rows.Scan(&id, &stored, &counted); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		bad = append(bad, fmt.Errorf("%s of %d is %d but %d rows count", name, id, stored, counted))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return bad, nil
}

// CheckText reads every text value stored in any table, the search index
// included, and returns an error naming each column that holds text that is
// not valid UTF-8, or nil when all is valid. It only reads.
func (s *Store) CheckText(ctx context.Context) error {
	// The catalogs differ: SQLite's sqlite_schema, PostgreSQL's information_schema.
	tablesSQL := `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if s.pg {
		tablesSQL = `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	var tables []string
	err := s.eachText(ctx, func(t string) { tables = append(tables, t) }, tablesSQL)
	if err != nil {
		return fmt.Errorf("check text: %w", err)
	}
	var errs []error
	for _, t := range tables {
		bad, err := s.invalidText(ctx, t)
		if err != nil {
			return fmt.Errorf("check text: %s: %w", t, err)
		}
		errs = append(errs, bad...)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("check text: %w", err)
	}
	return nil
}

// invalidText reads the text values of every column of table in one pass and
// returns an error for each that is not valid UTF-8.
func (s *Store) invalidText(ctx context.Context, table string) ([]error, error) {
	quote := func(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }
	// SQLite types values, not columns: every column is read, its text values
	// kept by typeof. PostgreSQL types columns: only its text columns are read.
	colsSQL := `SELECT name FROM pragma_table_info(?) ORDER BY cid`
	if s.pg {
		colsSQL = `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()
			AND table_name = ? AND data_type IN ('text', 'character varying', 'character') ORDER BY ordinal_position`
	}
	var cols []string
	if err := s.eachText(ctx, func(c string) { cols = append(cols, c) }, colsSQL, table); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, nil
	}
	sel := make([]string, len(cols))
	for i, c := range cols {
		sel[i] = `CASE WHEN typeof(` + quote(c) + `) = 'text' THEN ` + quote(c) + ` END`
		if s.pg {
			sel[i] = quote(c)
		}
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+strings.Join(sel, ", ")+` FROM `+quote(table))
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	vals := make([]sql.RawBytes, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	var bad []error
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		for i, v := range vals {
			if !utf8.Valid(v) {
				bad = append(bad, fmt.Errorf("%s.%s holds text that is not valid UTF-8: %.60q", table, cols[i], v))
			}
		}
	}
	return bad, rows.Err()
}

// eachText runs a query of one text column and calls fn with each value.
func (s *Store) eachText(ctx context.Context, fn func(string), query string, args ...any) error {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return err
		}
		fn(v)
	}
	return rows.Err()
}
