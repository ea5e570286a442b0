package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
)

// errBadJSON is what jsonFields returns for any body it refuses.
var errBadJSON = errors.New("request body is not a JSON object of text, number and true/false values")

// jsonField is one member of a JSON request body, as a form field.
type jsonField struct{ Name, Value string }

// jsonFields reads body, a JSON object whose values are strings, numbers or
// booleans, as form fields in the order written: numbers keep their JSON
// spelling, true and false become "1" and "0" (what a checked and an
// unchecked box mean to the handlers), and a name given twice becomes a
// repeated field, as in a form. It refuses, with errBadJSON, anything else:
// invalid UTF-8, an escaped lone UTF-16 surrogate (which has no UTF-8 form),
// a top level that is not an object, nested objects and arrays, null, and
// anything after the object.
func jsonFields(body []byte) ([]jsonField, error) {
	if !utf8.Valid(body) || loneSurrogate(body) {
		return nil, errBadJSON
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errBadJSON
	}
	var out []jsonField
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, errBadJSON
		}
		name, ok := k.(string)
		if !ok {
			return nil, errBadJSON
		}
		v, err := dec.Token()
		if err != nil {
			return nil, errBadJSON
		}
		f := jsonField{Name: name}
		switch v := v.(type) {
		case string:
			f.Value = v
		case json.Number:
			f.Value = v.String()
		case bool:
			f.Value = "0"
			if v {
				f.Value = "1"
			}
		default: // null, or the start of an object or array
			return nil, errBadJSON
		}
		out = append(out, f)
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, errBadJSON
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errBadJSON
	}
	return out, nil
}

// loneSurrogate reports whether body, JSON text, escapes half of a UTF-16
// surrogate pair without the other half (such as "\ud800"), which
// encoding/json would silently turn into U+FFFD.
func loneSurrogate(body []byte) bool {
	hex4 := func(b []byte) (rune, bool) {
		if len(b) < 4 {
			return 0, false
		}
		var r rune
		for _, c := range b[:4] {
			switch {
			case c >= '0' && c <= '9':
				r = r<<4 | rune(c-'0')
			case c >= 'a' && c <= 'f':
				r = r<<4 | rune(c-'a'+10)
			case c >= 'A' && c <= 'F':
				r = r<<4 | rune(c-'A'+10)
			default:
				return 0, false
			}
		}
		return r, true
	}
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' || i+1 >= len(body) {
			continue
		}
		if body[i+1] != 'u' {
			i++ // an escaped character, a backslash included
			continue
		}
		r, ok := hex4(body[i+2:])
		if !ok {
			continue // not JSON: the decoder refuses it
		}
		i += 5
		switch {
		case r >= 0xDC00 && r <= 0xDFFF:
			return true
		case r >= 0xD800 && r <= 0xDBFF:
			rest := body[i+1:]
			if len(rest) < 6 || rest[0] != '\\' || rest[1] != 'u' {
				return true
			}
			lo, ok := hex4(rest[2:])
			if !ok || lo < 0xDC00 || lo > 0xDFFF {
				return true
			}
			i += 6
		}
	}
	return false
}

// encodeForm writes fields as an application/x-www-form-urlencoded body.
func encodeForm(fields []jsonField) string {
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(f.Name))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(f.Value))
	}
	return b.String()
}

// isJSONContent reports whether a Content-Type header names JSON.
func isJSONContent(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), fiber.MIMEApplicationJSON)
}

// parseJSONBody lets scripts send any form as a JSON object instead: a POST
// with Content-Type application/json has its body read by jsonFields and
// rewritten as the equivalent form, so every handler reads it unchanged
// (and the CSRF token is still required, in the X-CSRF-Token header or the
// _csrf member). A body it cannot read gets 400 and reaches no handler.
func (s *Server) parseJSONBody(c *fiber.Ctx) error {
	if c.Method() != fiber.MethodPost || !isJSONContent(c.Get(fiber.HeaderContentType)) {
		return c.Next()
	}
	body := c.Request().Body()
	if !utf8.Valid(body) {
		return fiber.NewError(fiber.StatusBadRequest, "err.bad_utf8")
	}
	fields, err := jsonFields(body)
	if err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "err.bad_json")
	}
	c.Request().Header.SetContentType(fiber.MIMEApplicationForm)
	c.Request().SetBodyString(encodeForm(fields))
	return c.Next()
}
