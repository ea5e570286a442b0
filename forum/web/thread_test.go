package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/e-people/e-people/forum"
	"github.com/valyala/fasthttp"
)

// pagedFixture is a proposal with 300 comments: 200 top-level (four pages)
// and 100 replies, each under the top-level comment written two before it.
type pagedFixture struct {
	e        *env
	id       int64
	path     string
	comments []*forum.Comment
	roots    []int64         // top-level, oldest first
	rootOf   map[int64]int64 // every comment's top-level comment
}

func newPagedFixture(t *testing.T) *pagedFixture {
	e := newEnv(t)
	id, comments := seedThread(t, e, 300)
	f := &pagedFixture{e: e, id: id, path: "/proposals/" + itoa(int(id)), comments: comments, rootOf: map[int64]int64{}}
	for i, c := range comments {
		if i%3 == 2 {
			f.rootOf[c.ID] = comments[i-2].ID
			continue
		}
		f.roots = append(f.roots, c.ID)
		f.rootOf[c.ID] = c.ID
	}
	return f
}

var (
	listRe    = regexp.MustCompile(`(?s)<ol class="comments"[^>]*>(.*)</ol>\s*<p class="empty"`)
	depth1Re  = regexp.MustCompile(`id="c([0-9]+)" data-id="[0-9]+" data-depth="1"`)
	commentRe = regexp.MustCompile(`<li class="comment[^"]*" id="c([0-9]+)"`)
	nextRe    = regexp.MustCompile(`<a [^>]*href="([^"]*)" rel="next" data-more="([^"]*)"[^>]*>([^<]*)</a>`)
)

// topLevel returns the ids of the top-level comments html shows, in order.
func topLevel(html string) []int64 {
	var ids []int64
	for _, m := range depth1Re.FindAllStringSubmatch(html, -1) {
		ids = append(ids, atoi64(m[1]))
	}
	return ids
}

// TestThread_Paged reads a 200-top-level-comment thread a page at a time,
// by the links a reader without script follows, in both orders: each page
// shows the next 50 top-level comments with all their replies, and the four
// pages together show every comment once.
func TestThread_Paged(t *testing.T) {
	f := newPagedFixture(t)
	guest := f.e.client()
	newest := slices.Clone(f.roots)
	slices.Reverse(newest)
	for _, order := range []string{"best", "newest"} {
		want := f.roots // no votes: the best are the oldest first
		if order == "newest" {
			want = newest
		}
		seen := map[int64]bool{}
		var got []int64
		link := f.path + "?order=" + order
		for page := 1; page <= 4; page++ {
			r := guest.get(link)
			if r.Status != http.StatusOK {
				t.Fatalf("%s page %d: %d", order, page, r.Status)
			}
			list := listRe.FindStringSubmatch(r.Body)
			if list == nil {
				t.Fatalf("%s page %d: no comment list", order, page)
			}
			roots := topLevel(list[1])
			if len(roots) != 50 {
				t.Errorf("%s page %d: %d top-level comments, want 50", order, page, len(roots))
			}
			got = append(got, roots...)
			for _, m := range commentRe.FindAllStringSubmatch(list[1], -1) {
				id := atoi64(m[1])
				if seen[id] {
					t.Errorf("%s: comment %d shown twice", order, id)
				}
				seen[id] = true
				if !slices.Contains(roots, f.rootOf[id]) {
					t.Errorf("%s page %d: comment %d shown apart from its top-level comment %d", order, page, id, f.rootOf[id])
				}
			}
			// Every page shows the whole thread's tally.
			contains(t, order, r.Body, `<span data-tally="for">100</span>`, `<span data-tally="against">100</span>`, `<span data-tally="neutral">100</span>`)
			if page > 1 && !strings.Contains(r.Body, `href="`+f.path+"?order="+order+"&amp;page="+itoa(page-1)+`#comments" rel="prev"`) {
				t.Errorf("%s page %d: no link to page %d", order, page, page-1)
			}
			next := nextRe.FindStringSubmatch(r.Body)
			if page == 4 {
				if next != nil {
					t.Errorf("%s: the last page links to a next one: %s", order, next[0])
				}
				break
			}
			if next == nil {
				t.Fatalf("%s page %d: no link to the next page", order, page)
			}
			if next[3] != "다음 의견 50개" {
				t.Errorf("%s page %d: the next link says %q", order, page, next[3])
			}
			link = strings.ReplaceAll(next[1], "&amp;", "&")
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: the pages show the top-level comments %v…, want %v…", order, got[:5], want[:5])
		}
		if len(seen) != len(f.comments) {
			t.Errorf("%s: the pages show %d comments of %d", order, len(seen), len(f.comments))
		}
	}
	// A page past the last shows the last.
	if r := guest.get(f.path + "?order=newest&page=99"); !slices.Equal(topLevel(r.Body), newest[150:]) {
		t.Errorf("page 99 does not show the last page")
	}
}

