package web

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/e-people/e-people/assets"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/forum/store/storetest"
	"github.com/e-people/e-people/views"
)

// TestLimits_HoldAcrossNodes serves one PostgreSQL database from two web
// servers, as two nodes behind a load balancer: sign-in attempts from one
// address, sent to either node in turn, are refused past the limit of all
// of them together, not of each node's share.
func TestLimits_HoldAcrossNodes(t *testing.T) {
	const perMinute = 4
	db := storetest.NewPostgresDatabase(t)
	c := &clock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	nodes := make([]*client, 2)
	for i := range nodes {
		st, err := store.Open(context.Background(), db, storetest.Schema(t), store.Options{Now: c.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		e := &env{t: t, clock: c, db: db, st: st}
		e.srv = newServer(t, st, Config{BaseURL: "http://127.0.0.1", Views: views.FS, Assets: assets.FS,
			Now: c.Now, AuthPerMinute: perMinute, PostPerMinute: 1 << 30})
		nodes[i] = e.client()
	}
	refused := 0
	for i := range 2 * perMinute {
		r := nodes[i%2].post("/login", url.Values{"email": {"nobody@example.org"}, "password": {"not the password"}})
		switch {
		case r.Status == 429 && r.Header.Get("Retry-After") != "":
			refused++
			if i < perMinute {
				t.Errorf("attempt %d (node %d) refused: the limit is %d", i+1, i%2+1, perMinute)
			}
		case r.Status == 429:
			t.Errorf("attempt %d: 429 without Retry-After", i+1)
		case i >= perMinute:
			t.Errorf("attempt %d (node %d): %d, want 429: each node counted only its own share", i+1, i%2+1, r.Status)
		}
	}
	if refused != perMinute {
		t.Errorf("%d of %d attempts refused, want %d", refused, 2*perMinute, perMinute)
	}
}
