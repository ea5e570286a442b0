package store

import (
	"strings"
	"testing"
)

// missingUserIndexes are the data-download queries that scan their whole
// table until the schema gains the index on the account's column
// (sponsors_user, appeals_author): listed, so every other query is held
// to an index.
var missingUserIndexes = map[string]string{"sponsorships.json": "sponsors", "appeals.json": "appeals"}

// TestExportAccount_QueriesUseIndexes asks SQLite how it runs each query of
// the data download: through an index on the account, never a scan of a
// table (or whole index) of everyone's rows.
func TestExportAccount_QueriesUseIndexes(t *testing.T) {
	s := openTest(t, newClock().now)
	for _, name := range DataFiles {
		rows, err := s.r.Query(`EXPLAIN QUERY PLAN `+dataQueries[name], 1)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN ") { // SEARCH looks up; SCAN reads every row, through an index or not
				if table, ok := missingUserIndexes[name]; ok && strings.HasPrefix(step, "SCAN "+table) {
					t.Logf("%s: %s (needs its index)", name, step)
					continue
				}
				t.Errorf("%s scans a table: %v", name, plan)
			}
		}
	}
}
