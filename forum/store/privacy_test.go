package store

import (
	"strings"
	"testing"

	"github.com/e-people/e-people/forum/store/storetest"
)

// TestExportAccount_QueriesUseIndexes asks SQLite how it runs each query of
// the data download: through an index on the account, never a scan of a
// table (or whole index) of everyone's rows.
func TestExportAccount_QueriesUseIndexes(t *testing.T) {
	s := openTest(t, newClock().now)
	for _, name := range DataFiles {
		if storetest.Postgres() {
			// PostgreSQL's counterpart: no query reads a table whole.
			pgUsesIndexes(t, name, pgPlan(t, s, dataQueries[name], 1))
			continue
		}
		plan := queryPlan(t, s, dataQueries[name], 1)
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN ") { // SEARCH looks up; SCAN reads every row, through an index or not
				t.Errorf("%s scans a table: %v", name, plan)
			}
		}
	}
}
