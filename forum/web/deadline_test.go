package web

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/e-people/e-people/forum/store/storetest"
)

// TestRequestDeadline_WriteHeldUpAnswers503: while another connection holds
// the SQLite write lock (on PostgreSQL, every table locked against writes), a support outlives the request's deadline. The
// citizen hears 503 with Retry-After when the deadline passes, not a 500
// and not a wait for the lock, and the support is not applied when the lock
// comes free a moment later: nobody is told "failed" of a write that stands.
func TestRequestDeadline_WriteHeldUpAnswers503(t *testing.T) {
	e := newEnv(t)
	author := e.register("기한 작성자")
	id := e.openProposal(author, "기한 시험 제안", "본문")
	citizen := e.register("기한 시민")
	tok := citizen.csrf()
	const deadline = time.Second
	e.reconfigure(func(c *Config) { c.RequestTimeout = deadline })

	release := storetest.HoldWriteLock(t, e.db)
	// Free the lock after the deadline but well within the store's own 5 s
	// wait: a write not bound by the deadline would then run, and succeed.
	released := make(chan error, 1)
	time.AfterFunc(deadline+1500*time.Millisecond, func() { released <- release() })

	r := citizen.do("POST", "/proposals/"+itoa(int(id))+"/support", url.Values{"_csrf": {tok}})
	if r.Status != 503 || r.Header.Get("Retry-After") == "" {
		t.Errorf("support past the deadline: %d, Retry-After %q; want 503 with Retry-After", r.Status, r.Header.Get("Retry-After"))
	}
	if err := <-released; err != nil {
		t.Fatal(err)
	}
	// A write after the lock is free follows the batch that held the expired one.
	if r := author.post("/proposals/"+itoa(int(id))+"/support", nil); r.Status != 303 {
		t.Fatalf("support after the lock was released: %d", r.Status)
	}
	p, err := e.st.Proposal(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if p.Supports != 1 {
		t.Errorf("supports = %d, want 1: the expired support was applied after its caller heard 503", p.Supports)
	}
}
