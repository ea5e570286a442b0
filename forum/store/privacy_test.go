package store

import (
	"strings"
	"testing"
)

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
				t.Errorf("%s scans a table: %v", name, plan)
			}
		}
	}
}
