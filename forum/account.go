package forum

import (
	"strings"
	"unicode/utf8"
)

// Registration is what a new citizen submits. Name is expected already
// normalised with moderation.PlainText.
type Registration struct {
	Name     string
	Email    string
	Password string
}

// PasswordChecker tells whether a password is too common to allow. It adds
// to the strength check every password passes (PasswordScore), which is
// built in.
type PasswordChecker interface {
	Common(password string) bool
}

// NormalizeEmail lower-cases and trims an e-mail address for storage and lookup.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Validate checks a registration and returns every problem at once.
// impersonates reports whether a name could pass for staff.
func (r Registration) Validate(common PasswordChecker, impersonates func(string) bool) error {
	var errs ValidationErrors
	for _, ve := range []*ValidationError{checkName(r.Name, impersonates), checkEmail(r.Email)} {
		if ve != nil {
			errs = append(errs, ve)
		}
	}
	errs = append(errs, checkPassword(r.Password, r.Email, r.Name, common)...)
	return errs.Err()
}

func checkPassword(pw, email, name string, common PasswordChecker) ValidationErrors {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < PasswordMin:
		return ValidationErrors{Invalid("password", "err.password_short", PasswordMin)}
	case n > PasswordMax:
		return ValidationErrors{Invalid("password", "err.password_long", PasswordMax)}
	case common != nil && common.Common(pw):
		return ValidationErrors{Invalid("password", "err.password_common")}
	case strings.EqualFold(pw, email) || strings.EqualFold(pw, name):
		return ValidationErrors{Invalid("password", "err.password_personal")}
	case PasswordScore(pw, personalWords(email, name)...) < PasswordMinScore:
		return ValidationErrors{Invalid("password", "err.password_weak")}
	}
	return nil
}

// personalWords are the words of a user's own that a password should not
// lean on: the e-mail, its local part and its domain's first label, the
// name and each word of it.
func personalWords(email, name string) []string {
	words := append([]string{email, name}, strings.Fields(name)...)
	if local, domain, ok := strings.Cut(email, "@"); ok {
		host, _, _ := strings.Cut(domain, ".")
		words = append(words, local, host)
	}
	return words
}
