package store

import (
	"strings"

	"github.com/e-people/e-people/forum"
)

// publicProposal is forum.Proposal.Public as an SQL condition on proposals p:
// published (in a public state, or withdrawn after it opened) and visible to
// moderation. It is built from the domain's own lists, and
// TestPublicProposalSQL holds it equal to the Go method for every state, so
// the two cannot drift. Every query that reads what everyone may see uses it.
var publicProposal = publicProposalOn("p")

// publicProposalOn is publicProposal on the proposals table under alias.
func publicProposalOn(alias string) string {
	var states []string
	for _, st := range forum.PublicStatuses() {
		states = append(states, "'"+string(st)+"'")
	}
	col := func(c string) string { return alias + "." + c }
	return "(" + col("mod_state") + " = '" + string(forum.ModVisible) + "' AND (" + col("status") + " IN (" + strings.Join(states, ", ") + ")" +
		" OR (" + col("status") + " = '" + string(forum.StatusWithdrawn) + "' AND " + col("published_at") + " IS NOT NULL)))"
}

// listedStatuses is the status condition of the public lists (home, the
// proposal list, a ministry's and a profile's): proposals in play or decided.
// A proposal withdrawn after it opened stays readable, in search and in open
// data, but leaves the lists.
var listedStatuses = func() string {
	var states []string
	for _, st := range forum.PublicStatuses() {
		states = append(states, "'"+string(st)+"'")
	}
	return "p.status IN (" + strings.Join(states, ", ") + ")"
}()

// shownComment is forum.Comment.Shown as an SQL condition on comments c.
const shownComment = `(c.status = 'visible' AND c.mod_state = 'visible')`
