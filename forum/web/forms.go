package web

import (
	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
	"github.com/gofiber/fiber/v2"
)

// fieldError is one problem shown in a form's error summary and beside its field.
type fieldError struct {
	Field   string
	Message string
}

// formState carries what the user typed and what was wrong with it back to the form.
type formState struct {
	Values map[string]string
	Errors []fieldError
	// Previewed is set when the author asked to see the draft before
	// posting it (the Preview button, without script); Preview is then the
	// draft's text as it will be published (preview.go).
	Previewed bool
	Preview   moderation.Sanitized
}

// Err returns the message for field, or "".
func (f formState) Err(field string) string {
	for _, e := range f.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// V returns the value typed into field.
func (f formState) V(field string) string { return f.Values[field] }

// formErrors translates validation errors for the form; ok is false when err
// is not a validation error and must go to the error handler instead.
func (s *Server) formErrors(c *fiber.Ctx, err error) (errs []fieldError, ok bool) {
	ves, ok := forum.AsValidation(err)
	if !ok {
		return nil, false
	}
	for _, v := range ves {
		errs = append(errs, fieldError{Field: v.Field, Message: s.t(c, v.Key, v.Args...)})
	}
	return errs, true
}

func (s *Server) formError(c *fiber.Ctx, field, key string, args ...any) []fieldError {
	return []fieldError{{Field: field, Message: s.t(c, key, args...)}}
}
