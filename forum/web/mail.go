package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/gofiber/fiber/v2"
)

// mailLangs are the languages a mail is written in, one after the other,
// when its recipient has chosen none (users.lang).
var mailLangs = []string{"ko", "en"}

// accountMails are the kinds about the account itself (a one-time link, a
// change to it): sent whatever the notification settings, and signed so.
var accountMails = map[string]bool{store.MailVerifyEmail: true, store.MailResetPassword: true, store.MailChangeEmail: true, store.MailEmailChanged: true}

// outboxLimit is how many mails the admins' outbox page shows.
const outboxLimit = 200

// handleEmailFrequency saves how often the signed-in user gets mail.
func (s *Server) handleEmailFrequency(c *fiber.Ctx) error {
	if err := s.store.SetEmailFrequency(c.UserContext(), currentUser(c).ID, c.FormValue("frequency")); err != nil {
		return err
	}
	s.flash(c, "flash.email_frequency_saved")
	return c.Redirect("/notifications#mail", fiber.StatusSeeOther)
}

// outboxRow is a mail as the admins read it: the words it is (or will be) sent with.
type outboxRow struct {
	store.Mail
	Subject, Body string
}

type adminOutboxPage struct {
	base
	Rows []outboxRow
}

func (s *Server) handleAdminOutbox(c *fiber.Ctx) error {
	ctx := c.UserContext()
	ms, err := s.store.Outbox(ctx, outboxLimit)
	if err != nil {
		return err
	}
	rows := make([]outboxRow, 0, len(ms))
	for _, m := range ms {
		subject, body, err := s.ComposeMail(ctx, m)
		if err != nil {
			return err
		}
		rows = append(rows, outboxRow{Mail: m, Subject: subject, Body: body})
	}
	return s.page(c, fiber.StatusOK, "admin_outbox", adminOutboxPage{base: s.base(c, s.t(c, "admin.outbox_title")), Rows: rows})
}

// mailData is everything the outbox's JSON data may hold.
type mailData struct {
	ProposalID int64                  `json:"proposal_id"`
	Status     string                 `json:"status"`
	Decision   string                 `json:"decision"`
	Revision   int                    `json:"revision"`
	From       int64                  `json:"from"`
	To         int64                  `json:"to"`
	Count      int                    `json:"count"`
	Kinds      map[string]int         `json:"kinds"`
	Items      []store.DigestItem     `json:"items"`        // a digest's entries, newest first
	Frequency  string                 `json:"frequency"`    // a digest's: store.EmailDaily or store.EmailWeekly
	Followed   []store.FollowedChange `json:"what_changed"` // a weekly digest's: what changed on each followed item (issue 18)
	Token      string                 `json:"token"`        // a one-time link's token, scrubbed once the mail is sent
	Email      string                 `json:"email"`        // the new address of an address change
	Expires    int64                  `json:"expires"`      // when a one-time link expires, unix seconds
	Receipt    string                 `json:"receipt"`      // a civil request's receipt number
	Title      string                 `json:"title"`        // a civil request's title
	Ministry   int64                  `json:"ministry"`     // the ministry that holds a civil request
	Due        int64                  `json:"due"`          // a civil request's due time, unix seconds
}

