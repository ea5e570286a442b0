package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/gofiber/fiber/v2"
)

// handleError is the one place errors become responses. Users never see err.Error().
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status, key := fiber.StatusInternalServerError, ""
	var fe *fiber.Error
	var ce *store.CapError
	var ve *forum.ValidationError
	var ves forum.ValidationErrors
	var te *forum.TierError
	var rf *forum.Refusal
	var cl *forum.ClaimedError
	var args []any // the arguments of key's message
	switch {
	case errors.As(err, &cl):
		status, key, args = fiber.StatusConflict, "err.claimed", []any{cl.By, cl.Until}
	case errors.As(err, &rf):
		status, key, args = refusalStatus(rf.Err), rf.Key, rf.Args
	case errors.As(err, &te):
		status, key = fiber.StatusForbidden, "err.tier_required"
	case errors.As(err, &ce):
		status, key = fiber.StatusTooManyRequests, "err.cap_reached"
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(max(1, int(capResets(ce).Sub(s.cfg.Now()).Seconds()))))
	case errors.As(err, &fe):
		status = fe.Code
		if strings.HasPrefix(fe.Message, "err.") {
			key = fe.Message
		}
	case errors.As(err, &ve), errors.As(err, &ves):
		status, key = fiber.StatusBadRequest, "err.invalid"
	case errors.Is(err, forum.ErrNotFound):
		status = fiber.StatusNotFound
	case errors.Is(err, forum.ErrForbidden):
		status, key = fiber.StatusForbidden, "err.forbidden"
	case errors.Is(err, forum.ErrConflict):
		status, key = fiber.StatusConflict, "err.conflict"
	case errors.Is(err, forum.ErrSecondFactorRequired):
		if !wantsJSON(c) && !isAPI(c) {
			s.flash(c, "flash.twofactor_required")
			return c.Redirect("/account/2fa", fiber.StatusSeeOther)
		}
		status, key = fiber.StatusForbidden, "err.second_factor_required"
	case errors.Is(err, forum.ErrLastAdmin):
		status, key = fiber.StatusConflict, "err.last_admin"
	case errors.Is(err, forum.ErrSuspended):
		status, key = fiber.StatusForbidden, "err.suspended"
	case errors.Is(err, forum.ErrInvalidState):
		status, key = fiber.StatusConflict, "err.invalid_state"
	case errors.Is(err, forum.ErrRateLimited):
		status, key = fiber.StatusTooManyRequests, "err.rate_limited"
		if c.GetRespHeader(fiber.HeaderRetryAfter) == "" {
			c.Set(fiber.HeaderRetryAfter, "60")
		}
	case errors.Is(err, forum.ErrUnavailable), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		// Busy, or the request ran out of time (requestDeadline): both pass.
		status, key = fiber.StatusServiceUnavailable, "err.unavailable"
		c.Set(fiber.HeaderRetryAfter, "5")
	}
	if status >= 500 {
		s.log.Error("request failed", "method", c.Method(), "route", c.Route().Path, "status", status, "err", err,
			"request_id", c.GetRespHeader(RequestIDHeader))
	}
	if len(ves) > 0 && key == "err.invalid" {
		ve = ves[0] // the first field at fault speaks for all
	}
	field := ""
	if ve != nil && key == "err.invalid" {
		key, field = ve.Key, ve.Field
	}
	lang := s.lang(c)
	cat := s.views.catalogs[lang]
	msg := ""
	if key == "" {
		key = statusKey(status) // every refusal says why, if only in general words
	}
	if key != "" {
		msg = cat.T(key, localArgs(lang, args)...)
		if ve != nil {
			msg = cat.T(key, ve.Args...)
		}
		if ce != nil {
			msg = cat.T(key, formatDate(lang, capResets(ce)))
		}
		if te != nil {
			msg = cat.T("tier.need." + te.Action + "." + string(te.Need))
		}
	}
	title := cat.T("error.title." + strconv.Itoa(status))
	if title == "error.title."+strconv.Itoa(status) {
		title = cat.T("error.title.default")
	}
	if wantsJSON(c) || isAPI(c) {
		if msg == "" {
			msg = title
		}
		return jsonError(c, status, errorCode(status, key), msg, field)
	}
	page := errorPage{base: s.base(c, title), Status: status, Message: msg}
	if te != nil {
		page.Tier = te.Need
	}
	body, rerr := s.views.render(lang, "error", page)
	if rerr != nil {
		s.log.Error("render error page", "err", rerr)
		return c.Status(status).SendString(http.StatusText(status))
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(status).Send(body)
}

