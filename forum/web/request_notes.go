package web

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/e-people/e-people/forum"
)

// isRequestNote reports whether a notification kind is about a civil
// request (forum.NoteRequestFiled …): private to its filer and the
// ministry's officials, said by requestNoteText and linked by requestNoteLink.
func isRequestNote(kind string) bool {
	switch kind {
	case forum.NoteRequestFiled, forum.NoteRequestAssigned, forum.NoteRequestTransferred, forum.NoteRequestInfo,
		forum.NoteRequestExtended, forum.NoteRequestAnswered, forum.NoteRequestProgress, forum.NoteRequestObjection,
		forum.NoteRequestPublished:
		return true
	}
	return false
}

// requestSubject names a request in a sentence: its receipt number and,
// while its reader may read it, its title.
func requestSubject(cat catalog, d noteData) string {
	receipt := d.Receipt
	if receipt == "" {
		receipt = "#" + formatNumber(int(d.RequestID))
	}
	if d.Title == "" {
		return cat.T("note.request_subject_bare", receipt)
	}
	return cat.T("note.request_subject", receipt, d.Title)
}

// requestNoteText says a civil request's notification in one language:
// what happened, then the receipt number and the title.
func requestNoteText(cat catalog, lang, kind string, d noteData, ministry func(int64) string) string {
	subject := requestSubject(cat, d)
	due := time.Time{}
	if d.Due != 0 {
		due = time.Unix(d.Due, 0)
	}
	switch kind {
	case forum.NoteRequestTransferred:
		to := d.To
		if to == 0 {
			to = d.Ministry
		}
		if to != 0 {
			return cat.T("note.request_transferred", ministry(to), subject)
		}
		return cat.T("note.request_transferred_bare", subject)
	case forum.NoteRequestExtended, forum.NoteRequestProgress:
		if !due.IsZero() {
			return cat.T("note."+kind, formatDay(lang, due), subject)
		}
		return cat.T("note."+kind+"_bare", subject)
	case forum.NoteRequestInfo:
		if d.Replied {
			return cat.T("note.request_info_replied", subject)
		}
	case forum.NoteRequestAnswered:
		if l, ok := cat["decision."+d.Decision]; ok && d.Decision != "" {
			return cat.T("note.request_answered_decision", l, subject)
		}
	}
	return cat.T("note."+kind, subject)
}

// requestNoteLink is the page a civil request's notification leads to:
// the request's own page by its receipt number, the reply form for the
// filer asked for information, the handling page for the officials told of
// an objection or a reply, the published entry; "" without a receipt number.
func requestNoteLink(kind string, d noteData) string {
	if kind == forum.NoteRequestPublished && d.FAQID != 0 {
		return "/faq/" + strconv.FormatInt(d.FAQID, 10)
	}
	if d.Receipt == "" {
		return ""
	}
	switch {
	case kind == forum.NoteRequestObjection, kind == forum.NoteRequestInfo && d.Replied:
		return "/requests/" + d.Receipt + "/handle"
	case kind == forum.NoteRequestInfo:
		return "/requests/" + d.Receipt + "/reply"
	}
	return "/requests/" + d.Receipt
}

// readableRequest reports whether u may still read request id (an
// official moved to another ministry, or a request transferred away, may
// not): a notification names its title only then. Asking records no read.
func (s *Server) readableRequest(ctx context.Context, u *forum.User, id int64) (bool, error) {
	r, err := s.store.Request(ctx, id)
	if errors.Is(err, forum.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return forum.CanReadRequest(u, r), nil
}

// mailRequestReceipt writes the receipt mail of a civil request in one
// language: the receipt number, the title, the ministry that holds it and
// the day it is due, then the link to the request's page.
func mailRequestReceipt(cat catalog, lang string, d mailData, ministry forum.Ministry) (subject, text string) {
	lines := []string{
		cat.T("mail.body.request_receipt"),
		cat.T("mail.request.receipt", d.Receipt),
		cat.T("mail.request.title", d.Title),
		cat.T("mail.request.ministry", ministry.Name(lang)),
	}
	if d.Due != 0 {
		lines = append(lines, cat.T("mail.request.due", formatDay(lang, time.Unix(d.Due, 0))))
	}
	return cat.T("mail.subject.request_receipt", d.Receipt), strings.Join(lines, "\n")
}
