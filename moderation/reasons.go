package moderation

// ReportReason is why a user reports a proposal, comment or account. Its
// value is the code stored with the report.
type ReportReason string

// Report reasons, in the order a report form lists them.
const (
	ReportSpam     ReportReason = "spam"     // spam or advertising
	ReportAbuse    ReportReason = "abuse"    // abuse or harassment
	ReportPersonal ReportReason = "personal" // someone's personal information
	ReportOfftopic ReportReason = "offtopic" // off topic
	ReportIllegal  ReportReason = "illegal"  // illegal content
	ReportMisinfo  ReportReason = "misinfo"  // misinformation
	ReportOther    ReportReason = "other"    // anything else, explained in the report's text
)

// AllReportReasons returns every report reason in display order.
func AllReportReasons() []ReportReason {
	return []ReportReason{ReportSpam, ReportAbuse, ReportPersonal, ReportOfftopic,
		ReportIllegal, ReportMisinfo, ReportOther}
}

// Valid reports whether r is one of AllReportReasons.
func (r ReportReason) Valid() bool {
	switch r {
	case ReportSpam, ReportAbuse, ReportPersonal, ReportOfftopic, ReportIllegal, ReportMisinfo, ReportOther:
		return true
	}
	return false
}

// NeedsText reports whether a report for reason r must explain itself in
// text: only ReportOther does.
func (r ReportReason) NeedsText() bool { return r == ReportOther }

// Key returns the message-catalog key naming r, such as "report.reason.spam".
func (r ReportReason) Key() string { return "report.reason." + string(r) }

// HideReason is the public reason given when moderators hide content. Its
// value is the code stored with the item and shown in the moderation log.
type HideReason string

// Hide reasons, in the order a moderator's form lists them.
const (
	HideDuplicate    HideReason = "duplicate"     // a duplicate of another post
	HideOffensive    HideReason = "offensive"     // offensive language
	HidePersonalData HideReason = "personal_data" // exposes personal data
	HideSpam         HideReason = "spam"          // advertising or spam
	HideOfftopic     HideReason = "offtopic"      // off topic
	HideIllegal      HideReason = "illegal"       // illegal content
	HideDefamatory   HideReason = "defamatory"    // false or defamatory
)

// AllHideReasons returns every hide reason in display order.
func AllHideReasons() []HideReason {
	return []HideReason{HideDuplicate, HideOffensive, HidePersonalData, HideSpam,
		HideOfftopic, HideIllegal, HideDefamatory}
}

// Valid reports whether h is one of AllHideReasons.
func (h HideReason) Valid() bool {
	switch h {
	case HideDuplicate, HideOffensive, HidePersonalData, HideSpam, HideOfftopic, HideIllegal, HideDefamatory:
		return true
	}
	return false
}

// Key returns the message-catalog key naming h, such as "hide.reason.spam".
func (h HideReason) Key() string { return "hide.reason." + string(h) }

// Action is what the content rules decide for a new post.
type Action string

// Actions, from the mildest to the strictest.
const (
	Publish Action = "publish" // show the post now
	Hold    Action = "hold"    // keep the post from view until a moderator approves it
	Reject  Action = "reject"  // refuse the post and tell the author why
)

// AllActions returns every action in display order, mildest first.
func AllActions() []Action { return []Action{Publish, Hold, Reject} }

// Valid reports whether a is one of AllActions.
func (a Action) Valid() bool { return a == Publish || a == Hold || a == Reject }

// Key returns the message-catalog key naming a, such as "moderation.action.hold".
func (a Action) Key() string { return "moderation.action." + string(a) }

// severity orders actions: Reject wins over Hold, which wins over Publish.
func (a Action) severity() int {
	switch a {
	case Hold:
		return 1
	case Reject:
		return 2
	}
	return 0
}
