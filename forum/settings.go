package forum

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/e-people/e-people/moderation"
)

// Settings are the forum's rules that administrators tune while it runs.
// The store loads them once when it opens and keeps a copy: readers get a
// value copy and never read the settings table, and SetSettings checks a
// change against SettingKeys, writes it in one transaction and then
// refreshes the copy, so the next request sees it. The copy is per process:
// when several nodes serve one forum (issue 15), a node sees another node's
// change only after it refreshes; a later step refreshes every node's copy
// on a bus event.
type Settings struct {
	SponsorThreshold int        // co-sponsors a proposal needs before it opens
	Thresholds       Thresholds // what obliges a ministry to answer
	AutoHide         int        // distinct reporters whose reports hide an item pending review
	// BannedTerms are the administrators' banned terms in moderation.ParseTerms's
	// format; empty means moderation's defaults.
	BannedTerms string
	Caps        DailyCaps   // what one citizen may do in a day
	Tiers       ActionTiers // the account tier each action needs
	// SessionLifetime is how long a sign-in lasts.
	SessionLifetime time.Duration
	// InactiveAfter is how long an account may go without a sign-in or a
	// visit before it is anonymised (PIPA's default is one year); a notice
	// is mailed InactiveNotice before.
	InactiveAfter  time.Duration
	InactiveNotice time.Duration
	// RequestDays is each kind of civil request's legal processing period,
	// in working days.
	RequestDays RequestPeriods
	// ObjectionWindow is how long after an answer its filer may object to it
	// (calendar days; 90 under the Civil Petitions Act art. 35).
	ObjectionWindow time.Duration
	// ObjectionDays is the period, in working days, for answering an
	// objection (10 under art. 35).
	ObjectionDays int
	// EditReviewPercent is the share of a proposal's text (in percent) that
	// an edit may change, once the proposal has reached its support
	// threshold, before a moderator must approve the edit for it to be shown.
	EditReviewPercent int
	// AnswerObjections is how many supporters' objections to a ministry's
	// answer, within AnswerObjectionWindow of it, send the proposal back for
	// a second answer.
	AnswerObjections int
}

// AnswerObjectionWindow is how long after a ministry's answer to a proposal
// its supporters may object to it.
const AnswerObjectionWindow = 14 * 24 * time.Hour

// DailyCaps are the most one citizen may do of each activity in a day
// (Korea time); staff are not capped.
type DailyCaps struct {
	Proposals        int
	Comments         int
	Supports         int
	Reports          int
	CommentsFirstDay int // comments on the account's first day, within Comments
}

// Setting keys: the names under which settings are stored. SettingKeys
// lists each with what it accepts.
const (
	SettingSponsorThreshold    = "sponsor_threshold"
	SettingSupportThreshold    = "support_threshold"
	SettingSupportWindow       = "support_window_days"
	SettingResponseDays        = "response_days"
	SettingAutoHide            = "auto_hide_reports"
	SettingBannedTerms         = "banned_terms"
	SettingCapProposals        = "cap_proposals"
	SettingCapComments         = "cap_comments"
	SettingCapSupports         = "cap_supports"
	SettingCapReports          = "cap_reports"
	SettingCapCommentsFirstDay = "cap_comments_first_day"
	SettingTierPropose         = "tier_propose"
	SettingTierSupport         = "tier_support"
	SettingTierSponsor         = "tier_sponsor"
	SettingTierComment         = "tier_comment"
	SettingSessionDays         = "session_days"
	SettingInactiveDays        = "inactive_days"
	SettingInactiveNoticeDays  = "inactive_notice_days"
	// SettingRequestDaysPrefix, followed by a RequestKind, is that kind's
	// processing period in working days ("request_days_inquiry").
	SettingRequestDaysPrefix    = "request_days_"
	SettingObjectionWindowDays  = "objection_window_days"
	SettingObjectionWorkingDays = "objection_working_days"
	SettingEditReviewPercent    = "edit_review_percent"
	SettingAnswerObjections     = "answer_objections"
)

// ActSettingsChanged is the public moderation log's action for an
// administrator's change of the settings; its item is ItemSettings, id 0.
const ActSettingsChanged = "settings_changed"

// ItemSettings is the item of a settings change in the moderation log: the
// forum's settings as a whole. It is never reported or reviewed.
const ItemSettings ItemKind = "settings"

