package web

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

// TestCaps_HoldUnderParallelRequests sends 50 requests of each capped action
// at once from one citizen through the real app: exactly the cap is stored
// and every other request is refused with 429 and a Retry-After.
func TestCaps_HoldUnderParallelRequests(t *testing.T) {
	const parallel = 50
	e := newEnv(t)
	ctx := context.Background()
	author := e.register("대상 작성자")
	authorID := author.user().ID
	// Open proposals to support and comments to report, one per request.
	proposals := make([]int64, parallel)
	comments := make([]int64, parallel)
	for i := range parallel {
		p, err := e.st.CreateProposal(ctx, store.NewProposal{AuthorID: authorID,
			Input: forum.ProposalInput{Title: fmt.Sprint("대상 제안 ", i), Body: "본문", CategoryID: e.cats[0].ID, MinistryID: e.mins[0].ID},
			Body:  moderation.TrustedFromStore("<p>본문</p>"), SponsorToken: fmt.Sprint("limits-", i)}, 0)
		if err != nil {
			t.Fatal(err)
		}
		proposals[i] = p.ID
		cm, err := e.st.CreateComment(ctx, store.NewComment{Subject: forum.ProposalSubject(p.ID), AuthorID: authorID,
			Input: forum.CommentInput{Stance: forum.StanceFor, Body: "대상 의견"}, Body: moderation.TrustedFromStore("<p>대상 의견</p>")})
		if err != nil {
			t.Fatal(err)
		}
		comments[i] = cm.ID
	}
	if err := e.st.SetSettings(ctx, map[string]string{"cap_proposals": "3", "cap_comments_first_day": "10",
		"cap_supports": "5", "cap_reports": "20"}); err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now().In(seoul)
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, seoul)

	for _, tc := range []struct {
		a    store.Activity
		cap  int
		path func(i int) string
		form func(i int) url.Values
	}{
		{store.ActivityProposals, 3, func(int) string { return "/proposals" }, func(i int) url.Values {
			return url.Values{"title": {fmt.Sprint("자전거 도로 확충 제안 ", i)}, "body": {fmt.Sprint("구간 ", i, "에 자전거 도로를 놓아 주십시오.")},
				"category": {itoa(int(e.cats[0].ID))}, "ministry": {itoa(int(e.mins[0].ID))}}
		}},
		{store.ActivityComments, 10, func(int) string { return "/proposals/" + itoa(int(proposals[0])) + "/comments" }, func(i int) url.Values {
			return url.Values{"stance": {"for"}, "body": {fmt.Sprint("첫날 의견 ", i, "번째입니다")}}
		}},
		{store.ActivitySupports, 5, func(i int) string { return "/proposals/" + itoa(int(proposals[i])) + "/support" }, func(int) url.Values {
			return url.Values{}
		}},
		{store.ActivityReports, 20, func(int) string { return "/reports" }, func(i int) url.Values {
			return url.Values{"kind": {"comment"}, "id": {itoa(int(comments[i]))}, "reason": {"spam"}}
		}},
	} {
		t.Run(string(tc.a), func(t *testing.T) {
			c := e.register("첫날 시민")
			token := c.csrf()
			statuses := make([]resp, parallel)
			var wg sync.WaitGroup
			for i := range parallel {
				form := tc.form(i)
				form.Set("_csrf", token)
				wg.Go(func() { statuses[i] = c.do("POST", tc.path(i), form) })
			}
			wg.Wait()
			stored, refused := 0, 0
			for _, r := range statuses {
				switch {
				case r.Status == 303:
					stored++
				case r.Status == 429 && r.Header.Get("Retry-After") != "":
					refused++
				default:
					t.Errorf("status %d (Retry-After %q), want 303 or 429: %.300s", r.Status, r.Header.Get("Retry-After"), r.Body)
				}
			}
			n, err := e.st.CountSince(ctx, c.user().ID, tc.a, midnight)
			if err != nil {
				t.Fatal(err)
			}
			if n != tc.cap || stored != tc.cap || refused != parallel-tc.cap {
				t.Errorf("%d rows stored, %d answered 303, %d refused with 429; want %d, %d, %d", n, stored, refused, tc.cap, tc.cap, parallel-tc.cap)
			}
		})
	}
}