// TestThread_LinkToCommentOpensItsPage links to comments deep in the thread
// (a notification's ?comment=, the redirect after a reply, the reply form's
// ?reply=) and expects the page that holds each, in the order asked for.
func TestThread_LinkToCommentOpensItsPage(t *testing.T) {
	f := newPagedFixture(t)
	guest := f.e.client()
	reply := f.comments[182].ID // a reply under the 121st top-level comment: page 3 oldest first
	if f.rootOf[reply] != f.roots[120] {
		t.Fatalf("fixture: %d hangs under %d", reply, f.rootOf[reply])
	}
	for _, c := range []struct {
		query string
		roots []int64
	}{
		{"?comment=" + itoa(int(reply)), f.roots[100:150]},
		{"?order=newest&comment=" + itoa(int(reply)), reversed(f.roots[100:150])}, // the 80th newest: page 2
		{"?comment=" + itoa(int(f.roots[199])) + "&page=1", f.roots[150:]},        // the comment wins over page
	} {
		r := guest.get(f.path + c.query)
		if r.Status != http.StatusOK || !slices.Equal(topLevel(r.Body), c.roots) {
			t.Errorf("%s: %d, top-level %v…, want %v…", c.query, r.Status, first(topLevel(r.Body)), first(c.roots))
		}
	}

	// A citizen replies deep in the thread: the redirect opens the page that
	// holds the reply, and the reply form (?reply=) opened on that page too.
	citizen := f.e.register("답글 시민")
	r := citizen.get(f.path + "?reply=" + itoa(int(reply)))
	if !strings.Contains(r.Body, `id="reply-`+itoa(int(reply))+`"`) || !slices.Equal(topLevel(r.Body), f.roots[100:150]) {
		t.Fatalf("?reply= does not open the reply form on the page that holds the comment")
	}
	r = citizen.post(f.path+"/comments", url.Values{"stance": {"for"}, "body": {"깊은 곳의 답글입니다"}, "parent": {itoa(int(reply))}})
	loc := r.Header.Get("Location")
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(loc, f.path+"?comment=") {
		t.Fatalf("reply: %d to %q", r.Status, loc)
	}
	_, id, _ := strings.Cut(loc, "#c")
	page := citizen.get(strings.Split(loc, "#")[0])
	if !strings.Contains(page.Body, `id="c`+id+`"`) || !strings.Contains(page.Body, "깊은 곳의 답글입니다") {
		t.Errorf("the page after the reply (%s) does not show it", loc)
	}
}

func reversed(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Reverse(out)
	return out
}

func first(ids []int64) []int64 { return ids[:min(3, len(ids))] }

