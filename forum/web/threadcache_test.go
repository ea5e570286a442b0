package web

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/e-people/e-people/assets"
	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/views"
	"github.com/valyala/fasthttp"
)

// cacheFixture is an open proposal with a thread of every kind of comment:
// replies three deep, votes, an author's own, a hidden one and a deleted one.
type cacheFixture struct {
	e                   *env
	id                  int64
	author, voter, mod  *client
	own, voted, deleted int64
	comments            []int64
}

func newCacheFixture(t *testing.T) *cacheFixture {
	e := newEnv(t)
	f := &cacheFixture{e: e}
	f.author = e.register("글쓴이")
	f.voter = e.register("투표자")
	f.mod = e.staff(forum.RoleModerator, 0, "운영자")
	f.id = e.openProposal(f.author, "캐시 시험 제안", "본문")
	pid := itoa(int(f.id))
	stances := []string{"for", "against", "neutral"}
	var parent int64
	for i := range 24 {
		who := f.author
		if i%2 == 1 {
			who = f.voter
		}
		form := url.Values{"stance": {stances[i%3]}, "body": {fmt.Sprintf("의견 %d: **굵게** <b>태그</b> & 기호", i)}}
		if i%4 != 0 {
			form.Set("parent", itoa(int(parent)))
		}
		if r := who.post("/proposals/"+pid+"/comments", form); r.Status != http.StatusSeeOther {
			t.Fatalf("comment %d: %d %.300s", i, r.Status, r.Body)
		}
		flat, err := e.st.Comments(context.Background(), forum.ProposalSubject(f.id))
		if err != nil {
			t.Fatal(err)
		}
		last := flat[len(flat)-1]
		f.comments = append(f.comments, last.ID)
		if i%4 == 0 || last.Depth < forum.MaxCommentDepth {
			parent = last.ID
		}
	}
	f.own, f.voted, f.deleted = f.comments[1], f.comments[4], f.comments[3]
	if r := f.voter.post("/comments/"+itoa(int(f.voted))+"/vote", url.Values{"value": {"1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("vote: %d", r.Status)
	}
	if r := f.author.post("/comments/"+itoa(int(f.comments[5]))+"/vote", url.Values{"value": {"-1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("vote: %d", r.Status)
	}
	if r := f.voter.post("/comments/"+itoa(int(f.deleted))+"/delete", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.Status)
	}
	if r := f.mod.post("/moderation/hide", url.Values{"kind": {"comment"}, "id": {itoa(int(f.comments[6]))}, "reason": {"offtopic"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("hide: %d %.300s", r.Status, r.Body)
	}
	return f
}

// referenceThread draws t's comments with the recursive template alone, as
// the page did before the cache.
func referenceThread(t *testing.T, s *Server, lang string, th *thread) []byte {
	var buf bytes.Buffer
	for _, c := range th.Roots {
		b, err := s.views.partial(lang, "comment", map[string]any{"C": c, "T": th})
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
	}
	return buf.Bytes()
}

// viewerThread loads the thread as the page does for user, through a Fiber context.
func viewerThread(t *testing.T, s *Server, subject forum.Subject, user *forum.User, query string) *thread {
	var rc fasthttp.RequestCtx
	rc.Request.SetRequestURI("/proposals/1?" + query)
	c := s.app.AcquireCtx(&rc)
	defer s.app.ReleaseCtx(c)
	if user != nil {
		c.Locals("user", user)
		c.Locals("csrf", "tok-"+user.Name)
	} else {
		c.Locals("csrf", "visitor-token")
	}
	th, err := s.thread(c, subject, true)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

// TestThreadCache_SameAsTemplate draws the thread from cached fragments for
// every kind of viewer, language and order, cold and warm, and expects the
// very bytes the recursive template draws.
func TestThreadCache_SameAsTemplate(t *testing.T) {
	f := newCacheFixture(t)
	s := f.e.srv
	subject := forum.ProposalSubject(f.id)
	viewers := map[string]struct {
		user  *forum.User
		query string
	}{
		"guest":           {nil, ""},
		"author":          {f.author.user(), ""},
		"voter":           {f.voter.user(), "order=newest"},
		"moderator":       {f.mod.user(), ""},
		"replying member": {f.voter.user(), "reply=" + itoa(int(f.comments[8]))},
	}
	for _, pass := range []string{"cold", "warm"} {
		if pass == "cold" {
			s.threads.reset()
		}
		for name, v := range viewers {
			for _, lang := range Languages {
				th := viewerThread(t, s, subject, v.user, v.query)
				var got bytes.Buffer
				if err := s.writeThread(&got, lang, th); err != nil {
					t.Fatal(err)
				}
				want := referenceThread(t, s, lang, th)
				if !bytes.Equal(got.Bytes(), want) {
					t.Errorf("%s, %s, %s: cached thread differs from the template's\n got: %.400s\nwant: %.400s",
						pass, name, lang, firstDiff(got.Bytes(), want), firstDiff(want, got.Bytes()))
				}
			}
		}
	}
}

// TestThreadCache_MarkupFromPartials changes the markup the "comment"
// template draws around replies and expects the cached thread, cold and
// warm, to follow it byte for byte: no copy of that markup is kept in Go.
func TestThreadCache_MarkupFromPartials(t *testing.T) {
	f := newCacheFixture(t)
	fsys := fstest.MapFS{}
	err := fs.WalkDir(views.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(views.FS, p)
		fsys[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	partials := string(fsys["partials.html"].Data)
	for _, change := range [][2]string{
		{`{{define "replies-open"}}<ol class="replies">{{end}}`, `{{define "replies-open"}}<ol class="replies" data-changed="1">{{end}}`},
		{`{{define "replies-close"}}</ol>{{end}}`, `{{define "replies-close"}}</ol>` + "\n" + `{{end}}`},
		{`{{define "comment-close"}}</li>{{end}}`, `{{define "comment-close"}}` + "\n" + `</li>{{end}}`},
	} {
		if !strings.Contains(partials, change[0]) {
			t.Fatalf("partials.html no longer holds %s", change[0])
		}
		partials = strings.Replace(partials, change[0], change[1], 1)
	}
	fsys["partials.html"].Data = []byte(partials)
	r, err := newRenderer(fsys, assets.FS, "http://127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{views: r, threads: newThreadCache()}
	th := viewerThread(t, f.e.srv, forum.ProposalSubject(f.id), nil, "")
	for _, pass := range []string{"cold", "warm"} {
		var got bytes.Buffer
		if err := s.writeThread(&got, "ko", th); err != nil {
			t.Fatal(err)
		}
		want := referenceThread(t, s, "ko", th)
		if !bytes.Contains(want, []byte(`<ol class="replies" data-changed="1">`)) {
			t.Fatalf("the template's thread has no changed replies list: %.400s", want)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: cached thread differs from the changed template's\n got: %.400s\nwant: %.400s",
				pass, firstDiff(got.Bytes(), want), firstDiff(want, got.Bytes()))
		}
	}
}

// firstDiff returns a from a little before where it first differs from b.
func firstDiff(a, b []byte) []byte {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return a[max(i-80, 0):]
}

// TestThreadCache_RedrawsExactlyTheChangedComment counts the fragments drawn
// as the thread changes: none when nothing changed (a support does not
// count), one for each comment that changed, and the page shows each change.
func TestThreadCache_RedrawsExactlyTheChangedComment(t *testing.T) {
	f := newCacheFixture(t)
	s := f.e.srv
	guest := f.e.client()
	page := "/proposals/" + itoa(int(f.id))
	get := func() string {
		t.Helper()
		r := guest.get(page)
		if r.Status != http.StatusOK {
			t.Fatalf("GET: %d", r.Status)
		}
		return r.Body
	}
	get()
	drawn := func(what string, want int64, do func()) {
		t.Helper()
		before := s.threads.drawn.Load()
		do()
		if got := s.threads.drawn.Load() - before; got != want {
			t.Errorf("%s: %d fragments drawn, want %d", what, got, want)
		}
	}
	drawn("nothing changed", 0, func() { get() })
	drawn("a support", 0, func() {
		if r := f.e.register("지지자").post(page+"/support", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("support: %d", r.Status)
		}
		get()
	})
	target := f.comments[10]
	drawn("a vote", 1, func() {
		if r := f.e.register("새 투표자").post("/comments/"+itoa(int(target))+"/vote", url.Values{"value": {"-1"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("vote: %d", r.Status)
		}
		body := get()
		at := strings.Index(body, `id="c`+itoa(int(target))+`"`)
		if at < 0 || !strings.Contains(body[at:at+3000], `data-count="down">1</span>`) {
			t.Error("the page does not show the new vote")
		}
	})
	drawn("a new comment", 1, func() {
		if r := f.voter.post(page+"/comments", url.Values{"stance": {"for"}, "body": {"새로 단 의견"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("comment: %d", r.Status)
		}
		contains(t, "page after a comment", get(), "새로 단 의견")
	})
	drawn("an edit", 1, func() {
		if r := f.voter.post("/comments/"+itoa(int(f.own))+"/edit", url.Values{"body": {"고쳐 쓴 의견"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("edit: %d %.200s", r.Status, r.Body)
		}
		contains(t, "page after an edit", get(), "고쳐 쓴 의견")
	})
	drawn("a hide", 1, func() {
		if r := f.mod.post("/moderation/hide", url.Values{"kind": {"comment"}, "id": {itoa(int(f.comments[12]))}, "reason": {"spam"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("hide: %d", r.Status)
		}
		get()
	})
	flat, err := f.e.st.Comments(context.Background(), forum.ProposalSubject(f.id))
	if err != nil {
		t.Fatal(err)
	}
	admin := f.e.staff(forum.RoleAdmin, 0, "관리자")
	drawn("a new role", int64(len(flat)), func() { // roles show beside names: every fragment is drawn again
		if r := admin.post("/admin/users/"+itoa(int(f.voter.user().ID))+"/appoint", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("appoint: %d %.300s", r.Status, r.Body)
		}
		body := get()
		at := strings.Index(body, `id="c`+itoa(int(f.own))+`"`)
		if at < 0 || !strings.Contains(body[at:at+2000], "role-moderator") {
			t.Error("the page does not show the author's new role")
		}
	})
}

// TestThreadCache_ETag answers a repeated request with 304 and no body,
// and a changed thread with 200 and a new tag.
func TestThreadCache_ETag(t *testing.T) {
	f := newCacheFixture(t)
	guest := f.e.client()
	page := "/proposals/" + itoa(int(f.id))
	first := guest.get(page)
	tag := first.Header.Get("ETag")
	if first.Status != http.StatusOK || tag == "" {
		t.Fatalf("first GET: %d, ETag %q", first.Status, tag)
	}
	again := guest.do("GET", page, nil, "If-None-Match", tag)
	if again.Status != http.StatusNotModified || again.Body != "" {
		t.Errorf("GET with the same tag: %d, %d bytes; want 304 and none", again.Status, len(again.Body))
	}
	if r := f.voter.post("/comments/"+itoa(int(f.comments[10]))+"/vote", url.Values{"value": {"1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("vote: %d", r.Status)
	}
	changed := guest.do("GET", page, nil, "If-None-Match", tag)
	if changed.Status != http.StatusOK || changed.Header.Get("ETag") == tag {
		t.Errorf("GET after a vote: %d with ETag %q (was %q); want 200 and a new tag", changed.Status, changed.Header.Get("ETag"), tag)
	}
	// A new role changes no comment row, but shows beside the author's name.
	tag = changed.Header.Get("ETag")
	admin := f.e.staff(forum.RoleAdmin, 0, "관리자")
	if r := admin.post("/admin/users/"+itoa(int(f.voter.user().ID))+"/appoint", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("appoint: %d %.300s", r.Status, r.Body)
	}
	appointed := guest.do("GET", page, nil, "If-None-Match", tag)
	if appointed.Status != http.StatusOK || appointed.Header.Get("ETag") == tag {
		t.Errorf("GET after a new role: %d with ETag %q (was %q); want 200 and a new tag", appointed.Status, appointed.Header.Get("ETag"), tag)
	}
}
