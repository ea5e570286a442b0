package web

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
	"github.com/valyala/fasthttp"
)

// sweep sends corpus payloads to the real app and checks every answer: no
// 5xx, every HTML page free of live markup, every JSON answer valid JSON.
// Pages already checked are recognised by their hash, so the thousands of
// identical error pages cost one parse.
type sweep struct {
	t       *testing.T
	e       *env
	mu      sync.Mutex
	checked map[[sha256.Size]byte]bool
	tokens  map[*client]string // CSRF tokens
	sent    int
}

func newSweep(t *testing.T, e *env) *sweep {
	return &sweep{t: t, e: e, checked: map[[sha256.Size]byte]bool{}, tokens: map[*client]string{}}
}

// check checks one answer and returns what is wrong with it; what names the
// request. It is safe for concurrent use.
func (w *sweep) check(what string, status int, contentType, location string, body []byte) error {
	if status >= 500 {
		return fmt.Errorf("%s: status %d: %.300s", what, status, body)
	}
	if location != "" {
		if u, err := browserResolve(location); err == nil && u.Host != "e-people.example" {
			return fmt.Errorf("%s: redirects off the site to %q", what, location)
		}
	}
	html := strings.HasPrefix(contentType, "text/html")
	if !html && !strings.HasPrefix(contentType, "application/json") {
		return nil
	}
	sum := sha256.Sum256(body)
	w.mu.Lock()
	w.sent++
	done := w.checked[sum]
	w.checked[sum] = true
	w.mu.Unlock()
	switch {
	case done:
	case !utf8.Valid(body):
		return fmt.Errorf("%s: answer is not valid UTF-8", what)
	case html:
		if bad := liveMarkup(string(body)); len(bad) > 0 {
			return fmt.Errorf("%s: live markup %v", what, bad)
		}
	case !json.Valid(body):
		return fmt.Errorf("%s: invalid JSON: %.300s", what, body)
	}
	return nil
}

// do sends a request from c through app.Test and verifies the answer.
func (w *sweep) do(c *client, method, path string, form url.Values, hdr ...string) resp {
	w.t.Helper()
	r := c.do(method, path, form, hdr...)
	if err := w.check(method+" "+path, r.Status, r.Header.Get("Content-Type"), r.Header.Get("Location"), []byte(r.Body)); err != nil {
		w.t.Fatal(err)
	}
	return r
}

// post submits form to path as c with c's CSRF token and checks the answer.
func (w *sweep) post(c *client, path string, form url.Values) resp {
	w.t.Helper()
	w.mu.Lock()
	tok, ok := w.tokens[c]
	w.mu.Unlock()
	if !ok {
		tok = c.csrf()
		w.mu.Lock()
		w.tokens[c] = tok
		w.mu.Unlock()
	}
	v := url.Values{"_csrf": {tok}}
	for k, vs := range form {
		v[k] = vs
	}
	return w.do(c, "POST", path, v)
}

// page GETs path as c and wants 200 and a clean page.
func (w *sweep) page(c *client, path string) resp {
	w.t.Helper()
	r := w.do(c, "GET", path, nil)
	if r.Status != 200 {
		w.t.Fatalf("GET %s: %d: %.300s", path, r.Status, r.Body)
	}
	return r
}

// getAll sends GET target(v) for every value v through the app's own
// request handler (the function fasthttp calls for each request; going
// around the loopback connection keeps tens of thousands of requests to
// seconds), from two goroutines, and checks every answer. hdr holds extra
// header names and values; a session cookie in it signs the requests in.
func (w *sweep) getAll(values []string, target func(v string) string, hdr ...string) {
	w.t.Helper()
	h := w.e.srv.App().Handler()
	csrf := w.e.srv.newGuestCSRF() // one signed guest token: the same forms on every anonymous page
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for part := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var req fasthttp.Request
			var ctx fasthttp.RequestCtx
			for i := part; i < len(values) && errs[part] == nil; i += 2 {
				req.Reset()
				uri := target(values[i])
				req.SetRequestURI(uri)
				req.Header.SetCookie(anonCSRFCookie, csrf)
				for j := 0; j+1 < len(hdr); j += 2 {
					req.Header.Set(hdr[j], hdr[j+1])
				}
				ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000 + part}, nil)
				h(&ctx)
				res := &ctx.Response
				errs[part] = w.check("GET "+uri, res.StatusCode(), string(res.Header.ContentType()), string(res.Header.Peek("Location")), res.Body())
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		w.t.Fatal(err)
	}
}

