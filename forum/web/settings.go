package web

import (
	"errors"
	"strconv"
	"strings"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
	"github.com/gofiber/fiber/v2"
)

// settingSections groups the settings as the administrators' page shows
// them: each section's id (its heading is settings.section.<id>) and keys.
// Every one of forum.SettingKeys is in exactly one (TestAdminSettings_PageShowsEverySetting).
func settingSections() []struct {
	ID   string
	Keys []string
} {
	var tiers, caps []string
	for _, t := range (forum.ActionTiers{}).List() {
		tiers = append(tiers, t.Key)
	}
	for _, c := range (forum.DailyCaps{}).List() {
		caps = append(caps, c.Key)
	}
	return []struct {
		ID   string
		Keys []string
	}{
		{"proposals", []string{forum.SettingSponsorThreshold, forum.SettingSupportThreshold, forum.SettingSupportWindow, forum.SettingResponseDays,
			forum.SettingEditReviewPercent, forum.SettingAnswerObjections}},
		{"tiers", tiers},
		{"caps", caps},
		{"moderation", []string{forum.SettingAutoHide, forum.SettingBannedTerms}},
		{"privacy", []string{forum.SettingSessionDays, forum.SettingInactiveDays, forum.SettingInactiveNoticeDays}},
		{"requests", requestSettingKeys()},
	}
}

// requestSettingKeys are the civil requests' settings, as their section
// lists them: each kind's processing period, then the objection's window
// and period.
func requestSettingKeys() []string {
	var keys []string
	for _, k := range forum.RequestKinds() {
		keys = append(keys, forum.SettingRequestDaysPrefix+string(k))
	}
	return append(keys, forum.SettingObjectionWindowDays, forum.SettingObjectionWorkingDays)
}

// settingLabel is the catalog key of a setting's label: the caps', the
// auto-hide count's and the banned terms' labels predate this page.
func settingLabel(key string) string {
	for _, c := range (forum.DailyCaps{}).List() {
		if c.Key == key {
			return "admin.cap." + c.Name
		}
	}
	for _, t := range (forum.ActionTiers{}).List() {
		if t.Key == key {
			return "admin.tier." + t.Action
		}
	}
	switch key {
	case forum.SettingAutoHide:
		return "admin.auto_hide"
	case forum.SettingBannedTerms:
		return "admin.banned_terms"
	}
	return "settings.label." + key
}

// settingUnit is what a number setting counts: days, working days, people, a percentage or items.
func settingUnit(k forum.SettingKey) string {
	switch {
	case strings.HasPrefix(k.Key, forum.SettingRequestDaysPrefix), k.Key == forum.SettingObjectionWorkingDays:
		return "workdays"
	case k.Days:
		return "days"
	case k.Key == forum.SettingEditReviewPercent:
		return "percent"
	case k.Key == forum.SettingSponsorThreshold, k.Key == forum.SettingSupportThreshold, k.Key == forum.SettingAutoHide,
		k.Key == forum.SettingAnswerObjections:
		return "people"
	}
	return "items"
}

// settingField is one setting on the page; its input is named by Key and
// has the id f-<Key>, which the error summary links to.
type settingField struct {
	Key     string
	Label   string // catalog key
	Hint    string // catalog key, "" when there is none
	Unit    string // days, workdays, people or items; "" for a text setting
	Min     int
	Max     int
	Range   string       // the bounds in words
	Value   string       // as typed, or the current value
	Current string       // the value in force, in words
	Error   string       // translated
	Tiers   []forum.Tier // the choices of a tier setting
	Text    bool         // the banned terms' text area
}

type settingSection struct {
	ID     string
	Fields []settingField
}

type settingsPage struct {
	base
	Version  string // of the settings the form shows (forum.Settings.Version)
	Conflict bool   // the settings changed while the form was being filled in
	Sections []settingSection
	Tiers    []forum.Tier // for the tiers' explanation
	Form     formState    // the error summary
}

