package web

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/gofiber/fiber/v2"
)

// policyPage is the privacy policy, the terms of use or the accessibility
// statement: their words are in the catalogs, so a key missing in one
// language fails TestCatalogs_Complete and the three stay in step; the
// figures are the live settings.
type policyPage struct {
	base
	Site         string
	InactiveDays int
	NoticeDays   int
	SessionDays  int
	Cookies      struct{ Session, CSRF, Lang, Flash string } // the names of the cookies the site sets
}

// handlePolicy answers one of the public policy pages (privacy, terms,
// accessibility). Shared caches may keep the page a visitor sees; a
// signed-in page names its user and is not shared.
func (s *Server) handlePolicy(name string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		set := s.store.Settings()
		day := 24 * time.Hour
		p := policyPage{base: s.base(c, s.t(c, "privacy."+name+".title")), Site: strings.TrimRight(s.cfg.BaseURL, "/"),
			InactiveDays: int(set.InactiveAfter / day), NoticeDays: int(set.InactiveNotice / day), SessionDays: int(set.SessionLifetime / day)}
		p.Cookies.Session, p.Cookies.CSRF, p.Cookies.Lang, p.Cookies.Flash = SessionCookie, anonCSRFCookie, langCookie, flashCookie
		if err := s.page(c, fiber.StatusOK, name, p); err != nil {
			return err
		}
		if p.User == nil {
			c.Set(fiber.HeaderCacheControl, "public, max-age=600")
		}
		return nil
	}
}

// handleAccountPrivacy is the signed-in person's own page of their data
// rights: download everything, delete the account.
func (s *Server) handleAccountPrivacy(c *fiber.Ctx) error {
	return s.page(c, fiber.StatusOK, "account_privacy", s.base(c, s.t(c, "privacy.account.title")))
}

// handleDataDownload streams the signed-in person's data as a ZIP of JSON
// files (store.ExportAccount), built as it is sent.
func (s *Server) handleDataDownload(c *fiber.Ctx) error {
	u := currentUser(c)
	now := s.cfg.Now()
	c.Set(fiber.HeaderContentType, "application/zip")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="e-people-my-data-`+now.UTC().Format("20060102")+`.zip"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	st, log, id := s.store, s.log, u.ID
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		ctx, cancel := context.WithTimeout(context.Background(), downloadTimeout)
		defer cancel()
		zw := zip.NewWriter(w)
		err := st.ExportAccount(ctx, id, func(name string) (io.Writer, error) {
			return zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: now})
		})
		if err == nil {
			err = zw.Close()
		}
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			log.Error("data download", "user", id, "err", err)
		}
	})
	return nil
}

type deletePage struct {
	base
	Form formState
}

// handleDeleteForm asks for the password before an account is deleted.
func (s *Server) handleDeleteForm(c *fiber.Ctx) error {
	return s.page(c, fiber.StatusOK, "account_delete", deletePage{base: s.base(c, s.t(c, "privacy.delete.title"))})
}

// handleDelete deletes the signed-in account (store.DeleteAccount) once its
// password (and, with a second factor, a code) is given, and signs the
// browser out. A suspended account may
// delete itself: leaving is a right, not a post.
func (s *Server) handleDelete(c *fiber.Ctx) error {
	u := currentUser(c)
	if u == nil {
		return fiber.NewError(fiber.StatusUnauthorized, "err.signin_required")
	}
	ctx := c.UserContext()
	posts := c.FormValue("posts") == "1"
	form := formState{Values: map[string]string{}}
	if posts {
		form.Values["posts"] = "1"
	}
	fail := func(errs []fieldError) error {
		form.Errors = errs
		return s.page(c, fiber.StatusBadRequest, "account_delete", deletePage{base: s.base(c, s.t(c, "privacy.delete.title")), Form: form})
	}
	_, hash, err := s.store.UserByEmail(ctx, u.Email)
	if err != nil {
		return err
	}
	if ok, err := forum.CheckPassword(hash, c.FormValue("password")); err != nil || !ok {
		return fail(s.formError(c, "password", "err.delete_wrong_password"))
	}
	if u.TwoFactor { // an account with a second factor is deleted with a code too
		err := s.store.CheckSecondFactor(ctx, u.ID, strings.TrimSpace(c.FormValue("code")))
		if errors.Is(err, forum.ErrSecondFactorWrong) {
			return fail(s.formError(c, "code", "err.delete_wrong_code"))
		}
		if err != nil {
			return err
		}
	}
	if err := s.store.DeleteAccount(ctx, u.ID, posts); err != nil {
		if errs, ok := s.formErrors(c, err); ok {
			return fail(errs)
		}
		return err
	}
	s.cookie(c, SessionCookie, "", -1)
	s.flash(c, "flash.privacy_account_deleted")
	return c.Redirect("/", fiber.StatusSeeOther)
}

// composeInactiveNotice writes the notice that an account unused for long
// will be anonymised, in the account's language (Korean and English when
// it has none): the date, and that signing in before it keeps the account.
func (s *Server) composeInactiveNotice(m store.Mail) (subject, body string, err error) {
	var d struct {
		AnonymiseAt int64  `json:"anonymise_at"`
		Lang        string `json:"lang"`
	}
	if err := json.Unmarshal(m.Data, &d); err != nil {
		return "", "", errors.New("compose mail " + strconv.FormatInt(m.ID, 10) + ": unreadable inactive notice")
	}
	langs := mailLangs
	if _, ok := s.views.catalogs[d.Lang]; ok {
		langs = []string{d.Lang}
	}
	site := strings.TrimRight(s.cfg.BaseURL, "/")
	var subjects []string
	var b strings.Builder
	for _, lang := range langs {
		cat := s.views.catalogs[lang]
		subjects = append(subjects, cat.T("mail.subject.inactive_notice"))
		b.WriteString(cat.T("mail.body.inactive_notice", formatDate(lang, time.Unix(d.AnonymiseAt, 0))) + "\n")
		b.WriteString(site + "/login\n" + cat.T("mail.inactive_notice.policy", site+"/privacy") + "\n\n")
	}
	return "[e-people] " + strings.Join(subjects, " / "), b.String(), nil
}
