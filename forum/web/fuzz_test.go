package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/valyala/fasthttp"
)

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/proposals/3?order=newest#c9": "/proposals/3?order=newest#c9",
		"/search?q=%EA%B5%AD%EB%AF%BC": "/search?q=%EA%B5%AD%EB%AF%BC",
		"/":                            "/",
		"":                             "/",
		"https://evil.example/":        "/",
		"//evil.example":               "/",
		"/\\evil.example":              "/",
		"/\t/evil.example":             "/", // browsers drop the tab: //evil.example
		"/\t\\evil.example":            "/",
		"/\n/evil.example":             "/",
		"/\x00x":                       "/",
		"/\x7f":                        "/",
		"javascript:alert(1)":          "/",
		" /x":                          "/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// browserResolve is where a browser on https://e-people.example goes when
// told to go to ref: it drops tabs and line breaks and reads backslashes as
// slashes, as the WHATWG URL standard says.
func browserResolve(ref string) (*url.URL, error) {
	ref = strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(ref)
	base, _ := url.Parse("https://e-people.example/here")
	u, err := url.Parse(ref)
	if err != nil {
		return nil, err
	}
	return base.ResolveReference(u), nil
}

// FuzzRequestParsers checks the parsers of request data on any input.
// A redirect target (a) never leads a browser off the site, and a good one
// is kept as it is. The language from a cookie (a) and an Accept-Language
// header (b) is always one the forum speaks, the cookie's when valid. A
// date-time (a) either parses to a time that prints back the same, or is
// zero. A JSON body (body) is read against encoding/json: what jsonFields
// accepts is valid JSON in valid UTF-8 and an object whose members come back
// in order, and which the form parser the handlers use reads back exactly;
// what encoding/json reads as an object of scalars is accepted, unless a
// string escapes a lone surrogate; and fields written back as a JSON object
// read back unchanged.
func FuzzRequestParsers(f *testing.F) {
	for _, s := range [][3]string{
		{"/proposals/1", "en-US,en;q=0.9", `{}`}, {"/\t/evil.example", "zh-Hant-TW", `{"a":"b"}`}, {"//x", "ko", `{"a":"\ud800"}`},
		{"/\\x", "en;q=0.1, zh;q=0.5", `{"stance":"for","body":"줄\n바꿈","parent":12,"on":true}`}, {"zh", "*", `{"a":{"b":1}}`},
		{"2026-11-27T09:00", "en;q=NaN, zh;q=1e400", `[1]`}, {"2026-02-30T25:61", ",,;;q=,", `{"a":1}x`},
		{"\xff/", "\xff", "{\"a\":\"\xff\"}"}, {"/a\x7f", "EN", `{"a":"b","a":"c"}`}, {"", "", `{"\u0000":"\\u0000","":""}`},
	} {
		f.Add(s[0], s[1], []byte(s[2]))
	}
	f.Fuzz(func(t *testing.T, a, b string, body []byte) {
		checkParsers(t, a, b)
		checkJSONFields(t, body)
	})
}

// checkParsers checks localPath, pickLang and parseLocal for FuzzRequestParsers.
func checkParsers(t *testing.T, a, b string) {
	p := localPath(a)
	if p != a && p != "/" {
		t.Fatalf("localPath(%q) = %q", a, p)
	}
	if u, err := browserResolve(p); err == nil && (u.Scheme != "https" || u.Host != "e-people.example") {
		t.Fatalf("localPath(%q) = %q leads a browser to %s", a, p, u)
	}
	good := len(a) > 1 && a[0] == '/' && a[1] != '/' && a[1] != '\\'
	for _, r := range a {
		good = good && r > 0x20 && r != 0x7f
	}
	if good && p != a {
		t.Fatalf("localPath(%q) = %q, want it kept", a, p)
	}

	l := pickLang(a, b)
	if !isLang(l) {
		t.Fatalf("pickLang(%q, %q) = %q", a, b, l)
	}
	if isLang(a) && l != a {
		t.Fatalf("pickLang(%q, %q) = %q, want the cookie's", a, b, l)
	}
	if !isLang(a) && isLang(b) && l != b {
		t.Fatalf("pickLang(%q, %q) = %q, want %q", a, b, l, b)
	}

	if tm := parseLocal(a); !tm.IsZero() {
		back := tm.In(seoul).Format(datetimeLocal)
		if again := parseLocal(back); !again.Equal(tm) {
			t.Fatalf("parseLocal(%q) = %v, but %q parses to %v", a, tm, back, again)
		}
	}
}

