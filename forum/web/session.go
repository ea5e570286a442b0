package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/gofiber/fiber/v2"
)

const (
	// SessionCookie carries a signed-in session's token.
	SessionCookie  = "ep_session"
	anonCSRFCookie = "ep_csrf"
	langCookie     = "ep_lang"
	flashCookie    = "ep_flash"
)

// newToken returns 32 random bytes, base64url encoded.
func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// newSession signs userID in: it stores a new session, for as long as the
// settings' session lifetime, and returns the token its SessionCookie
// carries and the session's CSRF token (the _csrf field or the X-CSRF-Token
// header). n's TokenHash, CSRF and TTL are filled in here.
func newSession(ctx context.Context, st *store.Store, n store.NewSession) (token, csrf string, err error) {
	token, csrf = newToken(), newToken()
	n.TokenHash, n.CSRF, n.TTL = forum.TokenHash(token), csrf, st.Settings().SessionLifetime
	if err := st.CreateSession(ctx, n); err != nil {
		return "", "", err
	}
	return token, csrf, nil
}

func (s *Server) cookie(c *fiber.Ctx, name, value string, ttl time.Duration) {
	ck := &fiber.Cookie{Name: name, Value: value, Path: "/", HTTPOnly: true, Secure: s.cfg.SecureCookies, SameSite: fiber.CookieSameSiteLaxMode}
	// Lifetimes are relative (Max-Age), so they never depend on the server's clock agreeing with the browser's.
	if ttl > 0 {
		ck.MaxAge = int(ttl / time.Second)
	} else if ttl < 0 {
		ck.Expires = time.Unix(1, 0)
		ck.MaxAge = -1
	}
	c.Cookie(ck)
}

// newGuestCSRF returns a fresh CSRF token for a visitor who is not signed
// in: a random nonce and its HMAC under the server secret. Only this server
// can make one, so a cookie an attacker plants (cookie tossing from a
// sibling domain, a man in the middle on plain HTTP) fails validGuestCSRF
// and is replaced before any form could be submitted with it.
func (s *Server) newGuestCSRF() string {
	nonce := newToken()
	return nonce + "." + s.guestMAC(nonce)
}

// validGuestCSRF reports whether tok is a guest token this server made.
func (s *Server) validGuestCSRF(tok string) bool {
	nonce, mac, ok := strings.Cut(tok, ".")
	return ok && nonce != "" && hmac.Equal([]byte(mac), []byte(s.guestMAC(nonce)))
}

func (s *Server) guestMAC(nonce string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(anonCSRFCookie + "\x00" + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// noCookieOnPublic keeps every Set-Cookie off a response a shared cache may
// store (Cache-Control: public): the cache would hand one visitor's cookie,
// a CSRF token or a session, to everyone after them. It runs first and
// looks at the finished response, so it holds whatever a handler or a
// middleware set, on every route, present and future.
func (s *Server) noCookieOnPublic(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		// Draw the error response now, so the check below sees it.
		if herr := c.App().Config().ErrorHandler(c, err); herr != nil {
			return herr
		}
	}
	if cacheIsPublic(string(c.Response().Header.Peek(fiber.HeaderCacheControl))) {
		c.Response().Header.DelAllCookies()
	}
	return nil
}

// cacheIsPublic reports whether a Cache-Control value lets shared caches store the response.
func cacheIsPublic(cc string) bool {
	for _, d := range strings.Split(cc, ",") {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "public" || strings.HasPrefix(d, "s-maxage") {
			return true
		}
	}
	return false
}

// loadSession puts the signed-in user and the CSRF token into the context.
// Visitors who are not signed in get a random CSRF cookie (double submit).
func (s *Server) loadSession(c *fiber.Ctx) error {
	if tok := c.Cookies(SessionCookie); tok != "" {
		sess, err := s.store.SessionByToken(c.UserContext(), forum.TokenHash(tok))
		switch {
		case err == nil && sess.PendingMFA:
			// The password was right and the second factor is owed: the
			// session signs nobody in, and only the code's form reads it.
			c.Locals("pending", sess)
			c.Locals("csrf", sess.CSRF)
			return c.Next()
		case err == nil:
			c.Locals("user", sess.User)
			c.Locals("session", sess)
			c.Locals("csrf", sess.CSRF)
			return c.Next()
		case !errors.Is(err, forum.ErrNotFound):
			return err
		}
		s.cookie(c, SessionCookie, "", -1)
	}
	csrf := c.Cookies(anonCSRFCookie)
	if !s.validGuestCSRF(csrf) {
		csrf = s.newGuestCSRF()
		s.cookie(c, anonCSRFCookie, csrf, 0)
	}
	c.Locals("csrf", csrf)
	return c.Next()
}

// checkCSRF refuses a state-changing request whose token, from the _csrf
// field of the body or the X-CSRF-Token header, does not match the session's.
func (s *Server) checkCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	want, _ := c.Locals("csrf").(string)
	got := c.Get("X-CSRF-Token")
	if got == "" {
		got = bodyValue(c, "_csrf")
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
		return fiber.NewError(fiber.StatusForbidden, "err.csrf")
	}
	return c.Next()
}

// bodyValue returns the first value of the form field name from the request
// body only (url-encoded or multipart; a JSON body has become url-encoded by
// then), never from the query string as c.FormValue would: a token in a URL
// leaks through logs, history and Referer, and a link could carry it.
func bodyValue(c *fiber.Ctx, name string) string {
	if v := c.Request().PostArgs().Peek(name); v != nil {
		return string(v)
	}
	if form, err := c.Request().MultipartForm(); err == nil && len(form.Value[name]) > 0 {
		return form.Value[name][0]
	}
	return ""
}

// signIn starts a fresh session for u under a new token, so a token planted
// before sign-in is worth nothing afterwards.
func (s *Server) signIn(c *fiber.Ctx, u *forum.User) error {
	if old := c.Cookies(SessionCookie); old != "" {
		if err := s.store.DeleteSession(c.UserContext(), forum.TokenHash(old)); err != nil {
			return err
		}
	}
	tok, _, err := newSession(c.UserContext(), s.store, store.NewSession{UserID: u.ID, UserAgent: c.Get(fiber.HeaderUserAgent), IP: s.clientIP(c)})
	if err != nil {
		return err
	}
	s.cookie(c, SessionCookie, tok, s.store.Settings().SessionLifetime)
	s.cookie(c, anonCSRFCookie, "", -1)
	// The account's language follows it to every browser it signs in on
	// whose pages are in another one; a browser already reading it keeps
	// choosing by its own settings.
	if isLang(u.Lang) && u.Lang != s.lang(c) {
		s.cookie(c, langCookie, u.Lang, 365*24*time.Hour)
	}
	return nil
}

func currentUser(c *fiber.Ctx) *forum.User {
	u, _ := c.Locals("user").(*forum.User)
	return u
}

// signedIn sends visitors to the sign-in page (or 401 for scripts), and
// refuses suspended accounts on anything that writes.
func (s *Server) signedIn(c *fiber.Ctx) error {
	u := currentUser(c)
	if u == nil {
		if c.Method() != fiber.MethodGet || wantsJSON(c) || isAPI(c) {
			return fiber.NewError(fiber.StatusUnauthorized, "err.signin_required")
		}
		return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
	}
	if c.Method() != fiber.MethodGet && !u.CanPost(s.cfg.Now()) {
		return forum.ErrSuspended
	}
	return c.Next()
}

func tokenEqual(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
