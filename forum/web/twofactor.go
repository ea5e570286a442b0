package web

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"image/png"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"
	"github.com/pquerna/otp"
)

const (
	// enrolWindow is how long the key an enrolment page offers stays good:
	// time to open an authenticator app and type the first code.
	enrolWindow = 15 * time.Minute
	// pendingSignInTTL is how long a sign-in waits for its second factor.
	pendingSignInTTL = 10 * time.Minute
	// At most secondFactorFailures wrong codes per account in
	// secondFactorWindow when signing in: a six-digit code cannot be guessed
	// in that many tries, and the owner is locked out for minutes at most.
	secondFactorFailures = 5
	secondFactorWindow   = 15 * time.Minute
)

// staffReady refuses staff powers to a staff account without a second
// factor (forum.StaffReady): pages send it to /account/2fa, scripts get 403.
func (s *Server) staffReady(c *fiber.Ctx) error {
	if err := forum.StaffReady(currentUser(c)); err != nil {
		return err
	}
	return c.Next()
}

// enrolKey is the key the enrolment page issued at unix time at offers the
// signed-in session sess. It is derived, never stored, from the server
// secret, the account, the session and the time: the page, its QR code and
// the confirming form all find the same key, no other session or account
// can, and it lapses with enrolWindow. Only its confirmation stores it.
func (s *Server) enrolKey(sess *store.Session, at int64) (forum.TOTPKey, error) {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("totp-enrol\x00" + strconv.FormatInt(sess.User.ID, 10) + "\x00" + strconv.FormatInt(sess.ID, 10) + "\x00" + strconv.FormatInt(at, 10)))
	return forum.NewTOTPKey(sess.User.Email, m.Sum(nil)[:20])
}

// enrolTime reads the issue time of an enrolment key from v and tells
// whether it is still good: not in the future and within enrolWindow.
func (s *Server) enrolTime(v string) (int64, bool) {
	at, err := strconv.ParseInt(v, 10, 64)
	now := s.cfg.Now()
	return at, err == nil && at <= now.Unix() && now.Sub(time.Unix(at, 0)) <= enrolWindow
}

func currentSession(c *fiber.Ctx) *store.Session {
	sess, _ := c.Locals("session").(*store.Session)
	return sess
}

type twoFactorPage struct {
	base
	Form      formState
	Factor    store.SecondFactor
	Key       string   // the key to type in by hand, in groups of four
	Issued    int64    // when the key was offered (the form's and the QR code's t)
	Codes     []string // fresh recovery codes, shown this once
	Staff     bool     // staff cannot turn the second factor off
	Next      string   // where a sign-in goes on
	Remaining int      // wrong codes left before the sign-in pauses
}

// groupKey writes a base32 key in groups of four, easier to copy by eye.
func groupKey(k string) string {
	var b strings.Builder
	for i := 0; i < len(k); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k[i:min(i+4, len(k))])
	}
	return b.String()
}

// twoFactorPage draws /account/2fa: the enrolment form with a fresh key
// for an account without a second factor, its state and the forms that
// change it otherwise.
func (s *Server) twoFactorPage(c *fiber.Ctx, status int, form formState) error {
	sess := currentSession(c)
	u := sess.User
	sf, err := s.store.SecondFactorOf(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	p := twoFactorPage{base: s.base(c, s.t(c, "twofactor.title")), Form: form, Factor: sf, Staff: u.Role.IsStaff()}
	if sf.EnabledAt.IsZero() {
		p.Issued = s.cfg.Now().Unix()
		if at, ok := s.enrolTime(c.FormValue("t")); ok && c.Method() == fiber.MethodPost {
			p.Issued = at // a mistyped code keeps the key the person already added
		}
		k, err := s.enrolKey(sess, p.Issued)
		if err != nil {
			return err
		}
		p.Key = groupKey(k.Secret)
	}
	return s.noStorePage(c, status, "twofactor", p)
}

// noStorePage renders a page no cache may keep: it holds a key or codes.
func (s *Server) noStorePage(c *fiber.Ctx, status int, name string, data any) error {
	if err := s.page(c, status, name, data); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return nil
}

func (s *Server) handleTwoFactor(c *fiber.Ctx) error {
	return s.twoFactorPage(c, fiber.StatusOK, formState{})
}

// handleTwoFactorQR draws the QR code of the key the enrolment page issued
// at t, for the session asking; never cached.
func (s *Server) handleTwoFactorQR(c *fiber.Ctx) error {
	at, ok := s.enrolTime(c.Query("t"))
	if !ok || currentUser(c).TwoFactor {
		return fiber.ErrNotFound
	}
	k, err := s.enrolKey(currentSession(c), at)
	if err != nil {
		return err
	}
	key, err := otp.NewKeyFromURL(k.URL)
	if err != nil {
		return err
	}
	img, err := key.Image(264, 264)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, "image/png")
	return c.Send(buf.Bytes())
}

