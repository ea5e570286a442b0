package web

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"
)

// resetsPerIPPerHour caps the reset requests one client address may make in
// an hour, whatever addresses it names: past it the address gets 429.
const resetsPerIPPerHour = 20

// resetLimit throttles password reset requests per client address.
func (s *Server) resetLimit() fiber.Handler {
	return s.limit("reset", limiter.Config{
		Max:          resetsPerIPPerHour,
		Expiration:   time.Hour,
		Next:         func(c *fiber.Ctx) bool { return c.Method() != fiber.MethodPost },
		KeyGenerator: func(c *fiber.Ctx) string { return "reset:" + s.clientIP(c) },
		LimitReached: func(c *fiber.Ctx) error { return forum.ErrRateLimited },
	})
}

// privatePage renders a page no cache may keep: it carries a one-time
// link's form or an account's settings.
func (s *Server) privatePage(c *fiber.Ctx, status int, name string, data any) error {
	err := s.page(c, status, name, data)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return err
}

type forgotPage struct {
	base
	Form formState
	Sent bool
}

func (s *Server) handleForgotForm(c *fiber.Ctx) error {
	return s.page(c, fiber.StatusOK, "password_forgot", forgotPage{base: s.base(c, s.t(c, "pwreset.forgot_title"))})
}

// handleForgot mails a reset link when the address has an account, and
// answers the same whether or not it has: the same page, status and store
// work (RequestPasswordReset does the same lookups either way).
func (s *Server) handleForgot(c *fiber.Ctx) error {
	email := forum.NormalizeEmail(c.FormValue("email"))
	page := forgotPage{base: s.base(c, s.t(c, "pwreset.forgot_title"))}
	if err := forum.ValidateEmail(email); err != nil {
		page.Form = formState{Values: map[string]string{"email": email}}
		page.Form.Errors, _ = s.formErrors(c, err)
		return s.page(c, fiber.StatusBadRequest, "password_forgot", page)
	}
	if err := s.store.RequestPasswordReset(c.UserContext(), email, newToken()); err != nil {
		return err
	}
	page.Sent = true
	return s.page(c, fiber.StatusOK, "password_forgot", page)
}

type resetPage struct {
	base
	Form  formState
	Token string
}

// linkPage explains a one-time link that does not work (any more), with
// the way to ask for a new one.
type linkPage struct {
	base
	Message  string
	Next     string // where to ask again
	NextText string
}

func (s *Server) deadResetLink(c *fiber.Ctx) error {
	return s.privatePage(c, fiber.StatusNotFound, "account_link", linkPage{base: s.base(c, s.t(c, "pwreset.dead_title")),
		Message: s.t(c, "pwreset.dead"), Next: "/password/forgot", NextText: s.t(c, "pwreset.ask_again")})
}

func (s *Server) handleResetForm(c *fiber.Ctx) error {
	token := c.Params("token")
	if _, err := s.store.PasswordResetUser(c.UserContext(), forum.TokenHash(token)); errors.Is(err, forum.ErrNotFound) {
		return s.deadResetLink(c)
	} else if err != nil {
		return err
	}
	return s.privatePage(c, fiber.StatusOK, "password_reset", resetPage{base: s.base(c, s.t(c, "pwreset.title")), Token: token})
}

// handleReset sets the new password, uses the link up and ends every
// session of the account in one transaction, then sends the person to sign in.
func (s *Server) handleReset(c *fiber.Ctx) error {
	ctx, token := c.UserContext(), c.Params("token")
	u, err := s.store.PasswordResetUser(ctx, forum.TokenHash(token))
	if errors.Is(err, forum.ErrNotFound) {
		return s.deadResetLink(c)
	} else if err != nil {
		return err
	}
	pw := c.FormValue("password")
	if err := forum.ValidateNewPassword(pw, u.Email, u.Name, s.cfg.Passwords); err != nil {
		page := resetPage{base: s.base(c, s.t(c, "pwreset.title")), Token: token}
		page.Form.Errors, _ = s.formErrors(c, err)
		return s.privatePage(c, fiber.StatusBadRequest, "password_reset", page)
	}
	hash, err := s.hashPassword(pw)
	if err != nil {
		return err
	}
	if _, err := s.store.ResetPassword(ctx, forum.TokenHash(token), hash); errors.Is(err, forum.ErrNotFound) {
		return s.deadResetLink(c) // used up by another request meanwhile
	} else if err != nil {
		return err
	}
	s.flash(c, "flash.acct_password_reset")
	return c.Redirect("/login", fiber.StatusSeeOther)
}