// TermsDigest stands for a list of banned terms in the public log: its
// length in bytes and the first 12 hex digits of its SHA-256, enough to see
// that it changed and to match it to a copy, without publishing the terms.
func TermsDigest(terms string) string {
	sum := sha256.Sum256([]byte(terms))
	return strconv.Itoa(len(terms)) + "B#" + hex.EncodeToString(sum[:6])
}

// ErrUnknownSetting is returned for a key that is not one of SettingKeys.
var ErrUnknownSetting = errors.New("unknown setting")

// BannedTermsMax is the longest list of banned terms, in bytes.
const BannedTermsMax = 100000

// DefaultSettings are the settings of a fresh forum.
func DefaultSettings() Settings {
	return Settings{
		SponsorThreshold:  DefaultRules.SponsorThreshold,
		Thresholds:        DefaultThresholds,
		AutoHide:          3,
		BannedTerms:       strings.Join(moderation.DefaultRules().BannedTerms, "\n"),
		Caps:              DailyCaps{Proposals: 3, Comments: 60, Supports: 200, Reports: 20, CommentsFirstDay: 10},
		Tiers:             DefaultActionTiers,
		SessionLifetime:   30 * 24 * time.Hour,
		InactiveAfter:     365 * 24 * time.Hour,
		InactiveNotice:    30 * 24 * time.Hour,
		RequestDays:       RequestPeriods{Inquiry: 7, LawInquiry: 14, Suggestion: 14, Grievance: 7, Other: 7},
		ObjectionWindow:   90 * 24 * time.Hour,
		ObjectionDays:     10,
		EditReviewPercent: 30,
		AnswerObjections:  50,
	}
}

// SettingKey is one stored setting: its key, the values it accepts, and the
// field of Settings it fills.
type SettingKey struct {
	Key  string
	Text bool // a text setting; otherwise a whole number
	// Choices are the only values a text setting with choices accepts.
	Choices  []string
	Min, Max int  // the numbers a number setting accepts; the longest text, in bytes, for a text setting (Max)
	Days     bool // a number of days
	// Message is the catalog key of the message that refuses a value out of
	// bounds; a number's message takes Min and Max as its arguments.
	Message string
	get     func(*Settings) string
	set     func(*Settings, string) bool // false when the value does not parse
}