// showRecoveryCodes draws fresh recovery codes, this once.
func (s *Server) showRecoveryCodes(c *fiber.Ctx, codes []string) error {
	return s.noStorePage(c, fiber.StatusOK, "twofactor_codes", twoFactorPage{base: s.base(c, s.t(c, "twofactor.codes_title")), Codes: codes,
		Staff: currentUser(c).Role.IsStaff()})
}

func recoveryHashes(codes []string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = forum.RecoveryCodeHash(c)
	}
	return out
}

// handleTwoFactorEnrol confirms the offered key with a code from it, then
// shows the recovery codes.
func (s *Server) handleTwoFactorEnrol(c *fiber.Ctx) error {
	sess := currentSession(c)
	at, ok := s.enrolTime(c.FormValue("t"))
	if !ok {
		return s.twoFactorPage(c, fiber.StatusBadRequest, formState{Errors: s.formError(c, "code", "err.twofactor_key_expired")})
	}
	k, err := s.enrolKey(sess, at)
	if err != nil {
		return err
	}
	step, ok := forum.MatchTOTP(k.Secret, c.FormValue("code"), s.cfg.Now(), 0)
	if !ok {
		return s.twoFactorPage(c, fiber.StatusBadRequest, formState{Errors: s.formError(c, "code", "err.twofactor_enrol_wrong")})
	}
	codes := forum.NewRecoveryCodes()
	err = s.store.EnableSecondFactor(c.UserContext(), sess.User.ID, k.Secret, step, recoveryHashes(codes), forum.TokenHash(c.Cookies(SessionCookie)))
	if errors.Is(err, forum.ErrConflict) {
		return c.Redirect("/account/2fa", fiber.StatusSeeOther) // confirmed already, in another tab
	}
	if err != nil {
		return err
	}
	return s.showRecoveryCodes(c, codes)
}

// checkOwnPassword reports whether password is the signed-in user's.
func (s *Server) checkOwnPassword(c *fiber.Ctx, password string) (bool, error) {
	_, hash, err := s.store.UserByEmail(c.UserContext(), currentUser(c).Email)
	if err != nil {
		return false, err
	}
	return forum.CheckPassword(hash, password)
}

// secondFactorChange checks the password and passes the second factor to
// change, the store call that spends the code; it draws the page again
// with what was wrong.
func (s *Server) secondFactorChange(c *fiber.Ctx, change func(code string) error) (bool, error) {
	ok, err := s.checkOwnPassword(c, c.FormValue("password"))
	if err != nil {
		return false, err
	}
	if !ok {
		return false, s.twoFactorPage(c, fiber.StatusUnauthorized, formState{Errors: s.formError(c, "password", "err.twofactor_password")})
	}
	err = change(c.FormValue("code"))
	if errors.Is(err, forum.ErrSecondFactorWrong) {
		return false, s.twoFactorPage(c, fiber.StatusUnauthorized, formState{Errors: s.formError(c, "code", "err.twofactor_wrong")})
	}
	return err == nil, err
}

// handleRecoveryCodes replaces the recovery codes, with the password and
// a code, and shows the new ones.
func (s *Server) handleRecoveryCodes(c *fiber.Ctx) error {
	codes := forum.NewRecoveryCodes()
	ok, err := s.secondFactorChange(c, func(code string) error {
		return s.store.RenewRecoveryCodes(c.UserContext(), currentUser(c).ID, code, recoveryHashes(codes))
	})
	if !ok {
		return err
	}
	return s.showRecoveryCodes(c, codes)
}

// handleTwoFactorDisable turns a citizen's second factor off, with the
// password and a code.
func (s *Server) handleTwoFactorDisable(c *fiber.Ctx) error {
	if currentUser(c).Role.IsStaff() {
		return fiber.NewError(fiber.StatusForbidden, "err.twofactor_staff_keep")
	}
	ok, err := s.secondFactorChange(c, func(code string) error {
		return s.store.DisableSecondFactor(c.UserContext(), currentUser(c).ID, code)
	})
	if !ok {
		return err
	}
	s.flash(c, "flash.twofactor_disabled")
	return c.Redirect("/account/2fa", fiber.StatusSeeOther)
}

