package web

import (
	"cmp"
	"errors"
	"strconv"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"
)

type accountPage struct {
	base
	Form         formState
	Next         string
	Token        string // setup token
	InactiveDays int    // the privacy notice's retention: an account unused this long is anonymised
}

// registerPage is the registration form with the privacy notice.
func (s *Server) registerPage(c *fiber.Ctx, status int, form formState) error {
	return s.page(c, status, "register", accountPage{base: s.base(c, s.t(c, "register.title")), Form: form,
		InactiveDays: int(s.store.Settings().InactiveAfter / (24 * time.Hour))})
}

func (s *Server) handleRegisterForm(c *fiber.Ctx) error {
	return s.registerPage(c, fiber.StatusOK, formState{})
}

func (s *Server) registration(c *fiber.Ctx) (forum.Registration, formState) {
	r := forum.Registration{
		Name:     moderation.PlainText(c.FormValue("name")),
		Email:    forum.NormalizeEmail(c.FormValue("email")),
		Password: c.FormValue("password"),
	}
	return r, formState{Values: map[string]string{"name": r.Name, "email": r.Email}}
}

func (s *Server) handleRegister(c *fiber.Ctx) error {
	reg, form := s.registration(c)
	form.Values["consent"] = c.FormValue("consent")
	fail := func(errs []fieldError) error {
		form.Errors = errs
		return s.registerPage(c, fiber.StatusBadRequest, form)
	}
	// The privacy notice's consent is its own, unticked box (PIPA): without it, no account.
	err := reg.Validate(s.cfg.Passwords, moderation.ImpersonatesStaff)
	if c.FormValue("consent") != "1" {
		var errs forum.ValidationErrors
		if !errors.As(err, &errs) && err != nil {
			return err
		}
		err = append(errs, forum.Invalid("consent", "err.consent_required")).Err()
	}
	if err != nil {
		errs, _ := s.formErrors(c, err)
		return fail(errs)
	}
	hash, err := s.hashPassword(reg.Password)
	if err != nil {
		return err
	}
	held := s.cfg.Disposable != nil && s.cfg.Disposable.Disposable(reg.Email)
	u, err := s.store.Register(c.UserContext(), store.NewCitizen{
		// The language the browser asked for is the account's; a client that
		// asked for none of ours (a script) gets mail in Korean and English.
		User:         forum.User{Name: reg.Name, Email: reg.Email, Held: held, Lang: askedLang(c.Cookies(langCookie), c.Get(fiber.HeaderAcceptLanguage))},
		PasswordHash: hash, Consent: forum.PrivacyNoticeVersion, VerifyToken: newToken(),
	})
	if errors.Is(err, forum.ErrEmailTaken) {
		return fail(s.formError(c, "email", "err.email_taken"))
	}
	if err != nil {
		return err
	}
	if err := s.signIn(c, u); err != nil {
		return err
	}
	if held {
		s.flash(c, "flash.welcome_held_verify")
	} else {
		s.flash(c, "flash.welcome_verify")
	}
	return c.Redirect("/", fiber.StatusSeeOther)
}

func (s *Server) handleLoginForm(c *fiber.Ctx) error {
	return s.page(c, fiber.StatusOK, "login", accountPage{base: s.base(c, s.t(c, "login.title")), Next: localPath(c.Query("next"))})
}

func (s *Server) handleLogin(c *fiber.Ctx) error {
	email, password := forum.NormalizeEmail(c.FormValue("email")), c.FormValue("password")
	next := localPath(c.FormValue("next"))
	u, hash, err := s.store.UserByEmail(c.UserContext(), email)
	if err != nil && !errors.Is(err, forum.ErrNotFound) {
		return err
	}
	ok := false
	if u != nil {
		if ok, err = forum.CheckPassword(hash, password); err != nil {
			return err
		}
	} else {
		// Spend the same effort on unknown addresses so timing does not reveal who has an account.
		_, _ = s.hashPassword(password)
	}
	if !ok {
		form := formState{Values: map[string]string{"email": email}, Errors: s.formError(c, "password", "err.bad_login")}
		return s.page(c, fiber.StatusUnauthorized, "login", accountPage{base: s.base(c, s.t(c, "login.title")), Form: form, Next: next})
	}
	if u.Status == forum.UserBanned {
		return forum.ErrSuspended
	}
	if u.TwoFactor {
		return s.startSecondFactor(c, u, next)
	}
	if err := s.signIn(c, u); err != nil {
		return err
	}
	s.flash(c, "flash.signed_in")
	return c.Redirect(next, fiber.StatusSeeOther)
}