// query returns a target for getAll that sets the query parameter name.
func query(path, name string) func(string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return func(v string) string { return path + sep + url.QueryEscape(name) + "=" + url.QueryEscape(v) }
}

// chunks packs payloads, in order, into texts of at most max characters
// joined by sep; a payload longer than max is cut into pieces.
func chunks(payloads []string, max int, sep string) []string {
	var out []string
	var cur []rune
	for _, p := range payloads {
		r := []rune(p)
		for len(r) > 0 {
			if len(cur) > 0 && len(cur)+len([]rune(sep))+len(r) > max {
				out = append(out, string(cur))
				cur = nil
			}
			if len(cur) > 0 {
				cur = append(cur, []rune(sep)...)
			}
			n := min(len(r), max-len(cur))
			cur = append(cur, r[:n]...)
			r = r[n:]
		}
	}
	if len(cur) > 0 {
		out = append(out, string(cur))
	}
	return out
}

// TestCorpora_EveryQueryParameter sends corpus payloads as every query
// parameter of every GET page and /api/v1 route, signed in where the page
// needs it: no 5xx, no live markup in any page, valid JSON from the API.
//
// Parameters whose text comes back in the page, or reaches a query (search
// terms, titles, return paths, cursors, slugs), get every payload: one at a
// time where the answer is cheap (the API, error pages, redirects), and
// packed 600 characters to a request where each answer is a full page
// rendered around them (the search page, the proposal form), whose API twin
// or fragment also gets them one at a time; so do the live channel's topics,
// read before the upgrade. Parameters that must be a number, a date or one of
// a few words, and slugs and tokens in paths, get every SQL-injection string
// and every eighth other payload: every other payload fails the same way.
func TestCorpora_EveryQueryParameter(t *testing.T) {
	if testing.Short() {
		t.Skip("the corpora sweep sends about 60,000 requests")
	}
	xss, sqli := payloads(t)
	all := append(append([]string{}, xss...), sqli...)
	packed := chunks(all, 600, " ")
	sample := append([]string{}, sqli...)
	for i := 0; i < len(xss); i += 8 {
		sample = append(sample, xss[i])
	}
	f := newAnsFixture(t)
	e := f.e
	w := newSweep(t, e)
	pid := f.awaiting("파라미터 시험 제안")
	session := f.moderator.cookies[SessionCookie]
	type param struct {
		name   string
		values []string
	}
	full := func(names ...string) []param {
		var out []param
		for _, n := range names {
			out = append(out, param{n, all})
		}
		return out
	}
	some := func(names ...string) []param {
		var out []param
		for _, n := range names {
			out = append(out, param{n, sample})
		}
		return out
	}
	id := itoa(int(pid))
	pages := []struct {
		path    string
		params  []param
		session bool
	}{
		{"/proposals", append(full("cursor"), some("status", "category", "ministry", "sort")...), false},
		{"/proposals/" + id, some("order", "reply"), false},
		{"/proposals/new", []param{{"title", packed}}, true},
		{"/proposals/similar", full("title"), false},
		{"/debates", full("ministry"), false},
		{"/search", append([]param{{"q", packed}}, some("kind", "status", "ministry", "category", "from", "to", "page")...), false},
		{"/api/v1/search", append(full("q"), some("kind", "status", "ministry", "category", "from", "to", "page", "limit", "offset")...), false},
		{"/api/v1/proposals", append(full("cursor", "ministry", "category"), some("sort", "status", "limit")...), false},
		{"/api/v1/debates", append(full("ministry"), some("status")...), false},
		{"/api/v1/moderation-log", some("before"), false},
		{"/moderation/log", some("before"), false},
		{"/lang", append(full("next"), some("lang")...), false},
		{"/login", full("next"), false},
		{"/reports/new?kind=proposal", some("id"), true},
		{"/reports/new?id=" + id, some("kind"), true},
		{"/appeals/new?kind=proposal", some("id"), true},
		{"/appeals/new?id=" + id, some("kind"), true},
		{"/moderation/act?kind=proposal", some("id"), true},
		{"/moderation/act?id=" + id, some("kind"), true},
	}
	start := time.Now()
	for _, p := range pages {
		for _, pr := range p.params {
			var hdr []string
			if p.session {
				hdr = []string{"Cookie", SessionCookie + "=" + session}
			}
			w.getAll(pr.values, query(p.path, pr.name), hdr...)
		}
	}
	// The live channel reads its parameters before the upgrade.
	upgrade := []string{"Connection", "Upgrade", "Upgrade", "websocket", "Origin", "http://127.0.0.1", "Sec-WebSocket-Version", "13",
		"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}
	w.getAll(all, query("/live", "topics"), upgrade...)
	w.getAll(all, func(v string) string { return "/live?topics=" + url.QueryEscape("proposal:"+v) }, upgrade...)
	w.getAll(all, func(v string) string { return "/live?topics=" + url.QueryEscape("ministry:"+v) }, upgrade...)
	w.getAll(sample, query("/live?topics=feed", "since"), upgrade...)
	// Slugs and tokens in paths, sampled like the parameters that must be words.
	for _, path := range []string{"/ministries/%s", "/api/v1/ministries/%s", "/feeds/ministries/%s.atom", "/feeds/categories/%s.atom",
		"/setup/%s", "/proposals/" + id + "/sponsor/%s", "/users/%s"} {
		w.getAll(sample, func(v string) string { return fmt.Sprintf(path, url.PathEscape(v)) })
	}
	t.Logf("%d payloads (%d packed, %d sampled): %d answers, %d distinct, in %v", len(all), len(packed), len(sample),
		w.sent, len(w.checked), time.Since(start).Round(time.Millisecond))
}

// malformedUTF8 are byte sequences that are not UTF-8, after sections 2-5 of
// Markus Kuhn's decoder stress test (whose corpus copy already replaced them
// with U+FFFD): lone continuation bytes, lonely start bytes, cut sequences,
// impossible bytes, overlong forms, UTF-16 surrogates, 5- and 6-byte forms.
var malformedUTF8 = []string{
	"\x80", "\xbf", "\x80\xbf\x80", "\xc0 ", "\xe0\x80 ", "\xf0\x80\x80 ", "\xc2", "\xe0\xa0", "\xf0\x90\x80",
	"\xfe", "\xff", "\xfe\xfe\xff\xff", "\xc0\xaf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf", "\xc1\xbf",
	"\xed\xa0\x80", "\xed\xbf\xbf", "\xed\xa0\x80\xed\xb0\x80", "\xf8\x88\x80\x80\x80", "\xfc\x84\x80\x80\x80\x80",
}

// refusesBadUTF8 posts form to path as c once for each field and each
// malformed sequence put into it, as a form and as JSON: each gets 400 and
// the message about UTF-8.
func (w *sweep) refusesBadUTF8(c *client, path string, form url.Values, fields ...string) {
	w.t.Helper()
	tok := c.csrf()
	for _, field := range fields {
		for _, bad := range malformedUTF8 {
			v := url.Values{"_csrf": {tok}}
			for k, vs := range form {
				v[k] = vs
			}
			v.Set(field, "정상 "+bad+" 뒤")
			if r := w.do(c, "POST", path, v); r.Status != 400 || !strings.Contains(r.Body, "UTF-8") {
				w.t.Fatalf("POST %s with %q in %s: %d", path, bad, field, r.Status)
			}
			var js strings.Builder
			js.WriteByte('{')
			for k := range v {
				fmt.Fprintf(&js, "%q:\"%s\",", k, strings.ReplaceAll(v.Get(k), `"`, `\"`))
			}
			js.WriteString(`"x":""}`)
			req := httptest.NewRequest("POST", path, strings.NewReader(js.String()))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-CSRF-Token", tok)
			if r := c.send(req); r.Status != 400 || !strings.Contains(r.Body, "UTF-8") {
				w.t.Fatalf("POST %s with %q in JSON %s: %d", path, bad, field, r.Status)
			}
		}
	}
}

// wantMost fails unless at least nine in ten of n attempts were accepted:
// payload chunks that clean up to nothing may be refused, but most must be
// stored for their pages to be read.
func wantMost(t *testing.T, what string, accepted, n int) {
	t.Helper()
	if accepted < n*9/10 {
		t.Fatalf("only %d of %d %s accepted", accepted, n, what)
	}
}

// cycle returns the r-th of list, round and round.
func cycle(list []string, r int) string { return list[r%len(list)] }

// TestCorpora_EveryOtherTextField sends every corpus payload through every
// text field the proposal and display-name test (TestCorpora_EveryTextField)
// leaves out: debate questions, backgrounds, arguments and conclusions;
// official answers and transfer reasons; report and appeal texts and the
// reasons of appeal decisions; the admins' ministry fields and banned terms;
// sign-in and registration e-mails; and, sampled, the fields that must be
// one of a few words (notification settings, report and hide reasons). Long
// fields take the payloads packed as many as fit; short ones of the same
// kind in one form (an answer's four detail lines, a ministry's three names)
// share them out. Every page that shows them is then read: no 5xx, no live
// markup. Each text field also refuses invalid UTF-8 with 400, as a form and
// as JSON, and nothing stored anywhere is invalid UTF-8.
func TestCorpora_EveryOtherTextField(t *testing.T) {
	if testing.Short() {
		t.Skip("the corpora run takes half a minute")
	}
	xss, sqli := payloads(t)
	all := append(append([]string{}, xss...), sqli...)
	sample := append([]string{}, sqli...)
	for i := 0; i < len(xss); i += 8 {
		sample = append(sample, xss[i])
	}
	f := newAnsFixture(t)
	e := f.e
	ctx := context.Background()
	w := newSweep(t, e)
	mof, err := e.st.CreateMinistry(ctx, forum.Ministry{Slug: "mof", NameKO: "기획재정부", NameEN: "Ministry of Economy and Finance"})
	if err != nil {
		t.Fatal(err)
	}
	hosts := []int64{f.mohw, f.moe, f.molit, mof.ID} // a debate list shows 300
	local := func(d time.Duration) string { return e.clock.Now().Add(d).In(seoul).Format(datetimeLocal) }
	timed := func(what string, since time.Time) { t.Logf("%s: %v", what, time.Since(since).Round(time.Millisecond)) }

	// Debates: questions (one debate each, spread over four ministries so
	// each one's list shows them all), backgrounds, and arguments.
	start := time.Now()
	questions, backgrounds := chunks(all, forum.QuestionMax, " "), chunks(all, forum.BackgroundMax, "\n\n")
	debateForm := func(ministry int64, q, bg string, closes time.Duration) url.Values {
		return url.Values{"ministry": {itoa(int(ministry))}, "question": {q}, "background": {bg},
			"opens_at": {local(-time.Hour)}, "closes_at": {local(closes)}}
	}
	w.refusesBadUTF8(f.admin, "/debates", debateForm(f.mohw, "올바른 질문입니다", "배경", 48*time.Hour), "question", "background")
	for i, q := range questions {
		bg := "배경"
		if i < len(backgrounds) {
			bg = backgrounds[i]
		}
		w.post(f.admin, "/debates", debateForm(hosts[i%len(hosts)], q, bg, 48*time.Hour))
	}
	var ds []*forum.Debate
	for _, m := range hosts {
		list, err := e.st.Debates(ctx, store.DebateQuery{MinistryID: m, Limit: 500})
		if err != nil || len(list) > 300 {
			t.Fatalf("%d debates for ministry %d (%v)", len(list), m, err)
		}
		ds = append(ds, list...)
	}
	if len(ds) < len(questions)*9/10 {
		t.Fatalf("%d of %d debates created", len(ds), len(questions))
	}
	for _, slug := range []string{"mohw", "moe", "molit", "mof"} {
		w.page(f.citizen, "/debates?ministry="+slug)
	}
	w.page(f.citizen, "/api/v1/debates")
	for _, d := range ds {
		if d.BackgroundSrc != "배경" {
			w.page(f.citizen, "/debates/"+itoa(int(d.ID)))
		}
	}
	debate := "/debates/" + itoa(int(ds[0].ID))
	arguments := chunks(all, forum.CommentBodyMax, "\n\n")
	tok := f.citizen.csrf()
	w.refusesBadUTF8(f.citizen, debate+"/comments", url.Values{"stance": {"for"}, "body": {"논거"}}, "body")
	accepted := 0
	for i, body := range arguments {
		if i%2 == 0 {
			if w.post(f.citizen, debate+"/comments", url.Values{"stance": {"against"}, "body": {body}}).Status == 303 {
				accepted++
			}
			continue
		}
		js, _ := json.Marshal(map[string]string{"stance": "for", "body": body})
		req := httptest.NewRequest("POST", debate+"/comments", strings.NewReader(string(js)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("X-CSRF-Token", tok)
		r := f.citizen.send(req)
		if err := w.check("JSON argument", r.Status, r.Header.Get("Content-Type"), "", []byte(r.Body)); err != nil {
			t.Fatal(err)
		}
		if r.Status == 201 {
			accepted++
		}
	}
	wantMost(t, "arguments", accepted, len(arguments))
	w.page(f.citizen, debate)
	w.page(f.citizen, "/api/v1/debates/"+itoa(int(ds[0].ID)))
	timed(fmt.Sprintf("%d debates, %d arguments", len(questions), len(arguments)), start)

	// Official answers: the summary and the four detail lines share the
	// payloads, five to a revision, and the bodies ride along; the proposal
	// page shows each revision, the history page all of them. Then a bad
	// date or decision.
	start = time.Now()
	answered := f.awaiting("답변 코퍼스 제안")
	ans := "/proposals/" + itoa(int(answered))
	lines, bodies := chunks(all, forum.AnswerLineMax, " "), chunks(all, forum.AnswerBodyMax, "\n\n")
	answerForm := func(r int) url.Values {
		v := ansAnswerForm(string(forum.Decisions()[r%len(forum.Decisions())]), cycle(lines, 5*r))
		v.Set("body", cycle(bodies, r))
		for i, field := range []string{"legal_basis", "responsible_unit", "contact", "next_step"} {
			v.Set(field, cycle(lines, 5*r+1+i))
		}
		return v
	}
	w.refusesBadUTF8(f.lead, ans+"/response", answerForm(0), "summary", "body", "legal_basis", "responsible_unit", "contact", "next_step", "next_step_date")
	rounds := max((len(lines)+4)/5, len(bodies))
	accepted = 0
	for r := range rounds {
		if w.post(f.lead, ans+"/response", answerForm(r)).Status == 303 {
			accepted++
		}
		w.page(f.citizen, ans)
	}
	wantMost(t, "answer revisions", accepted, rounds)
	w.page(f.citizen, ans+"/response/history")
	w.page(f.citizen, "/api/v1/proposals/"+itoa(int(answered)))
	for i := 0; i < len(sample); i += 4 { // each refusal draws the whole proposal page again
		v := answerForm(i)
		v.Set([]string{"next_step_date", "decision"}[i/4%2], sample[i])
		w.post(f.lead, ans+"/response", v)
	}
	timed(fmt.Sprintf("%d answer revisions", rounds), start)

	// Transfer reasons: the proposal goes back and forth; its timeline shows every reason.
	start = time.Now()
	routed := f.awaiting("이관 코퍼스 제안")
	route := "/proposals/" + itoa(int(routed))
	reasons := chunks(all, 500, " ")
	w.refusesBadUTF8(f.admin, route+"/transfer", url.Values{"ministry": {itoa(int(f.moe))}, "reason": {"소관 부처"}}, "reason")
	for i, reason := range reasons {
		to := []int64{f.moe, f.mohw}[i%2]
		w.post(f.admin, route+"/transfer", url.Values{"ministry": {itoa(int(to))}, "reason": {reason}})
	}
	if rt, err := e.st.ProposalRouting(ctx, routed); err != nil || len(rt.Transfers) < len(reasons)*9/10 {
		t.Fatalf("%d of %d transfers (%v)", len(rt.Transfers), len(reasons), err)
	}
	w.page(f.citizen, route)
	for _, bad := range sample {
		w.post(f.admin, route+"/transfer", url.Values{"ministry": {bad}, "reason": {"이유"}})
	}
	timed(fmt.Sprintf("%d transfers", len(reasons)), start)

	// Reports: one comment each, reason "other" with the text; the queue shows them.
	start = time.Now()
	host := f.awaiting("신고 코퍼스 제안")
	texts := chunks(all, 1000, " ")
	comment := func(author int64, body string) int64 {
		cm, err := e.st.CreateComment(ctx, store.NewComment{Subject: forum.ProposalSubject(host), AuthorID: author,
			Input: forum.CommentInput{Stance: forum.StanceNeutral, Body: body}, Body: moderation.RenderMarkdown(body)})
		if err != nil {
			t.Fatal(err)
		}
		return cm.ID
	}
	for i, text := range texts {
		id := comment(f.author.ID, "신고될 댓글 "+itoa(i))
		form := url.Values{"kind": {"comment"}, "id": {itoa(int(id))}, "reason": {"other"}, "text": {text}}
		if i == 0 {
			w.refusesBadUTF8(f.citizen, "/reports", form, "text", "reason")
		}
		if r := w.post(f.citizen, "/reports", form); r.Status != 303 {
			t.Fatalf("report %d: %d", i, r.Status)
		}
		if i < len(sample) {
			form.Set("reason", sample[i])
			w.post(f.citizen, "/reports", form)
		}
	}
	w.page(f.moderator, "/moderation/")
	timed(fmt.Sprintf("%d reports", len(texts)), start)

	// Appeals against hidden comments, and the moderators' reasons for their
	// decisions, which reach the author's notifications and mail.
	start = time.Now()
	appeals, decisions := chunks(all, 2000, "\n"), chunks(all, 500, " ")
	mod := f.moderator.user()
	appellant := f.citizen.user()
	var hidden []int64
	for range max(len(appeals), len(decisions)) {
		id := comment(appellant.ID, "숨겨질 댓글 "+itoa(len(hidden)))
		if err := e.st.Hide(ctx, mod, forum.ItemComment, id, moderation.HideOffensive); err != nil {
			t.Fatal(err)
		}
		hidden = append(hidden, id)
	}
	w.refusesBadUTF8(f.citizen, "/appeals", url.Values{"kind": {"comment"}, "id": {itoa(int(hidden[0]))}, "text": {"이의"}}, "text")
	for i, id := range hidden {
		w.post(f.citizen, "/appeals", url.Values{"kind": {"comment"}, "id": {itoa(int(id))}, "text": {cycle(appeals, i)}})
	}
	w.page(f.moderator, "/moderation/appeals")
	pending, err := e.st.PendingAppeals(ctx)
	if err != nil || len(pending) < len(hidden)*9/10 {
		t.Fatalf("%d of %d appeals filed (%v)", len(pending), len(hidden), err)
	}
	w.refusesBadUTF8(f.moderator, "/moderation/appeals/"+itoa(int(pending[0].ID))+"/decide", url.Values{"grant": {"0"}, "reason": {"유지"}}, "reason")
	for i, a := range pending {
		w.post(f.moderator, "/moderation/appeals/"+itoa(int(a.ID))+"/decide",
			url.Values{"grant": {[]string{"0", "1"}[i%2]}, "reason": {cycle(decisions, i)}})
		if i%90 == 89 || i == len(pending)-1 { // the pages show the latest 100 notes and 200 mails
			w.page(f.citizen, "/notifications")
			w.page(f.admin, "/admin/outbox")
		}
	}
	w.page(f.citizen, "/moderation/log")
	// Hide, decide and suspend take a reason from a list; the notification settings a frequency.
	for i, bad := range sample {
		w.post(f.moderator, "/moderation/hide", url.Values{"kind": {"comment"}, "id": {itoa(int(hidden[0]))}, "reason": {bad}})
		w.post(f.moderator, "/moderation/users/"+itoa(int(f.author.ID))+"/suspend", url.Values{"days": {[]string{"1", bad}[i%2]}, "reason": {bad}})
		w.post(f.citizen, "/notifications/settings", url.Values{"frequency": {bad}})
	}
	timed(fmt.Sprintf("%d appeals and decisions", len(pending)), start)

	// Sign-in and registration e-mails and passwords come back in their forms.
	start = time.Now()
	e.srv.hashPassword = cheapHash
	visitor := e.client()
	w.refusesBadUTF8(visitor, "/login", url.Values{"email": {"a@example.org"}, "password": {"비밀번호 비밀번호"}}, "email", "password")
	w.refusesBadUTF8(visitor, "/register", url.Values{"name": {"새 시민"}, "email": {"a@example.org"}, "password": {"비밀번호 비밀번호"}, "consent": {"1"}}, "email", "password", "name")
	for i, p := range chunks(all, 600, " ") {
		w.post(visitor, "/login", url.Values{"email": {p}, "password": {p}, "next": {cycle(sample, i)}})
		w.post(visitor, "/register", url.Values{"name": {"코퍼스 " + itoa(i)}, "email": {p}, "password": {p}, "consent": {"1"}})
	}
	timed("sign-in and registration", start)

	// Conclusions of a closed debate.
	start = time.Now()
	e.clock.Add(49 * time.Hour)
	if _, _, err := e.st.AdvanceDebates(ctx); err != nil {
		t.Fatal(err)
	}
	w.refusesBadUTF8(f.admin, debate+"/conclusion", url.Values{"conclusion": {"결론"}}, "conclusion")
	for _, c := range chunks(all, forum.ConclusionMax, "\n\n") {
		if r := w.post(f.admin, debate+"/conclusion", url.Values{"conclusion": {c}}); r.Status != 303 {
			t.Fatalf("conclusion: %d", r.Status)
		}
		w.page(f.citizen, debate)
	}
	timed("conclusions", start)

	// Ministries: the three names share the payloads, three to an edit, and
	// the description takes them all; the admins' list shows the names, the
	// ministry's page its Korean name and description; each language's list
	// of ministries shows the last names in that language.
	start = time.Now()
	names, descriptions := chunks(all, forum.MinistryNameMax, " "), chunks(all, forum.MinistryDescriptionMax, "\n\n")
	w.refusesBadUTF8(f.admin, "/admin/ministries", url.Values{"slug": {"bad-utf8"}, "name_ko": {"부처"}, "name_en": {"Ministry"}, "description": {"설명"}},
		"slug", "name_ko", "name_en", "name_zh", "description")
	w.refusesBadUTF8(f.admin, "/admin/ministries/molit/edit", url.Values{"name_ko": {"부처"}, "name_en": {"Ministry"}, "description": {"설명"}},
		"name_ko", "name_en", "name_zh", "description")
	rounds, accepted = max((len(names)+2)/3, len(descriptions)), 0
	for r := range rounds {
		if w.post(f.admin, "/admin/ministries/molit/edit", url.Values{"name_ko": {cycle(names, 3*r)}, "name_en": {cycle(names, 3*r+1)},
			"name_zh": {cycle(names, 3*r+2)}, "description": {cycle(descriptions, r)}}).Status == 303 {
			accepted++
		}
		w.page(f.admin, "/admin/ministries")
		if r < len(descriptions) {
			w.page(f.citizen, "/ministries/molit")
		}
	}
	for _, lang := range []string{"ko", "en", "zh"} {
		f.citizen.lang = lang
		w.page(f.citizen, "/ministries")
	}
	f.citizen.lang = ""
	wantMost(t, "ministry edits", accepted, rounds)
	for i, bad := range sample {
		w.post(f.admin, "/admin/ministries", url.Values{"slug": {bad}, "name_ko": {cycle(names, i)}, "name_en": {"Ministry"}})
	}
	timed(fmt.Sprintf("%d ministry edits", rounds), start)

	// Banned terms, at the very end: they apply to everything posted after.
	start = time.Now()
	settings := settingsForm(e.st.Settings())
	w.refusesBadUTF8(f.admin, "/admin/settings", settings, forum.SettingBannedTerms)
	for i, terms := range chunks(all, 25000, "\n") { // at most 100,000 bytes
		form := settingsForm(e.st.Settings())
		form.Set(forum.SettingBannedTerms, terms)
		if r := w.post(f.admin, "/admin/settings", form); r.Status != 303 {
			t.Fatalf("banned terms: %d", r.Status)
		}
		w.page(f.admin, "/admin/settings")
		form = settingsForm(e.st.Settings())
		form.Set([]string{forum.SettingAutoHide, forum.SettingCapComments}[i%2], cycle(sample, i))
		w.post(f.admin, "/admin/settings", form)
	}
	timed("banned terms", start)

	if err := e.st.CheckText(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d payloads: %d answers, %d distinct", len(all), w.sent, len(w.checked))
}