// ComposeMail writes a queued mail's subject and plain-text body, in its
// recipient's language or, when they chose none, in Korean and then
// English, with a link to what it is about and to the mail settings.
// A proposal's title is included only while its recipient may read it.
func (s *Server) ComposeMail(ctx context.Context, m store.Mail) (subject, body string, err error) {
	if m.Kind == store.MailInactiveNotice {
		return s.composeInactiveNotice(m)
	}
	var d mailData
	_ = json.Unmarshal(m.Data, &d) // data it cannot read gets the generic words
	site := strings.TrimRight(s.cfg.BaseURL, "/")
	link := site + "/notifications"
	title := ""
	var rcpt *forum.User // a mail is read as its recipient would read the page, in their language
	if m.UserID != 0 {
		if rcpt, err = s.store.User(ctx, m.UserID); err != nil && !errors.Is(err, forum.ErrNotFound) {
			return "", "", fmt.Errorf("compose mail %d: %w", m.ID, err)
		}
	}
	langs := mailLangs
	if rcpt != nil && isLang(rcpt.Lang) {
		langs = []string{rcpt.Lang}
	}
	// The account's own mails link to their one-time page; once a mail is
	// sent its token is scrubbed, and the link is the page that asks anew.
	oneTime := func(path, again string) string {
		if d.Token == "" {
			return site + again
		}
		return site + path + d.Token
	}
	switch m.Kind {
	case store.MailVerifyEmail:
		link = oneTime("/verify/", "/account/verify")
	case store.MailResetPassword:
		link = oneTime("/password/reset/", "/password/forgot")
	case store.MailChangeEmail:
		link = oneTime("/account/email/", "/account")
	case store.MailEmailChanged:
		link = site + "/account"
	case store.MailRequestReceipt:
		link = site + "/requests/" + d.Receipt
	}
	if d.ProposalID != 0 && m.Kind != store.MailDigest {
		link = site + "/proposals/" + strconv.FormatInt(d.ProposalID, 10)
		p, err := s.store.Proposal(ctx, d.ProposalID)
		if err != nil && !errors.Is(err, forum.ErrNotFound) {
			return "", "", fmt.Errorf("compose mail %d: %w", m.ID, err)
		}
		if err == nil {
			if p.VisibleTo(rcpt) {
				title = p.Title
			}
		}
	}
	// A ministry that is gone is named by its number.
	from := forum.Ministry{NameKO: "#" + strconv.FormatInt(d.From, 10)}
	to := forum.Ministry{NameKO: "#" + strconv.FormatInt(d.To, 10)}
	var dir directory
	isNote := !accountMails[m.Kind] && m.Kind != store.MailDigest && m.Kind != store.MailRequestReceipt
	if m.Kind == forum.NoteTransferred || isNote || m.Kind == store.MailDigest || m.Kind == store.MailRequestReceipt {
		if dir.Ministries, err = s.store.Ministries(ctx); err != nil {
			return "", "", fmt.Errorf("compose mail %d: %w", m.ID, err)
		}
		for _, mi := range dir.Ministries {
			switch mi.ID {
			case d.From:
				from = mi
			case d.To:
				to = mi
			}
		}
	}
	// A notification's mail links to the exact place, and names the item
	// while its recipient may read it.
	data := m.Data
	if isNote {
		if data, err = s.readableNoteData(ctx, rcpt, m.Data); err != nil {
			return "", "", fmt.Errorf("compose mail %d: %w", m.ID, err)
		}
		var nd noteData
		_ = json.Unmarshal(m.Data, &nd)
		if l := noteLink(m.Kind, nd, m.Data); l != "" {
			link = site + l
		}
	}
	weekly, covered, err := s.weeklyLines(ctx, rcpt, d.Followed, langs) // a weekly digest's account per followed item
	if err != nil {
		return "", "", fmt.Errorf("compose mail %d: %w", m.ID, err)
	}
	var items [][]noteEntry // a digest's entries, in each language
	for _, it := range d.Items {
		if covered[it.Subject] { // told per item in the weekly account
			continue
		}
		data, err := s.readableNoteData(ctx, rcpt, it.Data)
		if err != nil {
			return "", "", fmt.Errorf("compose mail %d: %w", m.ID, err)
		}
		n := forum.Notification{Kind: it.Kind, Data: data, Subject: it.Subject, Count: max(it.Count, 1)}
		row := make([]noteEntry, len(langs))
		for i, lang := range langs {
			row[i] = describeNote(s.views.catalogs[lang], lang, n, dir.Ministry)
		}
		items = append(items, row)
	}
	var subjects []string
	var b strings.Builder
	for i, lang := range langs {
		cat := s.views.catalogs[lang]
		subj, text := mailText(cat, lang, m, d, from, to)
		if isNote && !knownMail[m.Kind] {
			e := describeNote(cat, lang, forum.Notification{Kind: m.Kind, Data: data, Count: 1}, dir.Ministry)
			text = e.Text
			switch {
			case isRequestNote(m.Kind):
				var nd noteData
				_ = json.Unmarshal(data, &nd)
				subj = cat.T("mail.subject.request", requestSubject(cat, nd))
			case e.Title != "":
				subj = cat.T("mail.subject.note", e.Title)
			}
		}
		if m.Kind == store.MailRequestReceipt {
			subj, text = mailRequestReceipt(cat, lang, d, dir.Ministry(d.Ministry))
		}
		subjects = append(subjects, subj)
		b.WriteString(text + "\n")
		for _, row := range items {
			b.WriteString("· " + row[i].Text + "\n")
			if row[i].Link != "" {
				b.WriteString("  " + site + row[i].Link + "\n")
			}
		}
		if len(weekly) > 0 {
			b.WriteString("\n" + weekly[i] + "\n")
		}
		if title != "" && knownMail[m.Kind] {
			b.WriteString(cat.T("mail.proposal", title) + "\n")
		}
		b.WriteString(link + "\n\n")
	}
	b.WriteString("-- \n") // the signature separator mail readers know
	for _, lang := range langs {
		switch {
		case accountMails[m.Kind]:
			b.WriteString(s.views.catalogs[lang].T("mail.footer_acct") + "\n")
		case m.Kind == store.MailRequestReceipt:
			b.WriteString(s.views.catalogs[lang].T("mail.footer_request") + "\n")
		default:
			b.WriteString(s.views.catalogs[lang].T("mail.footer", site+"/notifications#mail") + "\n")
		}
	}
	return "[e-people] " + strings.Join(subjects, " / "), b.String(), nil
}