// startSecondFactor answers a right password for an account with a second
// factor: a pending session, which signs nobody in, and the code's form.
func (s *Server) startSecondFactor(c *fiber.Ctx, u *forum.User, next string) error {
	ctx := c.UserContext()
	if old := c.Cookies(SessionCookie); old != "" {
		if err := s.store.DeleteSession(ctx, forum.TokenHash(old)); err != nil {
			return err
		}
	}
	tok := newToken()
	err := s.store.CreateSession(ctx, store.NewSession{TokenHash: forum.TokenHash(tok), UserID: u.ID, CSRF: newToken(), TTL: pendingSignInTTL,
		PendingMFA: true, UserAgent: c.Get(fiber.HeaderUserAgent), IP: s.clientIP(c)})
	if err != nil {
		return err
	}
	s.cookie(c, SessionCookie, tok, pendingSignInTTL)
	s.cookie(c, anonCSRFCookie, "", -1)
	return c.Redirect("/login/2fa?next="+url.QueryEscape(next), fiber.StatusSeeOther)
}

func pendingSession(c *fiber.Ctx) *store.Session {
	sess, _ := c.Locals("pending").(*store.Session)
	return sess
}

func (s *Server) loginTwoFactorPage(c *fiber.Ctx, status int, form formState) error {
	next := localPath(c.Query("next", c.FormValue("next")))
	return s.page(c, status, "login_2fa", twoFactorPage{base: s.base(c, s.t(c, "twofactor.login_title")), Form: form, Next: next})
}

func (s *Server) handleLoginTwoFactorForm(c *fiber.Ctx) error {
	if pendingSession(c) == nil {
		return c.Redirect("/login", fiber.StatusSeeOther)
	}
	return s.loginTwoFactorPage(c, fiber.StatusOK, formState{})
}

// handleLoginTwoFactor finishes a sign-in with a code or a recovery code:
// the pending session gives way to a full one under a new token.
func (s *Server) handleLoginTwoFactor(c *fiber.Ctx) error {
	if pendingSession(c) == nil {
		return c.Redirect("/login", fiber.StatusSeeOther)
	}
	tok := newToken()
	ttl := s.store.Settings().SessionLifetime
	_, err := s.store.PassSecondFactor(c.UserContext(), forum.TokenHash(c.Cookies(SessionCookie)), c.FormValue("code"),
		store.NewSession{TokenHash: forum.TokenHash(tok), CSRF: newToken(), TTL: ttl, UserAgent: c.Get(fiber.HeaderUserAgent), IP: s.clientIP(c)})
	switch {
	case errors.Is(err, forum.ErrSecondFactorWrong):
		return s.loginTwoFactorPage(c, fiber.StatusUnauthorized, formState{Errors: s.formError(c, "code", "err.twofactor_wrong")})
	case errors.Is(err, forum.ErrNotFound):
		return c.Redirect("/login", fiber.StatusSeeOther) // the pending session lapsed meanwhile
	case err != nil:
		return err
	}
	s.cookie(c, SessionCookie, tok, ttl)
	s.flash(c, "flash.signed_in")
	return c.Redirect(localPath(c.FormValue("next")), fiber.StatusSeeOther)
}

// secondFactorLimit throttles wrong codes per account at sign-in; right
// ones spend nothing.
func (s *Server) secondFactorLimit() fiber.Handler {
	return s.limit("2fa", limiter.Config{
		Max:        secondFactorFailures,
		Expiration: secondFactorWindow,
		Next:       func(c *fiber.Ctx) bool { return pendingSession(c) == nil },
		KeyGenerator: func(c *fiber.Ctx) string {
			return "2fa:" + strconv.FormatInt(pendingSession(c).User.ID, 10)
		},
		SkipSuccessfulRequests: true,
		LimitReached: func(c *fiber.Ctx) error {
			return fiber.NewError(fiber.StatusTooManyRequests, "err.twofactor_too_many")
		},
	})
}

// handleResetSecondFactor lets an admin clear someone's second factor.
func (s *Server) handleResetSecondFactor(c *fiber.Ctx) error {
	if err := s.store.ResetSecondFactor(c.UserContext(), currentUser(c), paramID(c)); err != nil {
		return err
	}
	return s.back(c, "flash.twofactor_reset", "/users/"+c.Params("id"))
}

// handleRevokeRole lets an admin make a staff member a citizen again.
func (s *Server) handleRevokeRole(c *fiber.Ctx) error {
	if err := s.store.RevokeRole(c.UserContext(), currentUser(c), paramID(c), c.FormValue("reason")); err != nil {
		return err
	}
	s.threads.reset() // the role beside every comment of the user goes
	return s.back(c, "flash.role_revoked", "/users/"+c.Params("id"))
}