// TestThread_BestArgumentsLinkAcrossPages votes a comment on the last page
// up to best argument: page 1 shows it in the summary, linked to the page
// that holds it, and the summary stays whole-thread.
func TestThread_BestArgumentsLinkAcrossPages(t *testing.T) {
	f := newPagedFixture(t)
	ctx := context.Background()
	var best *forum.Comment
	for _, c := range f.comments[150:] { // on page 2 of newest
		if c.Stance == forum.StanceFor && c.ParentID == 0 {
			best = c
			break
		}
	}
	voter := f.e.register("추천 시민")
	if _, err := f.e.st.VoteComment(ctx, best.ID, voter.user().ID, 1); err != nil {
		t.Fatal(err)
	}
	// A vote moves it to the top of "best": look from "newest", where it stays on the last page.
	r := f.e.client().get(f.path + "?order=newest")
	if slices.Contains(topLevel(r.Body), best.ID) {
		t.Fatalf("fixture: %d is on the first newest page", best.ID)
	}
	want := `href="` + f.path + `?order=newest&amp;comment=` + itoa(int(best.ID)) + `#c` + itoa(int(best.ID)) + `"`
	if !strings.Contains(r.Body, want) {
		t.Errorf("the best argument does not link to its page: want %s", want)
	}
	r = f.e.client().get(f.path)
	if !strings.Contains(r.Body, `href="#c`+itoa(int(best.ID))+`"`) || topLevel(r.Body)[0] != best.ID {
		t.Errorf("under best, the best argument is first on page 1 and linked by its anchor")
	}
}

// TestThread_MorePart asks for a page of comments alone, as the page's
// script does: only the comments and the pager, no layout.
func TestThread_MorePart(t *testing.T) {
	f := newPagedFixture(t)
	r := f.e.client().get(f.path + "/comments?order=best&page=2")
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("part: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	if strings.Contains(r.Body, "<html") || strings.Contains(r.Body, `class="tally"`) {
		t.Errorf("the part carries more than the comments")
	}
	if got := topLevel(r.Body); !slices.Equal(got, f.roots[50:100]) {
		t.Errorf("part 2 shows %v…, want %v…", first(got), first(f.roots[50:100]))
	}
	next := nextRe.FindStringSubmatch(r.Body)
	if next == nil || next[2] != f.path+"/comments?order=best&amp;page=3" {
		t.Errorf("part 2 does not lead to part 3: %v", next)
	}
	if r := f.e.client().get(f.path + "/comments?page=4"); nextRe.MatchString(r.Body) || len(topLevel(r.Body)) != 50 {
		t.Errorf("the last part: %d comments, a next link: %v", len(topLevel(r.Body)), nextRe.MatchString(r.Body))
	}
	if r := f.e.client().get("/proposals/999999/comments"); r.Status != http.StatusNotFound {
		t.Errorf("a missing proposal's comments: %d", r.Status)
	}
}

