package web

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"
)

// TestBrowser_ThreadPages reads a 300-comment thread (200 top-level) in
// Chromium as a guest: the page opens with 50 top-level comments, the next
// 50 load in place with focus on the first of them, live comments land
// where they belong (a reply under its parent on the page, a new top-level
// comment under "best" as a notice while later pages are unread, under
// "newest" at the top), and a link to a comment on page 3 opens page 3 at it.
func TestBrowser_ThreadPages(t *testing.T) {
	f := newPagedFixture(t)
	e := f.e
	br := newBrowser(t, e, 120*time.Second)
	g := br.tab("guest")
	g.open(f.path)
	g.waitText("#live-status", "실시간")
	g.wantCount("ol.comments > li.comment", 50)
	elements := evalIn[int](g, `document.getElementsByTagName("*").length`)
	t.Logf("the first page has %d elements", elements)
	if elements > 2000 {
		t.Errorf("the first page has %d elements", elements)
	}
	g.noReload()

	// The next page, in place.
	g.tap(`a[data-more]`)
	g.waitCount("ol.comments > li.comment", 100)
	first := "c" + strconv.FormatInt(f.roots[50], 10)
	if got := evalIn[string](g, `document.activeElement.id`); got != first {
		t.Errorf("focus is on %q after loading, want the first new comment %q", got, first)
	}
	g.waitText("#live-announcer", "의견 50개를 더 불러왔습니다") // announce() writes it after 50 ms
	if got := g.attr("a[data-more]", "data-more"); got != f.path+"/comments?order=best&page=3" {
		t.Errorf("the next link now loads %q", got)
	}
	g.stillSame()

	// A reply to a comment on the page lands under it; a new top-level
	// comment belongs after the unread pages: a notice counts it.
	writer := e.register("실시간 작성자")
	parent := f.roots[60]
	replies := g.count("#c" + strconv.FormatInt(parent, 10) + " > ol.replies > li.comment")
	post := func(form url.Values) {
		t.Helper()
		if r := writer.post(f.path+"/comments", form); r.Status != http.StatusSeeOther {
			t.Fatalf("comment: %d", r.Status)
		}
	}
	post(url.Values{"stance": {"for"}, "body": {"실시간 답글입니다"}, "parent": {strconv.FormatInt(parent, 10)}})
	g.waitCount("#c"+strconv.FormatInt(parent, 10)+" > ol.replies > li.comment", replies+1)
	g.wantText("#c"+strconv.FormatInt(parent, 10)+" > ol.replies > li.comment:last-child .comment-body", "실시간 답글입니다")
	post(url.Values{"stance": {"against"}, "body": {"실시간 새 의견입니다"}})
	g.waitText(`[data-live="elsewhere"] [data-count="elsewhere"]`, "1")
	if evalIn[bool](g, `document.querySelector('[data-live="elsewhere"]').hidden`) {
		t.Error("the notice of comments elsewhere is hidden")
	}
	g.wantCount("ol.comments > li.comment", 100)
	g.wantText(".tally [data-tally=against]", "101")
	g.stillSame()

	// Newest first, page 1: a new top-level comment goes on top.
	g.open(f.path + "?order=newest")
	g.waitText("#live-status", "실시간")
	post(url.Values{"stance": {"neutral"}, "body": {"맨 위에 올 의견입니다"}})
	g.waitText("ol.comments > li.comment:first-child .comment-body", "맨 위에 올 의견입니다")

	// A link to a reply on page 3 (oldest first) opens page 3 at it.
	reply := f.comments[182].ID
	anchor := "c" + strconv.FormatInt(reply, 10)
	g.open(f.path + "?comment=" + strconv.FormatInt(reply, 10) + "#" + anchor)
	g.wantCount("#"+anchor, 1)
	if got := g.attr("ol.comments > li.comment:first-child", "id"); got != "c"+strconv.FormatInt(f.roots[100], 10) {
		t.Errorf("the linked page starts at %q, want page 3", got)
	}
	// A fraction of a pixel above the top is rounding, not out of view.
	if !evalIn[bool](g, `(() => { const r = document.getElementById(`+jsString(anchor)+`).getBoundingClientRect(); return r.top > -1 && r.top < innerHeight; })()`) {
		t.Errorf("the linked comment is not in view")
	}
}
