package forum

// Visibility is how much of an item a viewer may see. It is decided here, by
// the item's status, its moderation state, the state of the thread it hangs
// under and the viewer's role, and every read path asks: pages, history,
// profiles, forms, search, the API, open data, feeds, live topics,
// notifications and mail. A new page never re-derives it.
type Visibility int

// Visibilities, from least to most.
const (
	// Unseen: the viewer may not learn that the item exists (a draft, a
	// proposal still gathering co-sponsors, a comment under a hidden
	// proposal); it answers 404.
	Unseen Visibility = iota
	// Withheld: the item is on the public record but not shown: the viewer
	// sees its place, its moderation state and public reason, never its
	// title, text or author.
	Withheld
	// Seen: the whole item.
	Seen
)

// Published reports whether p has been before the public: open now, or at
// some point (a proposal withdrawn after it opened stays on the record).
func (p *Proposal) Published() bool {
	return p.Status.Public() || (p.Status == StatusWithdrawn && !p.PublishedAt.IsZero())
}

// Public reports whether everyone may read p: published, and moderation lets
// it show. Lists, search, feeds, open data and the public live feed carry
// only public proposals; store.PublicProposalSQL is the same rule in SQL.
func (p *Proposal) Public() bool { return p.Published() && p.ModState.Visible() }

// VisibilityTo says how much of p the viewer u (nil for a guest) may see. Its
// author sees it whole in every state, so a draft can be finished and a hidden
// proposal appealed; moderators see every proposal that has left its draft,
// to review it; everyone else sees a public proposal, and only the notice of
// a published one that moderation hid or holds.
func (p *Proposal) VisibilityTo(u *User) Visibility {
	switch {
	case u != nil && u.ID == p.AuthorID:
		return Seen
	case p.Status == StatusDraft:
		return Unseen
	case IsModerator(u):
		return Seen
	case !p.Published():
		return Unseen
	case !p.ModState.Visible():
		return Withheld
	}
	return Seen
}

// VisibleTo reports whether u may read p whole.
func (p *Proposal) VisibleTo(u *User) bool { return p.VisibilityTo(u) == Seen }

// SponsorableBy reports whether u, holding p's private co-sponsor link, may
// read p on its co-sponsor page and sign it: only while it gathers
// co-sponsors and moderation lets it show, so a held proposal can never be
// co-sponsored into the open.
func (p *Proposal) SponsorableBy(u *User) bool {
	return p.Status.TakesSponsors() && (p.ModState.Visible() || (u != nil && u.ID == p.AuthorID))
}

// VisibilityTo says how much of c the viewer u may see, given how much of
// the thread it hangs under (its proposal or debate) u may see. A comment
// under a thread u may not read whole is unseen; a deleted comment keeps only
// its place; one that moderation hid or holds is whole to its author and to
// moderators, and only a placeholder to everyone else.
func (c *Comment) VisibilityTo(u *User, thread Visibility) Visibility {
	switch {
	case thread != Seen:
		return Unseen
	case c.Status != CommentVisible:
		return Withheld
	case c.ModState.Visible():
		return Seen
	case u != nil && (u.ID == c.AuthorID || IsModerator(u)):
		return Seen
	}
	return Withheld
}

// DebateVisibility says how much of a debate anyone may see: debates are
// opened by ministries in public, so all of it.
func DebateVisibility(*Debate, *User) Visibility { return Seen }

// ResponseVisibility says how much of a ministry's answer to p the viewer u
// may see: as much as of the proposal it answers, since an answer quotes and
// names it.
func ResponseVisibility(p *Proposal, u *User) Visibility { return p.VisibilityTo(u) }

// TakesInteraction reports whether c may receive replies and votes: only a
// comment everyone can read, so nothing piles up under a held or hidden one.
func (c *Comment) TakesInteraction() bool { return c.Shown() }
