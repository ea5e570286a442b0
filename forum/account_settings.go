package forum

import (
	"net/mail"
	"unicode/utf8"
)

// ValidateNewPassword checks a password someone chooses for an existing
// account (a reset, a change) by the rules registration applies: length,
// the common-password list, strength, and not leaning on the account's own
// e-mail or name.
func ValidateNewPassword(password, email, name string, common PasswordChecker) error {
	return checkPassword(password, email, name, common).Err()
}

// ValidateName checks a display name by registration's rules: NameMin to
// NameMax characters and, when impersonates is not nil, nothing that could
// pass for staff. Staff accounts are checked with a nil impersonates: their
// names may say what they are.
func ValidateName(name string, impersonates func(string) bool) error {
	if ve := checkName(name, impersonates); ve != nil {
		return ve
	}
	return nil
}

func checkName(name string, impersonates func(string) bool) *ValidationError {
	if n := utf8.RuneCountInString(name); n < NameMin || n > NameMax {
		return Invalid("name", "err.name_length", NameMin, NameMax)
	}
	if impersonates != nil && impersonates(name) {
		return Invalid("name", "err.name_reserved")
	}
	return nil
}

// ValidateEmail checks an address the way registration does: one plain
// address (already normalised with NormalizeEmail) of at most 254 bytes.
func ValidateEmail(email string) error {
	if ve := checkEmail(email); ve != nil {
		return ve
	}
	return nil
}

func checkEmail(email string) *ValidationError {
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		return Invalid("email", "err.email_invalid")
	}
	return nil
}