// checkJSONFields checks jsonFields for FuzzRequestParsers.
func checkJSONFields(t *testing.T, body []byte) {
	fields, err := jsonFields(body)
	want, scalars := scalarObject(body)
	if err != nil {
		if scalars && utf8.Valid(body) {
			// encoding/json read it; the one thing it forgives is a lone
			// surrogate, which it turns into U+FFFD.
			var m map[string]any
			_ = json.Unmarshal(body, &m)
			raw, _ := json.Marshal(m)
			if !bytes.Contains(raw, []byte("\ufffd")) || bytes.Contains(bytes.ToLower(body), []byte(`\ufffd`)) || bytes.Contains(body, []byte("\ufffd")) {
				t.Fatalf("jsonFields(%q) refused an object of scalars", body)
			}
		}
		return
	}
	if !json.Valid(body) || !utf8.Valid(body) || !scalars {
		t.Fatalf("jsonFields(%q) accepted what encoding/json does not read as an object of scalars", body)
	}
	last := map[string]string{}
	for _, fl := range fields {
		last[fl.Name] = fl.Value
	}
	if !mapsEqual(last, want) {
		t.Fatalf("jsonFields(%q) = %q; encoding/json reads %q", body, fields, want)
	}
	// The handlers read the form as fasthttp parses it, which skips a
	// field whose name and value are both empty (as in "a=1&=&b=2").
	var form []jsonField
	for _, fl := range fields {
		if fl.Name != "" || fl.Value != "" {
			form = append(form, fl)
		}
	}
	var args fasthttp.Args
	args.Parse(encodeForm(fields))
	var read []jsonField
	args.VisitAll(func(k, v []byte) { read = append(read, jsonField{string(k), string(v)}) })
	if !slices.Equal(read, form) {
		t.Fatalf("jsonFields(%q) = %q, which the form parser reads as %q", body, fields, read)
	}

	// Round trip: the fields written back as a JSON object.
	var b strings.Builder
	b.WriteByte('{')
	for i, fl := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(fl.Name)
		v, _ := json.Marshal(fl.Value)
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	again, err := jsonFields([]byte(b.String()))
	if err != nil || !slices.Equal(again, fields) {
		t.Fatalf("fields %q written as %s read back as %q, %v", fields, b.String(), again, err)
	}
}

// liveIP numbers the addresses checkLive sends from: a socket the handler
// takes over is never served here, so it would count against its address.
var liveIP atomic.Uint32

// checkLive sends a websocket handshake for target, whose raw query is
// query, to the app's own request handler (app.Test cannot carry an
// upgrade), and checks that the live channel reads its topics and since
// without a 5xx, and refuses more than liveMaxTopics topics with 400.
func checkLive(t *testing.T, e *env, target, query string, signedIn bool, session string) {
	var req fasthttp.Request
	req.SetRequestURI(target)
	for k, v := range map[string]string{"Connection": "Upgrade", "Upgrade": "websocket", "Origin": "http://127.0.0.1",
		"Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="} {
		req.Header.Set(k, v)
	}
	if signedIn {
		req.Header.SetCookie(SessionCookie, session)
	}
	n := liveIP.Add(1)
	var ctx fasthttp.RequestCtx
	ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(10, byte(n>>16), byte(n>>8), byte(n)), Port: 1}, nil)
	e.srv.App().Handler()(&ctx)
	status := ctx.Response.StatusCode()
	if status >= 500 {
		t.Fatalf("live handshake %s: %d %.300s", target, status, ctx.Response.Body())
	}
	var args fasthttp.Args
	args.Parse(queryEscaper(query))
	if topics := args.Peek("topics"); len(bytes.Split(topics, []byte(","))) > liveMaxTopics && status != http.StatusBadRequest {
		t.Fatalf("live handshake %s with %d topics: %d, want 400", target, len(bytes.Split(topics, []byte(","))), status)
	}
}

