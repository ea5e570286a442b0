package bench

import (
	"context"
	"errors"

	"github.com/e-people/e-people/forum/store"
)

// seedHistory gives each of fx's citizens n earlier comments and votes
// (store.SeedHistory), as citizens of a forum in use have: what a new comment
// costs must not grow with its author's history, and only a history shows
// whether it does. The comments are not in the search index, which the
// search workload measures on the demo data alone.
func seedHistory(ctx context.Context, path string, fx *fixture, n int) (err error) {
	if n == 0 {
		return nil
	}
	st, err := store.Open(ctx, path, fx.schema, store.Options{})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	users := make([]int64, len(fx.users))
	for i, u := range fx.users {
		users[i] = u.UserID
	}
	return st.SeedHistory(ctx, users, fx.threadID, n)
}
