package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/valyala/fasthttp"
)

// benchThread builds an open proposal with n comments (a third of them
// replies) written by a handful of users, straight through the store.
func benchThread(tb testing.TB, e *env, n int) int64 {
	id, _ := seedThread(tb, e, n)
	return id
}

// seedThread builds benchThread's proposal and returns it with its
// comments, in the order they were written: every third a reply to the
// top-level comment written just before it.
func seedThread(tb testing.TB, e *env, n int) (int64, []*forum.Comment) {
	ctx := context.Background()
	e.st.SetSetting(ctx, forum.SettingSponsorThreshold, "0")
	var users []*forum.User
	for i := range 20 {
		u, err := e.st.CreateUser(ctx, forum.User{Tier: forum.TierEmailVerified, Role: forum.RoleCitizen, Name: fmt.Sprintf("시민%d", i), Email: fmt.Sprintf("b%d@example.org", i)}, "x")
		if err != nil {
			tb.Fatal(err)
		}
		users = append(users, u)
	}
	p, err := e.st.CreateProposal(ctx, store.NewProposal{AuthorID: users[0].ID, SponsorToken: "t",
		Input: forum.ProposalInput{Title: "국민연금 개혁 토론", Body: "본문", CategoryID: e.cats[0].ID, MinistryID: e.mins[0].ID}}, 0)
	if err != nil {
		tb.Fatal(err)
	}
	stances := []forum.Stance{forum.StanceFor, forum.StanceAgainst, forum.StanceNeutral}
	var last int64
	var out []*forum.Comment
	for i := range n {
		in := forum.CommentInput{Stance: stances[i%3], Body: strings.Repeat("연금 개혁은 **세대 간 형평**을 고려해야 합니다. ", 3)}
		if i%3 == 2 {
			in.ParentID = last
		}
		c, err := e.st.CreateComment(ctx, store.NewComment{Subject: forum.ProposalSubject(p.ID), AuthorID: users[i%len(users)].ID, Input: in, Body: e.srv.md.Markdown(in.Body)})
		if err != nil {
			tb.Fatal(err)
		}
		if i%3 == 0 {
			last = c.ID
		}
		out = append(out, c)
	}
	return p.ID, out
}

// BenchmarkProposalPage1000 renders the page of a proposal with 1,000
// comments through the whole Fiber stack, as an anonymous reader, plain and
// compressed as browsers ask for it.
func BenchmarkProposalPage1000(b *testing.B) {
	for _, enc := range []string{"identity", "gzip", "br"} {
		b.Run(enc, func(b *testing.B) { benchProposalPage(b, enc) })
	}
}

func benchProposalPage(b *testing.B, encoding string) {
	e := newEnv(b)
	id := benchThread(b, e, 1000)
	h := e.srv.App().Handler()
	uri := "/proposals/" + itoa(int(id))
	var bytes atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var ctx fasthttp.RequestCtx
		for pb.Next() {
			ctx.Request.Reset()
			ctx.Response.Reset()
			ctx.Request.SetRequestURI(uri)
			ctx.Request.Header.Set("Accept-Encoding", encoding)
			h(&ctx)
			if ctx.Response.StatusCode() != 200 {
				b.Fatalf("status %d", ctx.Response.StatusCode())
			}
			bytes.Store(int64(len(ctx.Response.Body())))
		}
	})
	b.ReportMetric(float64(bytes.Load())/1024, "KiB/page")
}

// BenchmarkSupportParallel posts supports and withdrawals through the whole
// stack (session, CSRF, write transaction with synchronous=FULL).
func BenchmarkSupportParallel(b *testing.B) {
	e := newEnv(b)
	id := benchThread(b, e, 0)
	sessions := benchSessions(b, e, 200)
	h := e.srv.App().Handler()
	// Many requests at once, as when a proposal goes viral: 64 per core.
	b.SetParallelism(64)
	var next atomic.Int64
	uri := "/proposals/" + itoa(int(id))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var ctx fasthttp.RequestCtx
		for pb.Next() {
			n := next.Add(1)
			s := sessions[n%int64(len(sessions))]
			action := "/support"
			if (n/int64(len(sessions)))%2 == 1 {
				action = "/unsupport"
			}
			ctx.Request.Reset()
			ctx.Response.Reset()
			ctx.Request.Header.SetMethod("POST")
			ctx.Request.SetRequestURI(uri + action)
			ctx.Request.Header.SetCookie(SessionCookie, s.cookie)
			ctx.Request.Header.Set("X-CSRF-Token", s.csrf)
			h(&ctx)
			if c := ctx.Response.StatusCode(); c != 303 && c != 409 {
				b.Fatalf("status %d: %s", c, ctx.Response.Body())
			}
		}
	})
}

// BenchmarkCommentParallel posts comments through the whole stack (session,
// CSRF, caps, sanitizing, search index, followers, events) from 200 citizens
// at once, as a viral debate would.
func BenchmarkCommentParallel(b *testing.B) {
	e := newEnv(b)
	id := benchThread(b, e, 0)
	sessions := benchSessions(b, e, 200)
	h := e.srv.App().Handler()
	b.SetParallelism(64)
	var next atomic.Int64
	uri := "/proposals/" + itoa(int(id)) + "/comments"
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var ctx fasthttp.RequestCtx
		for pb.Next() {
			n := next.Add(1)
			s := sessions[n%int64(len(sessions))]
			ctx.Request.Reset()
			ctx.Response.Reset()
			ctx.Request.Header.SetMethod("POST")
			ctx.Request.SetRequestURI(uri)
			ctx.Request.Header.SetContentType("application/x-www-form-urlencoded")
			ctx.Request.SetBodyString("stance=for&body=" + url.QueryEscape(fmt.Sprintf("의견 %d: 대중교통 **요금**을 낮추면 출퇴근 부담이 줄어듭니다.", n)))
			ctx.Request.Header.SetCookie(SessionCookie, s.cookie)
			ctx.Request.Header.Set("X-CSRF-Token", s.csrf)
			h(&ctx)
			if c := ctx.Response.StatusCode(); c != 303 {
				b.Fatalf("status %d: %s", c, ctx.Response.Body())
			}
		}
	})
}

// benchSession is a signed-in citizen's session cookie and CSRF token.
type benchSession struct{ cookie, csrf string }

// benchSessions creates n citizens, each signed in.
func benchSessions(b *testing.B, e *env, n int) []benchSession {
	ctx := context.Background()
	sessions := make([]benchSession, 0, n)
	for i := range n {
		u, err := e.st.CreateUser(ctx, forum.User{Role: forum.RoleCitizen, Name: fmt.Sprintf("시민%d", i), Email: fmt.Sprintf("bench%d@example.org", i), Tier: forum.TierEmailVerified}, "x")
		if err != nil {
			b.Fatal(err)
		}
		tok, csrf, err := newSession(ctx, e.st, store.NewSession{UserID: u.ID})
		if err != nil {
			b.Fatal(err)
		}
		sessions = append(sessions, benchSession{tok, csrf})
	}
	return sessions
}