// SettingKeys lists every setting, in the order SetSettings checks them.
func SettingKeys() []SettingKey {
	const day = 24 * time.Hour
	tiers := make([]string, 0, 3)
	for _, t := range Tiers() {
		tiers = append(tiers, string(t))
	}
	tier := func(key string, field func(*Settings) *Tier) SettingKey {
		return SettingKey{Key: key, Text: true, Choices: tiers, Max: 32, Message: "err.bad_tier",
			get: func(s *Settings) string { return string(*field(s)) },
			set: func(s *Settings, v string) bool {
				if !Tier(v).Valid() {
					return false
				}
				*field(s) = Tier(v)
				return true
			}}
	}
	num := func(key string, lo, hi int, field func(*Settings) *int) SettingKey {
		return SettingKey{Key: key, Min: lo, Max: hi, Message: "settings.err.range",
			get: func(s *Settings) string { return strconv.Itoa(*field(s)) },
			set: func(s *Settings, v string) bool {
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 {
					return false
				}
				*field(s) = n
				return true
			}}
	}
	daysIn := func(key string, lo, hi int, field func(*Settings) *time.Duration) SettingKey {
		return SettingKey{Key: key, Min: lo, Max: hi, Days: true, Message: "settings.err.range",
			get: func(s *Settings) string { return strconv.Itoa(int(*field(s) / day)) },
			set: func(s *Settings, v string) bool {
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 {
					return false
				}
				*field(s) = time.Duration(n) * day
				return true
			}}
	}
	// A cap goes up to a billion, which lifts it in practice (the load
	// generator does); the auto-hide count up to 100,000. Both are at least 1.
	const capMax = 1_000_000_000
	return []SettingKey{
		{Key: SettingBannedTerms, Text: true, Max: BannedTermsMax, Message: "err.terms_too_long",
			get: func(s *Settings) string { return s.BannedTerms },
			set: func(s *Settings, v string) bool { s.BannedTerms = v; return true }},
		num(SettingAutoHide, 1, 100000, func(s *Settings) *int { return &s.AutoHide }),
		num(SettingCapProposals, 1, capMax, func(s *Settings) *int { return &s.Caps.Proposals }),
		num(SettingCapComments, 1, capMax, func(s *Settings) *int { return &s.Caps.Comments }),
		num(SettingCapSupports, 1, capMax, func(s *Settings) *int { return &s.Caps.Supports }),
		num(SettingCapReports, 1, capMax, func(s *Settings) *int { return &s.Caps.Reports }),
		num(SettingCapCommentsFirstDay, 1, capMax, func(s *Settings) *int { return &s.Caps.CommentsFirstDay }),
		num(SettingSponsorThreshold, 0, capMax, func(s *Settings) *int { return &s.SponsorThreshold }),
		num(SettingSupportThreshold, 0, capMax, func(s *Settings) *int { return &s.Thresholds.Supports }),
		// A proposal's window and a ministry's time to answer are at least a day.
		daysIn(SettingSupportWindow, 1, 36500, func(s *Settings) *time.Duration { return &s.Thresholds.Window }),
		daysIn(SettingResponseDays, 1, 36500, func(s *Settings) *time.Duration { return &s.Thresholds.ResponseIn }),
		tier(SettingTierPropose, func(s *Settings) *Tier { return &s.Tiers.Propose }),
		tier(SettingTierSupport, func(s *Settings) *Tier { return &s.Tiers.Support }),
		tier(SettingTierSponsor, func(s *Settings) *Tier { return &s.Tiers.Sponsor }),
		tier(SettingTierComment, func(s *Settings) *Tier { return &s.Tiers.Comment }),
		daysIn(SettingSessionDays, 1, 365, func(s *Settings) *time.Duration { return &s.SessionLifetime }),
		daysIn(SettingInactiveDays, 30, 36500, func(s *Settings) *time.Duration { return &s.InactiveAfter }),
		daysIn(SettingInactiveNoticeDays, 1, 365, func(s *Settings) *time.Duration { return &s.InactiveNotice }),
		// A request's period is at least RequestDaysMin working days and at
		// most about a year of them; the objection window at least a week.
		requestDays(RequestInquiry), requestDays(RequestLawInquiry), requestDays(RequestSuggestion),
		requestDays(RequestGrievance), requestDays(RequestOther),
		daysIn(SettingObjectionWindowDays, 7, 3650, func(s *Settings) *time.Duration { return &s.ObjectionWindow }),
		num(SettingObjectionWorkingDays, 1, 250, func(s *Settings) *int { return &s.ObjectionDays }),
		num(SettingEditReviewPercent, 1, 100, func(s *Settings) *int { return &s.EditReviewPercent }),
		num(SettingAnswerObjections, 1, capMax, func(s *Settings) *int { return &s.AnswerObjections }),
	}
}

// RequestDaysMin is the shortest processing period a kind of request may
// have, in working days: the Civil Petitions Act (art. 19(1)) counts a
// period of 5 days or fewer in hours, which workday.Calendar does not.
const RequestDaysMin = 6

// requestDays is the setting of kind's processing period, in working days.
func requestDays(kind RequestKind) SettingKey {
	return SettingKey{Key: SettingRequestDaysPrefix + string(kind), Min: RequestDaysMin, Max: 250, Message: "settings.err.range",
		get: func(s *Settings) string { return strconv.Itoa(*s.RequestDays.field(kind)) },
		set: func(s *Settings, v string) bool {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return false
			}
			*s.RequestDays.field(kind) = n
			return true
		}}
}

// RequestPeriods are the processing periods of the kinds of civil request,
// in working days.
type RequestPeriods struct {
	Inquiry, LawInquiry, Suggestion, Grievance, Other int
}

// Of returns kind's period in working days; an unknown kind has Other's.
func (p RequestPeriods) Of(kind RequestKind) int { return *p.field(kind) }

// field is where kind's period is kept in p.
func (p *RequestPeriods) field(kind RequestKind) *int {
	switch kind {
	case RequestInquiry:
		return &p.Inquiry
	case RequestLawInquiry:
		return &p.LawInquiry
	case RequestSuggestion:
		return &p.Suggestion
	case RequestGrievance:
		return &p.Grievance
	}
	return &p.Other
}

// Load returns s with the stored values applied, as the store reads them
// when it opens: an unknown key is ignored, and a value that does not parse
// (or is negative) keeps s's value, so a bad row never stops the forum.
func (s Settings) Load(stored map[string]string) Settings {
	for _, k := range SettingKeys() {
		if v, ok := stored[k.Key]; ok {
			k.set(&s, v)
		}
	}
	return s
}

