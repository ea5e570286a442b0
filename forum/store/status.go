package store

import (
	"strings"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
)

// The proposal states a query selects are the domain's rules as SQL lists,
// built from the methods in forum/status.go, so that a query and the Go check
// cannot disagree; TestStatusListsSQL holds each list equal to its rule.
var (
	// supportWindowStatuses: the support window runs (ProposalStatus.InSupportWindow).
	supportWindowStatuses = statusesWhere(forum.ProposalStatus.InSupportWindow)
	// awaitingStatuses: the ministry's answer is due (ProposalStatus.AwaitsAnswer).
	awaitingStatuses = statusesWhere(forum.ProposalStatus.AwaitsAnswer)
	// answeredStatuses: the ministry has answered (ProposalStatus.Answered).
	answeredStatuses = statusesWhere(forum.ProposalStatus.Answered)
)

// activeUser is forum.User.Active as an SQL condition on users u: the account
// may act (it is neither suspended nor banned). TestStatusListsSQL holds it
// equal to the Go method for every account state.
var activeUser = "(u.status = '" + string(forum.UserActive) + "')"

// The debate states the queries name, as SQL strings: the list of debates
// orders and the scheduler wakes by them.
var (
	debateUpcoming = sqlString(forum.DebateUpcoming)
	debateOpen     = sqlString(forum.DebateOpen)
	// scheduledDebates: the debates still to open or close.
	scheduledDebates = statusList([]forum.DebateStatus{forum.DebateUpcoming, forum.DebateOpen})
)

// reviewPending is moderation.ReviewPending as an SQL string: the review
// entries still waiting for a moderator are those with state = reviewPending.
var reviewPending = sqlString(moderation.ReviewPending)

// sqlString is the state st as an SQL string literal: 'open'. States are
// the domain's constants, which hold no quote.
func sqlString[S ~string](st S) string { return "'" + string(st) + "'" }

// statusList is states as an SQL list: 'open', 'closed', ….
func statusList[S ~string](states []S) string {
	quoted := make([]string, len(states))
	for i, st := range states {
		quoted[i] = sqlString(st)
	}
	return strings.Join(quoted, ", ")
}

// statusesWhere is the SQL list of the proposal states for which rule holds.
func statusesWhere(rule func(forum.ProposalStatus) bool) string {
	var states []forum.ProposalStatus
	for _, st := range forum.ProposalStatuses() {
		if rule(st) {
			states = append(states, st)
		}
	}
	return statusList(states)
}

// countedTier is the SQL condition that the account aliased a has a tier
// whose supports and co-sponsorships count (forum.Tier.Counted).
func countedTier(a string) string {
	var counted []string
	for _, t := range forum.Tiers() {
		if t.Counted() {
			counted = append(counted, string(t))
		}
	}
	return a + ".tier IN (" + statusList(counted) + ")"
}
