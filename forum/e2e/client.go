package e2e

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/e-people/e-people/forum/web"
)

// NewClient is an HTTP client for a server on loopback that keeps up to
// conns connections alive, makes them from the address from (any when nil),
// gives up on a request after timeout, and never follows a redirect, so
// callers see the status the server sent. It neither asks for compressed
// answers nor unpacks them: a caller that wants gzip asks for it itself.
func NewClient(from net.IP, conns int, timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if from != nil {
		d.LocalAddr = &net.TCPAddr{IP: from}
	}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         d.DialContext,
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Account is a signed-in citizen, as a browser holds one. The session lives
// in the database, so every copy of the database made afterwards accepts it.
type Account struct {
	Email   string
	UserID  int64
	Session string // the session cookie's value
	CSRF    string // the session's CSRF token: the _csrf field or the X-CSRF-Token header
}

// Cookie is the session cookie to send with a's requests.
func (a Account) Cookie() *http.Cookie {
	return &http.Cookie{Name: web.SessionCookie, Value: a.Session}
}

var (
	csrfInputRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	csrfMetaRe  = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)"`)
)

// SignIn signs email in with password through the /login form of the
// server at base, from the address from, as a browser does: it reads the
// form's token, posts the form, follows the redirect, and reads the
// session's CSRF token from the next page.
func SignIn(ctx context.Context, base string, from net.IP, email, password string) (Account, error) {
	a := Account{Email: email}
	jar, _ := cookiejar.New(nil)
	hc := NewClient(from, 2, 30*time.Second)
	defer hc.CloseIdleConnections()
	hc.Jar = jar
	hc.CheckRedirect = nil // follow the redirect after sign-in
	send := func(method, path string, form url.Values) (*http.Response, string, error) {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequestWithContext(ctx, method, base+path, body)
		if err != nil {
			return nil, "", err
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		res, err := hc.Do(req)
		if err != nil {
			return nil, "", fmt.Errorf("%s %s: %w", method, path, err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			return nil, "", fmt.Errorf("%s %s: %w", method, path, err)
		}
		if res.StatusCode != http.StatusOK {
			return nil, "", fmt.Errorf("%s %s as %s: %s at %s", method, path, email, res.Status, res.Request.URL)
		}
		return res, string(b), nil
	}
	_, login, err := send(http.MethodGet, "/login", nil)
	if err != nil {
		return a, err
	}
	m := csrfInputRe.FindStringSubmatch(login)
	if m == nil {
		return a, errors.New("sign in: no _csrf field on /login")
	}
	form := url.Values{"email": {email}, "password": {password}, "_csrf": {html.UnescapeString(m[1])}}
	res, _, err := send(http.MethodPost, "/login", form)
	if err != nil {
		return a, err
	}
	if res.Request.URL.Path == "/login" {
		return a, fmt.Errorf("sign in as %s: refused", email)
	}
	u, _ := url.Parse(base)
	for _, c := range jar.Cookies(u) {
		if c.Name == web.SessionCookie {
			a.Session = c.Value
		}
	}
	_, list, err := send(http.MethodGet, "/proposals", nil)
	if err != nil {
		return a, err
	}
	if m := csrfMetaRe.FindStringSubmatch(list); m != nil {
		a.CSRF = html.UnescapeString(m[1])
	}
	if a.Session == "" || a.CSRF == "" {
		return a, fmt.Errorf("sign in as %s: no session cookie or CSRF token", email)
	}
	return a, nil
}

// SignInAll signs every one of emails in with password, the i-th from
// LoopbackIP(i), so that no address meets the server's per-address limit on
// sign-ins. Each sign-in costs the server a password hash; two for each CPU
// run at once.
func SignInAll(ctx context.Context, base string, emails []string, password string) ([]Account, error) {
	accounts := make([]Account, len(emails))
	errs := make([]error, len(emails))
	parallel := 2 * runtime.NumCPU()
	var wg sync.WaitGroup
	for w := range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(emails) && ctx.Err() == nil; i += parallel {
				accounts[i], errs[i] = SignIn(ctx, base, LoopbackIP(i), emails[i], password)
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	failed, first := 0, error(nil)
	for _, err := range errs {
		if err != nil {
			failed++
			first = cmp.Or(first, err)
		}
	}
	if failed > 0 {
		return nil, fmt.Errorf("sign in: %d of %d failed; the first: %w", failed, len(emails), first)
	}
	return accounts, nil
}