// refusalStatus is the status of a refusal of kind err.
func refusalStatus(err error) int {
	switch {
	case errors.Is(err, forum.ErrNotFound):
		return fiber.StatusNotFound
	case errors.Is(err, forum.ErrConflict), errors.Is(err, forum.ErrInvalidState):
		return fiber.StatusConflict
	}
	return fiber.StatusForbidden
}

// statusKey is the catalog key of the message of an error that brought no
// reason of its own: a sentence for its status, "" when its title says all.
func statusKey(status int) string {
	switch status {
	case fiber.StatusBadRequest:
		return "err.bad_request"
	case fiber.StatusForbidden:
		return "err.forbidden"
	case fiber.StatusNotFound:
		return "err.not_found"
	case fiber.StatusMethodNotAllowed:
		return "err.method_not_allowed"
	case fiber.StatusConflict:
		return "err.conflict"
	case fiber.StatusRequestEntityTooLarge:
		return "err.too_large"
	case fiber.StatusTooManyRequests:
		return "err.rate_limited"
	case fiber.StatusServiceUnavailable:
		return "err.unavailable"
	}
	if status >= 500 {
		return "err.internal"
	}
	return ""
}

// localArgs are a message's arguments as people read them in lang: times
// in the viewer's calendar, the rest as they are.
func localArgs(lang string, args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if t, ok := a.(time.Time); ok {
			a = formatDate(lang, t)
		}
		out[i] = a
	}
	return out
}

type errorPage struct {
	base
	Status  int
	Message string
	Tier    forum.Tier // the tier a refused action needs: the page offers the way to it
}

func wantsJSON(c *fiber.Ctx) bool {
	return strings.Contains(c.Get(fiber.HeaderAccept), fiber.MIMEApplicationJSON)
}

// isAPI reports whether a request is for the JSON API, whose errors are
// JSON whatever the client accepts (the router ignores case).
func isAPI(c *fiber.Ctx) bool {
	p := c.Path()
	return len(p) >= len("/api/") && strings.EqualFold(p[:len("/api/")], "/api/")
}

// jsonError writes the one shape of every JSON error the site sends:
//
//	{"error": {"status": 400, "code": "invalid_parameter", "message": "…", "field": "body"}}
//
// status repeats the HTTP status; code is a stable word for programs;
// message is for people, never an internal error's text; field, only when a
// form field is at fault, names it.
func jsonError(c *fiber.Ctx, status int, code, message, field string) error {
	type body struct {
		Status  int    `json:"status"`
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	}
	return c.Status(status).JSON(struct {
		Error body `json:"error"`
	}{body{status, code, message, field}})
}

// errorCode is the code of a JSON error the error handler sends: its
// catalog key without "err." ("csrf", "cap_reached", "title_length"), or,
// for an error without one, a word for its status.
func errorCode(status int, key string) string {
	if code, ok := strings.CutPrefix(key, "err."); ok {
		return code
	}
	switch status {
	case fiber.StatusBadRequest:
		return "bad_request"
	case fiber.StatusUnauthorized:
		return "unauthorized"
	case fiber.StatusForbidden:
		return "forbidden"
	case fiber.StatusNotFound:
		return "not_found"
	case fiber.StatusMethodNotAllowed:
		return "method_not_allowed"
	case fiber.StatusConflict:
		return "conflict"
	case fiber.StatusRequestEntityTooLarge:
		return "too_large"
	case fiber.StatusTooManyRequests:
		return "rate_limited"
	case fiber.StatusServiceUnavailable:
		return "unavailable"
	}
	if status >= 500 {
		return "internal"
	}
	return "error"
}