// cookieToken reports whether v is a cookie value a browser sends back as
// it is: printable ASCII without separators.
func cookieToken(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c <= ' ' || c >= 0x7f || strings.IndexByte(`";,\\`, c) >= 0 {
			return false
		}
	}
	return true
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// fuzzRoutes are the routes FuzzRequest sends to; {p}, {d}, {c} and {u} stand
// for a proposal, a debate, a comment and a user that exist.
var fuzzRoutes = []struct{ method, path string }{
	{"GET", "/"}, {"GET", "/proposals"}, {"GET", "/proposals/{p}"}, {"GET", "/proposals/new"}, {"GET", "/proposals/similar"},
	{"GET", "/proposals/{p}/history"}, {"GET", "/debates"}, {"GET", "/debates/{d}"}, {"GET", "/search"},
	{"GET", "/api/v1/search"}, {"GET", "/api/v1/proposals"}, {"GET", "/api/v1/proposals/{p}"}, {"GET", "/api/v1/debates"},
	{"GET", "/api/v1/moderation-log"}, {"GET", "/moderation/log"}, {"GET", "/lang"}, {"GET", "/login"},
	{"GET", "/reports/new"}, {"GET", "/appeals/new"}, {"GET", "/notifications"}, {"GET", "/users/{u}"},
	{"GET", "/ministries/mohw"}, {"GET", "/comments/{c}"}, {"GET", "/live"}, {"GET", "/feeds/proposals.atom"},
	{"POST", "/proposals"}, {"POST", "/proposals/{p}/comments"}, {"POST", "/debates/{d}/comments"},
	{"POST", "/comments/{c}/vote"}, {"POST", "/comments/{c}/edit"}, {"POST", "/proposals/{p}/support"},
	{"POST", "/reports"}, {"POST", "/notifications/settings"}, {"POST", "/follow"}, {"POST", "/login"},
}

// fuzzContentTypes are the bodies FuzzRequest sends.
var fuzzContentTypes = []string{"application/x-www-form-urlencoded", "application/json", "multipart/form-data; boundary=b",
	"text/plain", ""}