// knownMail are the notification kinds mailText has words of its own for,
// followed by the proposal's title; the others are said as on the
// notifications page (describeNote).
var knownMail = map[string]bool{forum.NoteThresholdReached: true, forum.NoteStatusChanged: true, forum.NoteResponse: true, forum.NoteTransferred: true}

// readableNoteData is a notification's data without the names of a
// proposal its recipient may no longer read (withheld since, say), or of a
// civil request they may no longer read (transferred to another ministry).
func (s *Server) readableNoteData(ctx context.Context, rcpt *forum.User, data []byte) ([]byte, error) {
	var d noteData
	if json.Unmarshal(data, &d) != nil || (d.ProposalID == 0 && d.RequestID == 0) || (d.Title == "" && d.Excerpt == "") {
		return data, nil
	}
	if d.RequestID != 0 {
		ok, err := s.readableRequest(ctx, rcpt, d.RequestID)
		if err != nil || ok {
			return data, err
		}
	} else {
		p, err := s.store.Proposal(ctx, d.ProposalID)
		if err != nil && !errors.Is(err, forum.ErrNotFound) {
			return nil, err
		}
		if err == nil && p.VisibleTo(rcpt) {
			return data, nil
		}
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return data, nil
	}
	delete(m, "title")
	delete(m, "excerpt")
	return json.Marshal(m)
}

// mailText is a mail's subject and opening sentence in one language.
func mailText(cat catalog, lang string, m store.Mail, d mailData, from, to forum.Ministry) (subject, text string) {
	label := func(prefix, v string) string {
		if l, ok := cat[prefix+v]; ok {
			return l
		}
		return v
	}
	switch m.Kind {
	case store.MailDigest:
		kinds := make([]string, 0, len(d.Kinds))
		for k := range d.Kinds {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		subject, body := cat.T("mail.subject.digest", d.Count), cat.T("mail.body.digest", d.Count)
		if d.Frequency == store.EmailWeekly {
			subject, body = cat.T("mail.subject.digest_weekly", d.Count), cat.T("mail.body.digest_weekly", d.Count)
			if d.Count == 0 && len(d.Followed) > 0 { // only comments on what they follow (issue 18)
				subject, body = cat.T("mail.subject.digest_weekly_followed"), cat.T("mail.body.digest_weekly_followed")
			}
		}
		lines := []string{body}
		for _, k := range kinds {
			l, ok := cat["mail.kind."+k]
			if !ok {
				l = cat.T("mail.kind.other")
			}
			lines = append(lines, "· "+l+": "+formatNumber(d.Kinds[k]))
		}
		return subject, strings.Join(lines, "\n")
	case store.MailVerifyEmail:
		return cat.T("mail.subject.verify_email"), cat.T("mail.body.verify_email", formatDate(lang, time.Unix(d.Expires, 0)))
	case forum.NoteThresholdReached:
		return cat.T("mail.subject.threshold_reached"), cat.T("mail.body.threshold_reached")
	case forum.NoteStatusChanged:
		return cat.T("mail.subject.status_changed"), cat.T("mail.body.status_changed", label("status.", d.Status))
	case forum.NoteResponse:
		if d.Revision > 1 {
			return cat.T("mail.subject.official_response"), cat.T("mail.body.official_response_revised", d.Revision, label("decision.", d.Decision))
		}
		return cat.T("mail.subject.official_response"), cat.T("mail.body.official_response", label("decision.", d.Decision))
	case forum.NoteTransferred:
		return cat.T("mail.subject.transferred"), cat.T("mail.body.transferred", from.Name(lang), to.Name(lang))
	case store.MailResetPassword:
		return cat.T("mail.subject.reset_password"), cat.T("mail.body.reset_password")
	case store.MailChangeEmail, store.MailEmailChanged:
		return cat.T("mail.subject." + m.Kind), cat.T("mail.body."+m.Kind, d.Email)
	}
	return cat.T("mail.subject.generic"), noteText(cat, lang, forum.Notification{Kind: m.Kind, Data: m.Data})
}
