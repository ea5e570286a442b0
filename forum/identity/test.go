// Package identity holds identity providers (본인인증) for
// forum.IdentityProvider. No real Korean provider (PASS, NICE, KCB,
// 간편인증) can be reached from this project; Test stands in for one in
// tests and demos and must never run in production.
package identity

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/e-people/e-people/forum"
)

// TestPath is where Test serves its page, under the site.
const TestPath = "/identity/test"

// Test is a pretend identity provider: its page asks for any subject and
// sends the person back signed with Key, so Finish can tell its answers
// from forged ones. Anyone can claim any identity through it: it is for
// tests and demos only.
type Test struct {
	Key []byte // signs the answers; any secret of the server
}

var _ forum.IdentityProvider = (*Test)(nil)

// Name is "test".
func (p *Test) Name() string { return "test" }

// Start returns Test's own page with state and returnURL.
func (p *Test) Start(state, returnURL string) string {
	return TestPath + "?" + url.Values{"state": {state}, "return": {returnURL}}.Encode()
}

// Finish checks the signature of the subject the page sent back for state.
func (p *Test) Finish(state string, q url.Values) (forum.Identity, error) {
	subject := strings.TrimSpace(q.Get("subject"))
	if state == "" || subject == "" || !hmac.Equal([]byte(q.Get("sig")), []byte(p.sign(state, subject))) {
		return forum.Identity{}, errors.New("test identity provider: unsigned or altered answer")
	}
	return forum.Identity{Subject: subject}, nil
}

func (p *Test) sign(state, subject string) string {
	m := hmac.New(sha256.New, p.Key)
	m.Write([]byte(state + "\x00" + subject))
	return hex.EncodeToString(m.Sum(nil))
}

// Answer is the query Test sends back for state and subject: what its page
// submits, and what a test may build directly.
func (p *Test) Answer(state, subject string) url.Values {
	return url.Values{"state": {state}, "subject": {subject}, "sig": {p.sign(state, subject)}}
}

var testPage = template.Must(template.New("").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Test identity provider</title></head>
<body><main>
<h1>Test identity provider</h1>
<p><strong>Not for production.</strong> This page stands in for a real identity check (본인인증) in tests and demos: whatever you enter is accepted.</p>
<form method="get" action="` + TestPath + `">
<input type="hidden" name="state" value="{{.State}}"><input type="hidden" name="return" value="{{.Return}}">
<label for="subject">Subject (the person's stable identifier, like a CI)</label>
<input id="subject" name="subject" required>
<button type="submit">Confirm</button>
</form>
</main></body></html>`))

// ServeHTTP draws the page at TestPath. Its form comes back to
// ServeHTTP with a subject, which it signs and sends on to the return
// address. Only a return address on the same site is followed.
func (p *Test) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ret := q.Get("return")
	if !strings.HasPrefix(ret, "/") || strings.HasPrefix(ret, "//") || strings.Contains(ret, "\\") {
		http.Error(w, "bad return address", http.StatusBadRequest)
		return
	}
	if subject := strings.TrimSpace(q.Get("subject")); subject != "" {
		http.Redirect(w, r, ret+"?"+p.Answer(q.Get("state"), subject).Encode(), http.StatusSeeOther)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = testPage.Execute(w, struct{ State, Return string }{q.Get("state"), ret})
}