// queryEscaper keeps a fuzzed query string on the request line: it encodes
// only what would end or split the line, and leaves invalid UTF-8 as it is.
func queryEscaper(q string) string {
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c <= ' ' || c == 0x7f || c == '#' {
			b.WriteString(url.QueryEscape(string(c)))
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// FuzzRequest sends any query string, body, content type and language to
// the real app's routes, signed in or not: never a 5xx; a query or form with
// invalid UTF-8, or a JSON body the parser refuses, gets 400; no redirect
// leaves the site; every page is in the language asked for and holds no live
// markup; every JSON answer is valid JSON; and nothing stored is invalid
// UTF-8. The live channel gets websocket handshakes (see checkLive).
func FuzzRequest(f *testing.F) {
	e := newEnv(f)
	// The fuzzer sends thousands of requests a minute: the API's limit
	// (checked before anything else under /api/v1) would answer 429 where
	// this test checks how a request is parsed.
	e.reconfigure(func(c *Config) { c.APIPerMinute = 1 << 30 })
	e.srv.hashPassword = cheapHash
	author := e.register("퍼즈 작성자")
	pid := e.openProposal(author, "퍼즈 시험 제안", "본문")
	citizen := e.register("퍼즈 시민")
	if r := citizen.post("/proposals/"+itoa(int(pid))+"/comments", url.Values{"stance": {"for"}, "body": {"첫 댓글"}}); r.Status != http.StatusSeeOther {
		f.Fatalf("comment: %d", r.Status)
	}
	cms, err := e.st.Comments(context.Background(), forum.ProposalSubject(pid))
	if err != nil || len(cms) == 0 {
		f.Fatalf("comments: %v", err)
	}
	cid := itoa(int(cms[0].ID))
	official := e.staff(forum.RoleOfficial, e.mins[0].ID, "퍼즈 공무원")
	local := func(d time.Duration) string { return e.clock.Now().Add(d).In(seoul).Format(datetimeLocal) }
	if r := official.post("/debates", url.Values{"ministry": {itoa(int(e.mins[0].ID))}, "question": {"퍼즈 토론 질문입니다"},
		"background": {"배경"}, "opens_at": {local(-time.Hour)}, "closes_at": {local(72 * time.Hour)}}); r.Status != http.StatusSeeOther {
		f.Fatalf("debate: %d %.300s", r.Status, r.Body)
	}
	ds, err := e.st.Debates(context.Background(), store.DebateQuery{})
	if err != nil || len(ds) == 0 {
		f.Fatalf("debates: %v", err)
	}
	did := itoa(int(ds[0].ID))
	session := citizen.cookies[SessionCookie]
	token := citizen.csrf()
	paths := strings.NewReplacer("{p}", itoa(int(pid)), "{d}", did, "{c}", cid, "{u}", itoa(int(citizen.user().ID)))

	for i := range fuzzRoutes {
		q, body := "q=국민&order=newest&status=open&sort=supported&cursor=MTAuMQ&lang=en&next=/proposals", "stance=for&body=퍼즈+본문&value=1"
		if i%3 == 1 {
			q, body = "kind=comment&id="+cid+"&page=2&from=2026-01-01&to=2026-13-01", `{"stance":"against","body":"JSON 본문","kind":"comment","id":`+cid+`,"reason":"spam"}`
		}
		f.Add(uint8(i), uint8(i%len(fuzzContentTypes)), uint8(i), q, []byte(body), "en-US,en;q=0.9", "zh")
	}
	f.Add(uint8(15), uint8(0), uint8(3), "lang=en&next=/%09/evil.example", []byte(""), "ko", "")
	f.Add(uint8(23), uint8(0), uint8(1), "topics=feed,me,proposal:"+itoa(int(pid))+",debate:"+did+",ministry:mohw&since=0", []byte(""), "", "")
	f.Add(uint8(23), uint8(0), uint8(0), "topics=proposal:1,proposal:x,ministry:%27--&since=-1", []byte(""), "", "")
	f.Add(uint8(23), uint8(0), uint8(0), "topics="+strings.Repeat("feed,", 21)+"feed&since=9223372036854775808", []byte(""), "", "")
	f.Add(uint8(8), uint8(0), uint8(1), "q=%ff%fe", []byte(""), "zh-Hant", "\xff")
	f.Add(uint8(26), uint8(1), uint8(3), "", []byte(`{"stance":"for","body":"\ud800"}`), "", "ko")
	f.Add(uint8(26), uint8(2), uint8(3), "", []byte("--b\r\nContent-Disposition: form-data; name=\"stance\"\r\n\r\nfor\r\n"+
		"--b\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\n\xff\xfe 깨진 본문\r\n--b--\r\n"), "", "")

	f.Fuzz(func(t *testing.T, route, ctype, flags uint8, query string, body []byte, acceptLang, cookieLang string) {
		rt := fuzzRoutes[int(route)%len(fuzzRoutes)]
		ct := fuzzContentTypes[int(ctype)%len(fuzzContentTypes)]
		target := paths.Replace(rt.path)
		if query != "" {
			target += "?" + queryEscaper(query)
		}
		if rt.path == "/live" {
			checkLive(t, e, target, query, flags&1 != 0, session)
			return
		}
		req, err := http.NewRequest(rt.method, "http://127.0.0.1"+target, nil)
		if err != nil {
			return // not a request line a client could send
		}
		if rt.method == "POST" {
			req.Body = io.NopCloser(bytes.NewReader(body))
			req.ContentLength = int64(len(body))
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
		}
		signedIn, withToken := flags&1 != 0, flags&2 != 0
		cookies := []string{}
		if signedIn {
			cookies = append(cookies, SessionCookie+"="+session)
		}
		if !cookieToken(cookieLang) {
			cookieLang = "" // a value no browser would send back
		}
		if cookieLang != "" {
			cookies = append(cookies, langCookie+"="+cookieLang)
		}
		if len(cookies) > 0 {
			req.Header.Set("Cookie", strings.Join(cookies, "; "))
		}
		if withToken && signedIn {
			req.Header.Set("X-CSRF-Token", token)
		}
		if acceptLang = strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return -1
			}
			return r
		}, acceptLang); acceptLang != "" {
			req.Header.Set("Accept-Language", acceptLang)
		}
		if flags&4 != 0 {
			req.Header.Set("Accept", "application/json")
		}
		res, err := e.srv.App().Test(req, -1)
		if err != nil {
			return // the request could not be written or read as HTTP: no handler ran
		}
		out, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("%s %s (%s, %q): %d %.300s", rt.method, target, ct, body, res.StatusCode, out)
		}

		// Invalid UTF-8 anywhere in the query or form is refused.
		var qa fasthttp.Args
		qa.Parse(queryEscaper(query))
		badUTF8 := false
		qa.VisitAll(func(k, v []byte) { badUTF8 = badUTF8 || !utf8.Valid(k) || !utf8.Valid(v) })
		if rt.method == "POST" {
			switch ct {
			case "application/x-www-form-urlencoded":
				var fa fasthttp.Args
				fa.ParseBytes(body)
				fa.VisitAll(func(k, v []byte) { badUTF8 = badUTF8 || !utf8.Valid(k) || !utf8.Valid(v) })
			case "application/json":
				if _, err := jsonFields(body); err != nil && res.StatusCode != http.StatusBadRequest {
					t.Fatalf("POST %s with JSON %q: %d, want 400", target, body, res.StatusCode)
				}
			}
		}
		if badUTF8 && res.StatusCode != http.StatusBadRequest {
			t.Fatalf("%s %s with invalid UTF-8 (%q): %d, want 400", rt.method, target, body, res.StatusCode)
		}

		if loc := res.Header.Get("Location"); loc != "" {
			if u, err := browserResolve(loc); err == nil && u.Host != "e-people.example" {
				t.Fatalf("%s %s redirects off the site: %q", rt.method, target, loc)
			}
		}
		mt := res.Header.Get("Content-Type")
		switch {
		case strings.HasPrefix(mt, "text/html"):
			page := string(out)
			if bad := liveMarkup(page); len(bad) > 0 {
				t.Fatalf("%s %s: live markup %v", rt.method, target, bad)
			}
			lang := pickLang(cookieLang, acceptLang)
			if strings.Contains(page, "<html") && !strings.Contains(page, `<html lang="`+htmlLang[lang]+`"`) {
				t.Fatalf("%s %s (Accept-Language %q, cookie %q): page not in %s: %.200s", rt.method, target, acceptLang, cookieLang, lang, page)
			}
		case strings.HasPrefix(mt, "application/json"):
			if !json.Valid(out) {
				t.Fatalf("%s %s: invalid JSON %.300s", rt.method, target, out)
			}
		}
		if rt.method == "POST" && res.StatusCode < 400 {
			if err := e.st.CheckText(context.Background()); err != nil {
				t.Fatalf("%s %s (%s, %q) stored: %v", rt.method, target, ct, body, err)
			}
		}
	})
}