// settingsPageFor builds the page from the settings in force, values as
// typed (nil: the values in force) and their problems.
func (s *Server) settingsPageFor(c *fiber.Ctx, typed map[string]string, errs []fieldError) settingsPage {
	st := s.store.Settings()
	current := st.Values()
	keys := map[string]forum.SettingKey{}
	for _, k := range forum.SettingKeys() {
		keys[k.Key] = k
	}
	f := formState{Values: typed, Errors: errs}
	p := settingsPage{base: s.base(c, s.t(c, "settings.title")), Version: st.Version(), Tiers: forum.Tiers(), Form: f}
	for _, sec := range settingSections() {
		out := settingSection{ID: sec.ID}
		for _, key := range sec.Keys {
			k := keys[key]
			cur := current[key]
			fd := settingField{Key: key, Label: settingLabel(key), Value: cur, Error: f.Err(key),
				Min: k.Min, Max: k.Max, Text: k.Text && k.Choices == nil}
			if v, ok := typed[key]; ok {
				fd.Value = v
			}
			switch {
			case k.Choices != nil:
				fd.Tiers = forum.Tiers()
				fd.Current = s.t(c, "tier."+cur)
			case k.Text:
				fd.Hint = "admin.banned_terms_hint"
				fd.Range = s.t(c, "settings.range.terms", formatNumber(k.Max))
				fd.Current = s.t(c, "settings.terms_count", formatNumber(len(moderation.ParseTerms(cur))))
				if cur == "" { // an empty list stands for moderation's defaults (contentRules)
					fd.Current = s.t(c, "settings.terms_default")
				}
			default:
				fd.Unit = settingUnit(k)
				fd.Hint = "settings.hint." + key
				fd.Range = s.t(c, "settings.range."+fd.Unit, formatNumber(k.Min), formatNumber(k.Max))
				n, _ := strconv.Atoi(cur)
				fd.Current = s.amount(c, fd.Unit, n)
			}
			out.Fields = append(out.Fields, fd)
		}
		p.Sections = append(p.Sections, out)
	}
	return p
}

// amount says n of unit (days, people or items) in the viewer's language.
func (s *Server) amount(c *fiber.Ctx, unit string, n int) string {
	if n == 1 {
		return s.t(c, "settings.amount_one."+unit)
	}
	return s.t(c, "settings.amount."+unit, formatNumber(n))
}

func (s *Server) handleAdminSettings(c *fiber.Ctx) error {
	return s.page(c, fiber.StatusOK, "admin_settings", s.settingsPageFor(c, nil, nil))
}

// handleAdminSettingsSave saves the settings form, whose fields are named
// by setting key; every key is on the form, so a missing one is an empty
// value and refused. Every problem comes back at once: a 400 with the form
// as typed and each message beside its field, and nothing saved. A form
// filled in from settings another administrator has changed since is a 409,
// shown again as typed beside the values now in force, and nothing saved.
// A saved change is in force for the next request and logged publicly by role.
func (s *Server) handleAdminSettingsSave(c *fiber.Ctx) error {
	typed := map[string]string{}
	values := map[string]string{}
	for _, k := range forum.SettingKeys() {
		v := c.FormValue(k.Key)
		typed[k.Key] = v
		if k.Key == forum.SettingBannedTerms {
			v = strings.Join(moderation.ParseTerms(v), "\n")
		}
		values[k.Key] = v
	}
	changed, err := s.store.ChangeSettings(c.UserContext(), currentUser(c), c.FormValue("version"), values)
	if errors.Is(err, forum.ErrConflict) {
		p := s.settingsPageFor(c, typed, nil)
		p.Conflict = true
		return s.page(c, fiber.StatusConflict, "admin_settings", p)
	}
	var ves forum.ValidationErrors
	if errors.As(err, &ves) {
		var errs []fieldError
		for _, ve := range ves {
			args := make([]any, len(ve.Args))
			for i, a := range ve.Args {
				if n, ok := a.(int); ok {
					a = formatNumber(n)
				}
				args[i] = a
			}
			errs = append(errs, fieldError{Field: ve.Field, Message: s.t(c, ve.Key, args...)})
		}
		return s.page(c, fiber.StatusBadRequest, "admin_settings", s.settingsPageFor(c, typed, errs))
	}
	if err != nil {
		return err
	}
	if len(changed) == 0 {
		s.flash(c, "flash.settings_unchanged")
	} else {
		s.flash(c, "flash.settings_saved")
	}
	return c.Redirect("/admin/settings", fiber.StatusSeeOther)
}

// handleAdminModeration sends the old moderation settings page to the
// settings page's moderation section, where its fields now are.
func (s *Server) handleAdminModeration(c *fiber.Ctx) error {
	return c.Redirect("/admin/settings#settings-moderation", fiber.StatusMovedPermanently)
}

// settingChange is one changed setting of a settings_changed log row.
type settingChange struct {
	Label         string // translated
	Before, After string // as the reader's language writes them
}

// settingChanges reads the key=value pairs of a settings_changed row's
// before and after (store.ChangeSettings) for the public log.
func settingChanges(cat catalog, before, after string) []settingChange {
	parse := func(s string) (keys []string, vals map[string]string) {
		vals = map[string]string{}
		for _, pair := range strings.Fields(s) {
			k, v, _ := strings.Cut(pair, "=")
			keys = append(keys, k)
			vals[k] = v
		}
		return keys, vals
	}
	word := func(v string) string {
		if n, err := strconv.Atoi(v); err == nil {
			return formatNumber(n)
		}
		if forum.Tier(v).Valid() {
			return cat.T("tier." + v)
		}
		return v
	}
	_, was := parse(before)
	keys, now := parse(after)
	out := make([]settingChange, 0, len(keys))
	for _, k := range keys {
		out = append(out, settingChange{Label: cat.T(settingLabel(k)), Before: word(was[k]), After: word(now[k])})
	}
	return out
}
