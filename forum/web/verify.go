package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
)

// identityCookie carries the state of a started identity check, bound to
// the session that started it (identityState).
const identityCookie = "ep_identity"

// identityReturn is where an identity provider sends the person back.
const identityReturn = "/account/identity/callback"

// verifyPage is the e-mail verification page: the state of the account,
// the way to a fresh link, or what a link did.
type verifyPage struct {
	base
	Failed   bool        // the link was unknown, used or expired
	Verified *forum.User // the account a link just verified, when another is signed in
}

// handleVerify uses a verification link. The token is the proof: nobody
// need be signed in, and when someone else is, the token's account is
// verified anyway and the page names it.
func (s *Server) handleVerify(c *fiber.Ctx) error {
	u, err := s.store.VerifyEmail(c.UserContext(), c.Params("token"))
	if errors.Is(err, forum.ErrNotFound) {
		return s.page(c, fiber.StatusNotFound, "verify", verifyPage{base: s.base(c, s.t(c, "verify.failed_title")), Failed: true})
	}
	if err != nil {
		return err
	}
	switch me := currentUser(c); {
	case me == nil:
		s.flash(c, "flash.email_verified_signin")
		return c.Redirect("/login", fiber.StatusSeeOther)
	case me.ID == u.ID:
		s.flash(c, "flash.email_verified")
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	return s.page(c, fiber.StatusOK, "verify", verifyPage{base: s.base(c, s.t(c, "verify.done_title")), Verified: u})
}

// handleVerifyStatus shows the signed-in account's verification and offers a fresh link.
func (s *Server) handleVerifyStatus(c *fiber.Ctx) error {
	return s.page(c, fiber.StatusOK, "verify", verifyPage{base: s.base(c, s.t(c, "verify.title"))})
}

// handleVerifyResend mails the signed-in account a fresh verification link.
func (s *Server) handleVerifyResend(c *fiber.Ctx) error {
	err := s.store.ResendVerification(c.UserContext(), currentUser(c).ID, newToken())
	switch {
	case errors.Is(err, forum.ErrRateLimited):
		c.Set(fiber.HeaderRetryAfter, "60")
		return fiber.NewError(fiber.StatusTooManyRequests, "err.verify_resend_limit")
	case errors.Is(err, forum.ErrInvalidState):
		return fiber.NewError(fiber.StatusConflict, "err.already_verified")
	case err != nil:
		return err
	}
	if wantsJSON(c) {
		return c.JSON(fiber.Map{"sent": true})
	}
	s.flash(c, "flash.verify_sent")
	return c.Redirect("/account/verify", fiber.StatusSeeOther)
}

// identityPage explains identity verification and starts it.
type identityPage struct {
	base
	Provider string // the provider's name; "" when none is configured
}

func (s *Server) handleIdentity(c *fiber.Ctx) error {
	p := identityPage{base: s.base(c, s.t(c, "identity.title"))}
	if s.cfg.Identity != nil {
		p.Provider = s.cfg.Identity.Name()
	}
	return s.page(c, fiber.StatusOK, "identity", p)
}

// identityMAC binds an identity check's state to the session's CSRF token.
func (s *Server) identityMAC(c *fiber.Ctx, state string) string {
	csrf, _ := c.Locals("csrf").(string)
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(identityCookie + "\x00" + csrf + "\x00" + state))
	return hex.EncodeToString(m.Sum(nil))
}

// handleIdentityStart sends the signed-in citizen to the identity provider
// with a fresh state, kept in a cookie that only this session can use.
func (s *Server) handleIdentityStart(c *fiber.Ctx) error {
	if s.cfg.Identity == nil {
		return forum.ErrNotFound
	}
	if currentUser(c).Tier == forum.TierIdentityVerified {
		return fiber.NewError(fiber.StatusConflict, "err.identity_already")
	}
	state := newToken()
	s.cookie(c, identityCookie, state+"."+s.identityMAC(c, state), 15*time.Minute)
	return c.Redirect(s.cfg.Identity.Start(state, identityReturn), fiber.StatusSeeOther)
}

// handleIdentityCallback takes the provider's answer. The state must be
// the one this session started; the cookie is spent whatever the answer.
func (s *Server) handleIdentityCallback(c *fiber.Ctx) error {
	if s.cfg.Identity == nil {
		return forum.ErrNotFound
	}
	state, mac, _ := strings.Cut(c.Cookies(identityCookie), ".")
	s.cookie(c, identityCookie, "", -1)
	if state == "" || c.Query("state") != state || !hmac.Equal([]byte(mac), []byte(s.identityMAC(c, state))) {
		return fiber.NewError(fiber.StatusBadRequest, "err.identity_state")
	}
	q, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "err.identity_failed")
	}
	id, err := s.cfg.Identity.Finish(state, q)
	if err != nil {
		s.log.Warn("identity check refused", "provider", s.cfg.Identity.Name(), "err", err)
		return fiber.NewError(fiber.StatusBadRequest, "err.identity_failed")
	}
	err = s.store.SetIdentity(c.UserContext(), currentUser(c).ID, s.cfg.Identity.Name(), s.identityHash(id.Subject))
	if errors.Is(err, forum.ErrIdentityTaken) {
		return fiber.NewError(fiber.StatusConflict, "err.identity_taken")
	}
	if err != nil {
		return err
	}
	s.flash(c, "flash.identity_verified")
	return c.Redirect("/users/"+strconv.FormatInt(currentUser(c).ID, 10), fiber.StatusSeeOther)
}

// identityHash is what the forum keeps of a provider's subject: its HMAC
// under the server secret, so the column names nobody to whoever copies
// the database, yet one person hashes the same on every check.
func (s *Server) identityHash(subject string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("identity\x00" + subject))
	return hex.EncodeToString(m.Sum(nil))
}

// handleIdentityProvider serves the configured provider's own pages when
// it has some (the test provider does); any other path is not found.
func (s *Server) handleIdentityProvider(c *fiber.Ctx) error {
	h, ok := s.cfg.Identity.(http.Handler)
	if !ok || c.Params("provider") != s.cfg.Identity.Name() {
		return forum.ErrNotFound
	}
	return adaptor.HTTPHandler(h)(c)
}

// handleAdminIdentity lets an administrator mark an account identity
// verified, or take it back, with a reason; the public log records it.
func (s *Server) handleAdminIdentity(c *fiber.Ctx) error {
	id := paramID(c)
	verified := c.FormValue("verified") == "1"
	err := s.store.AdminSetIdentity(c.UserContext(), currentUser(c), id, verified, c.FormValue("reason"))
	if errors.Is(err, forum.ErrInvalidState) {
		return fiber.NewError(fiber.StatusConflict, "err.identity_unchanged")
	}
	if err != nil {
		return err
	}
	if verified {
		s.flash(c, "flash.identity_set")
	} else {
		s.flash(c, "flash.identity_revoked")
	}
	return c.Redirect("/users/"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}

// tierNeed is the tier u lacks for action, or "" when u may take it (or is
// not signed in: the page asks them to sign in instead).
func (s *Server) tierNeed(u *forum.User, action string) forum.Tier {
	var te *forum.TierError
	if u != nil && errors.As(forum.CheckTier(u, s.store.Settings().Tiers, action), &te) {
		return te.Need
	}
	return ""
}

// identityReasons are the reasons an administrator may give for granting
// (revoke false) or revoking identity verification.
func identityReasons(revoke bool) []string {
	if revoke {
		return forum.IdentityRevokeReasons
	}
	return forum.IdentityGrantReasons
}
