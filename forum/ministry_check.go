package forum

import (
	"regexp"
	"unicode/utf8"
)

// Limits of a ministry's record, as the admin pages and the command line check them.
const (
	MinistryNameMax        = 100
	MinistryDescriptionMax = 1000
)

// ministrySlug is a ministry's address name: lower-case letters, digits and hyphens.
var ministrySlug = regexp.MustCompile(`^[a-z0-9-]{2,30}$`)

// Validate checks a ministry's record: its slug (only when creating, since
// a slug never changes), its names (Korean and English required, Chinese
// optional) and its description. It returns ValidationErrors, or nil.
func (m Ministry) Validate(creating bool) error {
	var errs ValidationErrors
	if creating && !ministrySlug.MatchString(m.Slug) {
		errs = append(errs, Invalid("slug", "err.ministry_slug"))
	}
	for _, f := range []struct {
		field, value, key string
		required          bool
	}{{"name_ko", m.NameKO, "err.ministry_name_ko", true}, {"name_en", m.NameEN, "err.ministry_name_en", true},
		{"name_zh", m.NameZH, "err.ministry_name_zh", false}} {
		if n := utf8.RuneCountInString(f.value); (f.required && n == 0) || n > MinistryNameMax {
			errs = append(errs, Invalid(f.field, f.key, MinistryNameMax))
		}
	}
	if utf8.RuneCountInString(m.Description) > MinistryDescriptionMax {
		errs = append(errs, Invalid("description", "err.ministry_description", MinistryDescriptionMax))
	}
	return errs.Err()
}
