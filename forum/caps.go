package forum

import "fmt"

// Capped activities: what a daily cap counts. store.Activity takes its
// values from these, and DailyCaps.Of maps each to its cap.
const (
	ActivityProposals = "proposals"
	ActivityComments  = "comments"
	ActivitySupports  = "supports"
	ActivityReports   = "reports"
)

// DailyCap is one of DailyCaps as the administrators' form edits it.
type DailyCap struct {
	Key   string // its setting key (SettingCap…), which is also the form field's name
	Name  string // the activity it caps, or comments_first_day; its label is admin.cap.<Name>
	Value int
}

// List returns every cap in c with its setting key, in the order the
// administrators' form shows them: by name.
func (c DailyCaps) List() []DailyCap {
	return []DailyCap{
		{SettingCapComments, ActivityComments, c.Comments},
		{SettingCapCommentsFirstDay, "comments_first_day", c.CommentsFirstDay},
		{SettingCapProposals, ActivityProposals, c.Proposals},
		{SettingCapReports, ActivityReports, c.Reports},
		{SettingCapSupports, ActivitySupports, c.Supports},
	}
}

// Of returns the daily cap on activity, one of the Activity constants. Any
// other activity is an error wrapping ErrUnknownSetting, never a cap of 0
// that would refuse everything.
func (c DailyCaps) Of(activity string) (int, error) {
	switch activity {
	case ActivityProposals:
		return c.Proposals, nil
	case ActivityComments:
		return c.Comments, nil
	case ActivitySupports:
		return c.Supports, nil
	case ActivityReports:
		return c.Reports, nil
	}
	return 0, fmt.Errorf("read the daily cap on %q: %w", activity, ErrUnknownSetting)
}
