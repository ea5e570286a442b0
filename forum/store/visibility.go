package store

import "github.com/e-people/e-people/forum"

// publicStatuses is forum.PublicStatuses as an SQL list: 'open', 'closed', ….
var publicStatuses = statusList(forum.PublicStatuses())

// publicProposal is forum.Proposal.Public as an SQL condition on proposals p:
// published (in a public state, or withdrawn after it opened) and visible to
// moderation. It is built from the domain's own lists, and
// TestPublicProposalSQL holds it equal to the Go method for every state, so
// the two cannot drift. Every query that reads what everyone may see uses it.
var publicProposal = "(p.mod_state = '" + string(forum.ModVisible) + "' AND (p.status IN (" + publicStatuses + ")" +
	" OR (p.status = '" + string(forum.StatusWithdrawn) + "' AND p.published_at IS NOT NULL)))"

// listedStatuses is the status condition of the public lists (home, the
// proposal list, a ministry's and a profile's): proposals in play or decided.
// A proposal withdrawn after it opened stays readable, in search and in open
// data, but leaves the lists.
var listedStatuses = "p.status IN (" + publicStatuses + ")"

// keptComment is the SQL condition that the comments row alias is not
// deleted by its author (forum.CommentVisible), whatever moderation says: the
// rows a proposal's or debate's comment_count counts.
func keptComment(alias string) string { return alias + ".status = " + sqlString(forum.CommentVisible) }

// shownComment is forum.Comment.Shown as an SQL condition on comments c: kept
// and visible to moderation.
var shownComment = "(" + keptComment("c") + " AND c.mod_state = " + sqlString(forum.ModVisible) + ")"