func (s *Server) handleLogout(c *fiber.Ctx) error {
	if tok := c.Cookies(SessionCookie); tok != "" {
		if err := s.store.DeleteSession(c.UserContext(), forum.TokenHash(tok)); err != nil {
			return err
		}
	}
	s.cookie(c, SessionCookie, "", -1)
	s.flash(c, "flash.signed_out")
	return c.Redirect("/", fiber.StatusSeeOther)
}

func (s *Server) handleSetupForm(c *fiber.Ctx) error {
	ok, err := s.store.SetupTokenValid(c.UserContext(), forum.TokenHash(c.Params("token")))
	if err != nil {
		return err
	}
	if !ok {
		return s.setupUsed(c)
	}
	return s.page(c, fiber.StatusOK, "setup", accountPage{base: s.base(c, s.t(c, "setup.title")), Token: c.Params("token")})
}

// setupUsed is the page of a setup link that was used, or replaced by a
// later start: 410 Gone, with the way to sign in instead of the form.
func (s *Server) setupUsed(c *fiber.Ctx) error {
	return s.page(c, fiber.StatusGone, "setup_used", s.base(c, s.t(c, "setup.used_title")))
}

// handleSetup creates the first administrator with the one-time setup token.
func (s *Server) handleSetup(c *fiber.Ctx) error {
	reg, form := s.registration(c)
	token := c.Params("token")
	if err := reg.Validate(s.cfg.Passwords, func(string) bool { return false }); err != nil {
		form.Errors, _ = s.formErrors(c, err)
		return s.page(c, fiber.StatusBadRequest, "setup", accountPage{base: s.base(c, s.t(c, "setup.title")), Form: form, Token: token})
	}
	hash, err := s.hashPassword(reg.Password)
	if err != nil {
		return err
	}
	u, err := s.store.CreateFirstAdmin(c.UserContext(), forum.TokenHash(token), forum.User{Name: reg.Name, Email: reg.Email}, hash)
	if errors.Is(err, forum.ErrForbidden) {
		return s.setupUsed(c)
	}
	if err != nil {
		return err
	}
	if err := s.signIn(c, u); err != nil {
		return err
	}
	s.flash(c, "flash.admin_created")
	return c.Redirect("/", fiber.StatusSeeOther)
}

type userPage struct {
	base
	Profile     *forum.User
	Proposals   []*forum.Proposal
	Comments    []store.UserComment
	Own         bool
	CanModerate bool
	Ministries  []forum.Ministry // for an admin appointing an official
}

func (s *Server) handleUser(c *fiber.Ctx) error {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	ctx := c.UserContext()
	u, err := s.store.User(ctx, id)
	if err != nil {
		return err
	}
	viewer := currentUser(c)
	own := viewer != nil && viewer.ID == u.ID
	props, err := s.store.UserProposals(ctx, u.ID, own)
	if err != nil {
		return err
	}
	comments, err := s.store.UserComments(ctx, u.ID, 50)
	if err != nil {
		return err
	}
	page := userPage{base: s.base(c, cmp.Or(u.Name, s.t(c, "privacy.withdrawn_member"))), Profile: u, Proposals: props, Comments: comments, Own: own,
		CanModerate: forum.CanModerate(viewer, u)}
	if viewer.CanAdminister() {
		if page.Ministries, err = s.store.Ministries(ctx); err != nil {
			return err
		}
	}
	return s.page(c, fiber.StatusOK, "user", page)
}

// Sign-in throttling per account: at most loginFailuresPerAccount failed
// sign-ins to one e-mail address (normalised) in loginFailureWindow, from
// any number of addresses. The window is short so an attacker can lock a
// victim out for minutes at most, never for good.
const (
	loginFailuresPerAccount = 10
	loginFailureWindow      = 15 * time.Minute
)

// accountLimit throttles failed sign-ins per account; successful ones spend nothing.
func (s *Server) accountLimit() fiber.Handler {
	return s.limit("login", limiter.Config{
		Max:                    loginFailuresPerAccount,
		Expiration:             loginFailureWindow,
		KeyGenerator:           func(c *fiber.Ctx) string { return "login:" + forum.NormalizeEmail(c.FormValue("email")) },
		SkipSuccessfulRequests: true,
		LimitReached:           func(c *fiber.Ctx) error { return forum.ErrRateLimited },
	})
}