// TestThread_GzipReusesKeptBlocks asks for thread pages with gzip, as
// browsers do, as a guest (whose stream is assembled from a kept compressed
// page of comments) and a member (compressed by the middleware): each
// decodes (CRC and length checked) to the identity page byte for byte, and
// passes ETag revalidation; the guest's carries the kept blocks verbatim,
// drawn and compressed once for every request.
func TestThread_GzipReusesKeptBlocks(t *testing.T) {
	f := newPagedFixture(t)
	member := f.e.register("읽는 시민")
	member.get(f.path) // shows and spends the welcome flash
	for name, c := range map[string]*client{"guest": f.e.client(), "member": member} {
		for _, path := range []string{f.path, f.path + "?order=newest&page=3", f.path + "/comments?page=2"} {
			plain := c.do("GET", path, nil, "Accept-Encoding", "identity")
			z := c.do("GET", path, nil, "Accept-Encoding", "gzip, deflate, br")
			if z.Status != http.StatusOK || z.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(z.Header.Get("Vary"), "Accept-Encoding") {
				if name == "guest" || z.Header.Get("Content-Encoding") != "br" {
					t.Fatalf("%s %s: %d, Content-Encoding %q, Vary %q", name, path, z.Status, z.Header.Get("Content-Encoding"), z.Header.Get("Vary"))
				}
				z = c.do("GET", path, nil, "Accept-Encoding", "gzip")
			}
			zr, err := gzip.NewReader(strings.NewReader(z.Body))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("%s %s: %v", name, path, err)
			}
			if !bytes.Equal(got, []byte(plain.Body)) {
				t.Errorf("%s %s: gzip decodes to %d bytes that differ from identity's %d at %.200q", name, path, len(got), len(plain.Body), firstDiff(got, []byte(plain.Body)))
			}
			if len(z.Body)*4 > len(plain.Body) {
				t.Errorf("%s %s: %d bytes compressed of %d", name, path, len(z.Body), len(plain.Body))
			}
			if tag := z.Header.Get("ETag"); !strings.Contains(path, "/comments") {
				if tag == "" || tag != plain.Header.Get("ETag") {
					t.Errorf("%s %s: ETag %q for gzip, %q for identity", name, path, tag, plain.Header.Get("ETag"))
				}
				if r := c.do("GET", path, nil, "Accept-Encoding", "gzip", "If-None-Match", tag); r.Status != http.StatusNotModified {
					t.Errorf("%s %s: revalidation: %d", name, path, r.Status)
				}
			}
		}
	}
	// The guest's first page of comments is kept, and its compressed bytes
	// are in every guest's stream as they are, without drawing anything.
	tc := f.e.srv.threads
	tc.mu.Lock()
	sl := tc.slots[slotKey{subject: forum.ProposalSubject(f.id), order: forum.OrderBest, page: 1, lang: "ko", open: true}]
	tc.mu.Unlock()
	if sl == nil {
		t.Fatal("the first page of comments is not kept")
	}
	drawn := tc.drawn.Load()
	f.e.client().do("GET", f.path, nil, "Accept-Encoding", "gzip")
	tc.mu.Lock()
	parts := len(tc.parts)
	tc.mu.Unlock()
	for range 3 {
		z := f.e.client().do("GET", f.path, nil, "Accept-Encoding", "gzip")
		if !bytes.Contains([]byte(z.Body), sl.z) {
			t.Errorf("the stream does not carry the kept compressed page of comments")
		}
	}
	if n := tc.drawn.Load() - drawn; n != 0 {
		t.Errorf("%d comments drawn for pages already kept", n)
	}
	// The page around the comments, the same for these guests but for
	// their tokens, is compressed once: no new parts.
	tc.mu.Lock()
	after := len(tc.parts)
	tc.mu.Unlock()
	if parts == 0 || after != parts {
		t.Errorf("compressed parts of the page around the comments: %d, then %d after three more guests", parts, after)
	}
	// A new comment drops the kept page with its thread.
	author := f.e.register("새 의견")
	if r := author.post(f.path+"/comments", url.Values{"stance": {"for"}, "body": {"새로 단 의견입니다"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("comment: %d", r.Status)
	}
	if r := f.e.client().get(f.path + "?order=newest"); !strings.Contains(r.Body, "새로 단 의견입니다") {
		t.Errorf("a guest's page does not show the new comment")
	}
}

// TestThread_PageAllocations counts the allocations of the first page of a
// 1,000-comment thread through the whole Fiber stack: bounded by the page,
// not the thread (the whole thread took 3,863 allocations a page).
func TestThread_PageAllocations(t *testing.T) {
	e := newEnv(t)
	id := benchThread(t, e, 1000)
	h := e.srv.App().Handler()
	var ctx fasthttp.RequestCtx
	get := func() {
		ctx.Request.Reset()
		ctx.Response.Reset()
		ctx.Request.SetRequestURI("/proposals/" + itoa(int(id)))
		ctx.Request.Header.Set("Accept-Encoding", "gzip")
		h(&ctx)
	}
	get()
	if ctx.Response.StatusCode() != http.StatusOK || string(ctx.Response.Header.ContentEncoding()) != "gzip" {
		t.Fatalf("page: %d %q", ctx.Response.StatusCode(), ctx.Response.Header.ContentEncoding())
	}
	const most = 2500
	if n := testing.AllocsPerRun(20, get); n > most {
		t.Errorf("%.0f allocations a page, want at most %d", n, most)
	}
}
