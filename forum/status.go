package forum

// What each proposal and debate state allows. Every rule that depends on a
// state has its one home here: the store checks it before it writes, the
// handlers ask it before they offer a form, templates call the methods
// ({{if $p.Status.TakesSupport}}), and the store builds its SQL lists of
// states from the same methods (store/status.go). TestStatusRules lists every
// state against every rule, so a change is deliberate.

// ProposalStatuses returns every proposal state, in lifecycle order.
func ProposalStatuses() []ProposalStatus {
	return []ProposalStatus{StatusDraft, StatusGathering, StatusOpen, StatusAwaiting, StatusAnswered, StatusReferred,
		StatusClosed, StatusWithdrawn}
}

// Can reports whether the lifecycle lets t happen to a proposal in state s.
func (s ProposalStatus) Can(t Transition) bool {
	_, ok := lifecycle[s][t]
	return ok
}

// Draft reports whether s is a draft: not yet sent out, seen by its author only.
func (s ProposalStatus) Draft() bool { return s == StatusDraft }

// Withdrawn reports whether the author took the proposal back.
func (s ProposalStatus) Withdrawn() bool { return s == StatusWithdrawn }

// Closed reports whether the support window ended short of the threshold:
// the proposal takes no more support and no answer is due.
func (s ProposalStatus) Closed() bool { return s == StatusClosed }

// Submittable reports whether the author may send the proposal out for
// co-sponsors: only a draft.
func (s ProposalStatus) Submittable() bool { return s.Can(TransSubmit) }

// Withdrawable reports whether the author may take the proposal back: until
// it closes or reaches its threshold.
func (s ProposalStatus) Withdrawable() bool { return s.Can(TransWithdraw) }

// TakesSponsors reports whether the proposal gathers co-sponsors through its
// private link.
func (s ProposalStatus) TakesSponsors() bool { return s.Can(TransSponsors) }

// InSupportWindow reports whether the proposal's support window runs: its
// supports count toward the threshold, and the end of the window closes it.
func (s ProposalStatus) InSupportWindow() bool { return s.Can(TransReach) }

// TakesSupport reports whether citizens may support the proposal, or take
// their support back: while it is open and on while its ministry prepares
// the answer.
func (s ProposalStatus) TakesSupport() bool { return s == StatusOpen || s == StatusAwaiting }

// TakesComments reports whether the proposal's thread takes comments and
// votes in this state: while it is open and while its ministry answers.
// Proposal.TakesComments adds the lock and moderation.
func (s ProposalStatus) TakesComments() bool {
	switch s {
	case StatusOpen, StatusAwaiting, StatusAnswered, StatusReferred:
		return true
	}
	return false
}

// AwaitsAnswer reports whether the proposal reached its threshold and the
// ministry's answer is due.
func (s ProposalStatus) AwaitsAnswer() bool { return s == StatusAwaiting }

// Answerable reports whether an official may publish, or revise, the
// ministry's answer: once the proposal reached its threshold.
func (s ProposalStatus) Answerable() bool { return s.Can(TransAnswer) }

// Answered reports whether the ministry has published its answer.
func (s ProposalStatus) Answered() bool { return s == StatusAnswered || s == StatusReferred }

// Routable reports whether a ministry may transfer the proposal or ask
// another to answer jointly: once it is before the public and not withdrawn.
func (s ProposalStatus) Routable() bool { return s.Public() }

// TakesComments reports whether p's thread takes new comments and votes now:
// its state allows them, no moderator locked it, and moderation lets it show.
func (p *Proposal) TakesComments() bool {
	return p.Status.TakesComments() && !p.Locked && p.ModState.Visible()
}

// DebateStatuses returns every debate state, in lifecycle order.
func DebateStatuses() []DebateStatus { return []DebateStatus{DebateUpcoming, DebateOpen, DebateClosed} }

// Upcoming reports whether the debate is announced and does not take
// arguments yet.
func (s DebateStatus) Upcoming() bool { return s == DebateUpcoming }

// TakesComments reports whether the debate takes arguments and votes in this
// state: only while it is open.
func (s DebateStatus) TakesComments() bool { return s == DebateOpen }

// Concludable reports whether the host may publish, or revise, the debate's
// conclusion: once it has closed.
func (s DebateStatus) Concludable() bool { return s == DebateClosed }

// TakesComments reports whether d takes new arguments and votes now: it is
// open and no moderator locked it.
func (d *Debate) TakesComments() bool { return d.Status.TakesComments() && !d.Locked }