// sessionRow is one signed-in browser on the account page.
type sessionRow struct {
	*store.Session
	Device  string // "" when the user agent says nothing we know
	Current bool   // the browser looking at the page
}

type accountSettingsPage struct {
	base
	Section     string    // the form that was posted and refused, if any
	Form        formState // its values and errors
	Sessions    []sessionRow
	Languages   []langOption
	Frequencies []string
}

// langOption is a language to choose, named in itself.
type langOption struct{ Code, Tag, Name string }

// F returns the state of section's form: the refused post's, or empty.
func (p accountSettingsPage) F(section string) formState {
	if p.Section == section {
		return p.Form
	}
	return formState{}
}

// accountPage renders /account, with the form of section refused for errs.
func (s *Server) accountPage(c *fiber.Ctx, status int, section string, values map[string]string, errs []fieldError) error {
	u := currentUser(c)
	sessions, err := s.store.Sessions(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	current, _ := c.Locals("session").(*store.Session)
	page := accountSettingsPage{base: s.base(c, s.t(c, "acct.title")), Section: section,
		Form: formState{Values: values, Errors: errs}, Frequencies: store.EmailFrequencies()}
	for _, l := range Languages {
		page.Languages = append(page.Languages, langOption{Code: l, Tag: htmlLang[l], Name: langNames[l]})
	}
	for _, sess := range sessions {
		page.Sessions = append(page.Sessions, sessionRow{Session: sess, Device: deviceName(sess.UserAgent),
			Current: current != nil && sess.ID == current.ID})
	}
	return s.privatePage(c, status, "account", page)
}

func (s *Server) handleAccount(c *fiber.Ctx) error {
	return s.accountPage(c, fiber.StatusOK, "", nil, nil)
}

// renamed gives the errors of a forum check the field names of the account page's form.
func renamed(errs []fieldError, from, to string) []fieldError {
	for i := range errs {
		if errs[i].Field == from {
			errs[i].Field = to
		}
	}
	return errs
}

// handleAccountName sets the display name by registration's rules; staff
// names are not held to the impersonation check, as their role is real.
func (s *Server) handleAccountName(c *fiber.Ctx) error {
	u := currentUser(c)
	name := moderation.PlainText(c.FormValue("name"))
	impersonates := moderation.ImpersonatesStaff
	if u.Role.IsStaff() {
		impersonates = nil
	}
	if err := forum.ValidateName(name, impersonates); err != nil {
		errs, _ := s.formErrors(c, err)
		return s.accountPage(c, fiber.StatusBadRequest, "name", map[string]string{"name": name}, errs)
	}
	if err := s.store.SetUserName(c.UserContext(), u.ID, name); err != nil {
		return err
	}
	s.threads.reset() // the name shows beside every comment of the user
	s.flash(c, "flash.acct_name_saved")
	return c.Redirect("/account#name", fiber.StatusSeeOther)
}

// checkCurrentPassword reports whether password is the signed-in user's.
func (s *Server) checkCurrentPassword(c *fiber.Ctx, password string) (bool, error) {
	_, hash, err := s.store.UserByEmail(c.UserContext(), currentUser(c).Email)
	if err != nil {
		return false, err
	}
	return forum.CheckPassword(hash, password)
}

// handleAccountEmail mails a link to the new address; the address changes
// only when that link is opened (handleEmailConfirm).
func (s *Server) handleAccountEmail(c *fiber.Ctx) error {
	u := currentUser(c)
	email := forum.NormalizeEmail(c.FormValue("email"))
	values := map[string]string{"email": email}
	fail := func(status int, errs []fieldError) error { return s.accountPage(c, status, "email", values, errs) }
	if err := forum.ValidateEmail(email); err != nil {
		errs, _ := s.formErrors(c, err)
		return fail(fiber.StatusBadRequest, errs)
	}
	if email == u.Email {
		return fail(fiber.StatusBadRequest, s.formError(c, "email", "err.acct_email_same"))
	}
	if ok, err := s.checkCurrentPassword(c, c.FormValue("password")); err != nil {
		return err
	} else if !ok {
		return fail(fiber.StatusBadRequest, s.formError(c, "email-password", "err.acct_current_password"))
	}
	err := s.store.RequestEmailChange(c.UserContext(), u.ID, email, newToken())
	switch {
	case errors.Is(err, forum.ErrEmailTaken):
		return fail(fiber.StatusBadRequest, s.formError(c, "email", "err.acct_email_taken"))
	case errors.Is(err, forum.ErrRateLimited):
		return fail(fiber.StatusTooManyRequests, s.formError(c, "email", "err.acct_email_change_limit", store.EmailChangesPerDay))
	case err != nil:
		return err
	}
	s.flash(c, "flash.acct_email_change_sent")
	return c.Redirect("/account#email", fiber.StatusSeeOther)
}

// handleEmailConfirm makes the address a change link was mailed to the
// account's. The link is the proof, so no sign-in is needed.
func (s *Server) handleEmailConfirm(c *fiber.Ctx) error {
	_, _, err := s.store.ChangeEmail(c.UserContext(), forum.TokenHash(c.Params("token")))
	switch {
	case errors.Is(err, forum.ErrNotFound):
		return s.privatePage(c, fiber.StatusNotFound, "account_link", linkPage{base: s.base(c, s.t(c, "email_change.dead_title")),
			Message: s.t(c, "email_change.dead"), Next: "/account#email", NextText: s.t(c, "email_change.ask_again")})
	case errors.Is(err, forum.ErrEmailTaken):
		return s.privatePage(c, fiber.StatusConflict, "account_link", linkPage{base: s.base(c, s.t(c, "email_change.taken_title")),
			Message: s.t(c, "email_change.taken"), Next: "/account#email", NextText: s.t(c, "email_change.ask_again")})
	case err != nil:
		return err
	}
	s.flash(c, "flash.acct_email_changed")
	if currentUser(c) == nil {
		return c.Redirect("/login?next=%2Faccount", fiber.StatusSeeOther)
	}
	return c.Redirect("/account#email", fiber.StatusSeeOther)
}

// handleAccountPassword changes the password; every other session ends.
func (s *Server) handleAccountPassword(c *fiber.Ctx) error {
	u := currentUser(c)
	if ok, err := s.checkCurrentPassword(c, c.FormValue("current_password")); err != nil {
		return err
	} else if !ok {
		return s.accountPage(c, fiber.StatusBadRequest, "password", nil, s.formError(c, "current-password", "err.acct_current_password"))
	}
	pw := c.FormValue("new_password")
	if err := forum.ValidateNewPassword(pw, u.Email, u.Name, s.cfg.Passwords); err != nil {
		errs, _ := s.formErrors(c, err)
		return s.accountPage(c, fiber.StatusBadRequest, "password", nil, renamed(errs, "password", "new-password"))
	}
	hash, err := s.hashPassword(pw)
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(c.UserContext(), u.ID, hash, forum.TokenHash(c.Cookies(SessionCookie))); err != nil {
		return err
	}
	s.flash(c, "flash.acct_password_changed")
	return c.Redirect("/account#password", fiber.StatusSeeOther)
}

// handleAccountMail saves how often the user gets notification mail, as /notifications/settings does.
func (s *Server) handleAccountMail(c *fiber.Ctx) error {
	err := s.store.SetEmailFrequency(c.UserContext(), currentUser(c).ID, c.FormValue("frequency"))
	if errs, ok := s.formErrors(c, err); ok {
		return s.accountPage(c, fiber.StatusBadRequest, "mail", nil, renamed(errs, "frequency", "frequency-immediate"))
	} else if err != nil {
		return err
	}
	s.flash(c, "flash.email_frequency_saved")
	return c.Redirect("/account#mail", fiber.StatusSeeOther)
}

// handleAccountLang stores the account's language, which its mail is
// written in and which every later sign-in brings back, and switches to it now.
func (s *Server) handleAccountLang(c *fiber.Ctx) error {
	lang := c.FormValue("lang")
	err := s.store.SetUserLang(c.UserContext(), currentUser(c).ID, lang)
	if errs, ok := s.formErrors(c, err); ok {
		return s.accountPage(c, fiber.StatusBadRequest, "lang", nil, renamed(errs, "lang", "lang-ko"))
	} else if err != nil {
		return err
	}
	if lang != "" {
		s.cookie(c, langCookie, lang, 365*24*time.Hour)
	}
	s.flash(c, "flash.acct_lang_saved")
	return c.Redirect("/account#language", fiber.StatusSeeOther)
}

// handleEndSession signs one of the account's browsers out; this one is
// signed out too if it is the one named.
func (s *Server) handleEndSession(c *fiber.Ctx) error {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	if err := s.store.DeleteUserSession(c.UserContext(), currentUser(c).ID, id); err != nil {
		return err
	}
	if current, _ := c.Locals("session").(*store.Session); current != nil && current.ID == id {
		s.cookie(c, SessionCookie, "", -1)
		s.flash(c, "flash.signed_out")
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	s.flash(c, "flash.acct_session_ended")
	return c.Redirect("/account#sessions", fiber.StatusSeeOther)
}

// handleEndSessions signs out every other browser of the account or, with
// everywhere=all, this one as well.
func (s *Server) handleEndSessions(c *fiber.Ctx) error {
	keep := forum.TokenHash(c.Cookies(SessionCookie))
	all := c.FormValue("everywhere") == "all"
	if all {
		keep = ""
	}
	if err := s.store.DeleteOtherSessions(c.UserContext(), currentUser(c).ID, keep); err != nil {
		return err
	}
	if all {
		s.cookie(c, SessionCookie, "", -1)
		s.flash(c, "flash.acct_signed_out_everywhere")
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	s.flash(c, "flash.acct_sessions_ended")
	return c.Redirect("/account#sessions", fiber.StatusSeeOther)
}

// deviceName sums a user agent up as "browser · system" ("Chrome ·
// Windows"), or "" when it names neither in a way we know. The order of the
// checks matters: Edge, Opera, Samsung Internet and Whale also say
// "Chrome", Chrome also says "Safari", Android also says "Linux".
func deviceName(ua string) string {
	has := func(s ...string) bool {
		for _, x := range s {
			if strings.Contains(ua, x) {
				return true
			}
		}
		return false
	}
	first := func(pairs ...string) string {
		for i := 0; i+1 < len(pairs); i += 2 {
			if has(strings.Split(pairs[i], "|")...) {
				return pairs[i+1]
			}
		}
		return ""
	}
	browser := first("Edg/|EdgA/|EdgiOS/", "Edge", "OPR/|Opera", "Opera", "SamsungBrowser/", "Samsung Internet",
		"Whale/", "Whale", "NAVER(", "Naver", "KAKAOTALK", "KakaoTalk", "Firefox/|FxiOS/", "Firefox",
		"Chrome/|CriOS/", "Chrome", "Safari/", "Safari")
	system := first("Windows", "Windows", "Android", "Android", "iPhone|iPod", "iOS", "iPad", "iPadOS",
		"CrOS", "ChromeOS", "Macintosh|Mac OS X", "macOS", "Linux", "Linux")
	switch {
	case browser != "" && system != "":
		return browser + " · " + system
	case browser != "":
		return browser
	}
	return system
}

// accountOwner lets any signed-in account, suspended or not, reach its own
// security settings: a suspended person may still change a password or
// sign a lost phone out. Visitors go to sign in, as with signedIn.
func (s *Server) accountOwner(c *fiber.Ctx) error {
	if currentUser(c) == nil {
		return s.signedIn(c)
	}
	return c.Next()
}