// With checks values against SettingKeys and returns s with them applied.
// Every key must be a setting's (otherwise an error wrapping
// ErrUnknownSetting), every value within its bounds (numbers may have
// surrounding spaces), and the result must hold together (CrossCheck). It
// returns every problem at once, as ValidationErrors on the keys in the order
// of SettingKeys, and then applies nothing. It also returns the values as
// they are to be stored.
func (s Settings) With(values map[string]string) (Settings, map[string]string, error) {
	for key := range values {
		if !IsSetting(key) {
			return s, nil, fmt.Errorf("set %q: %w", key, ErrUnknownSetting)
		}
	}
	next := s
	out := make(map[string]string, len(values))
	var errs ValidationErrors
	for _, k := range SettingKeys() {
		v, ok := values[k.Key]
		if !ok {
			continue
		}
		if k.Text {
			if len(v) > k.Max || (k.Choices != nil && !slices.Contains(k.Choices, v)) {
				errs = append(errs, Invalid(k.Key, k.Message))
				continue
			}
		} else {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < k.Min || n > k.Max {
				errs = append(errs, Invalid(k.Key, k.Message, k.Min, k.Max))
				continue
			}
			v = strconv.Itoa(n)
		}
		k.set(&next, v)
		out[k.Key] = v
	}
	bad := map[string]bool{}
	for _, e := range errs {
		bad[e.Field] = true
	}
	errs = append(errs, next.crossCheck(values, bad)...)
	if errs != nil {
		return s, nil, errs
	}
	return next, out, nil
}

// CrossCheck returns the problems between settings that are each within
// their bounds but do not hold together: the first day's comment cap lies
// within the daily one, and the inactivity notice comes before the
// anonymisation it announces. Only pairs with a key in values are checked
// (a change elsewhere is never refused for them); each problem is on the key
// of the pair that values holds, the later one when it holds both.
func (s Settings) CrossCheck(values map[string]string) ValidationErrors {
	return s.crossCheck(values, nil)
}

// crossCheck is CrossCheck without the pairs that have a key in bad, whose
// value was refused on its own.
func (s Settings) crossCheck(values map[string]string, bad map[string]bool) ValidationErrors {
	const day = 24 * time.Hour
	var errs ValidationErrors
	check := func(first, second string, ok bool, message string, args ...any) {
		_, a := values[first]
		_, b := values[second]
		switch {
		case ok || !(a || b) || bad[first] || bad[second]:
		case b:
			errs = append(errs, Invalid(second, message, args...))
		default:
			errs = append(errs, Invalid(first, message, args...))
		}
	}
	check(SettingCapComments, SettingCapCommentsFirstDay, s.Caps.CommentsFirstDay <= s.Caps.Comments,
		"settings.err.first_day_cap", s.Caps.CommentsFirstDay, s.Caps.Comments)
	check(SettingInactiveDays, SettingInactiveNoticeDays, s.InactiveNotice < s.InactiveAfter,
		"settings.err.notice_before_inactive", int(s.InactiveNotice/day), int(s.InactiveAfter/day))
	return errs
}

// Changed returns the keys whose stored values differ between s and next,
// in the order of SettingKeys.
func (s Settings) Changed(next Settings) []string {
	var out []string
	for _, k := range SettingKeys() {
		if k.get(&s) != k.get(&next) {
			out = append(out, k.Key)
		}
	}
	return out
}

// Version identifies s: the start of a SHA-256 over every stored value. A
// form carries the version it was filled from, so that saving it over a
// change made meanwhile is noticed rather than undoing that change.
func (s Settings) Version() string {
	h := sha256.New()
	for _, k := range SettingKeys() {
		fmt.Fprintf(h, "%s=%d:%s\n", k.Key, len(k.get(&s)), k.get(&s))
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// Value returns the stored value of key in s, "" for an unknown key.
func (s Settings) Value(key string) string {
	for _, k := range SettingKeys() {
		if k.Key == key {
			return k.get(&s)
		}
	}
	return ""
}

// Values returns s as the stored values of SettingKeys.
func (s Settings) Values() map[string]string {
	out := map[string]string{}
	for _, k := range SettingKeys() {
		out[k.Key] = k.get(&s)
	}
	return out
}

// IsSetting reports whether key is one of SettingKeys.
func IsSetting(key string) bool {
	for _, k := range SettingKeys() {
		if k.Key == key {
			return true
		}
	}
	return false
}
