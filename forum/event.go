package forum

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Event is one public or private change, appended in the same transaction as
// the change itself and streamed to live clients afterwards. Data is the JSON
// of the EventData struct of its Type (see Event.Payload).
type Event struct {
	ID        int64
	Topic     string
	Type      string
	Data      json.RawMessage
	Public    bool // anyone may see it; it also goes to the "feed" topic
	CreatedAt time.Time
}

// Event types. Each has one EventData struct below, which says when it is
// emitted, on which topic, and what each field of its JSON means.
const (
	EventProposalCreated     = "proposal.created"
	EventProposalStatus      = "proposal.status"
	EventProposalSponsored   = "proposal.sponsored"
	EventProposalSupported   = "proposal.supported"
	EventProposalEdited      = "proposal.updated"
	EventProposalHidden      = "proposal.hidden"
	EventProposalRestored    = "proposal.restored"
	EventProposalTransferred = "proposal.transferred"
	EventProposalCoMinistry  = "proposal.co_ministry"
	EventResponsePublished   = "response.published"
	EventCommentCreated      = "comment.created"
	EventCommentUpdated      = "comment.updated"
	EventCommentDeleted      = "comment.deleted"
	EventCommentVoted        = "comment.voted"
	EventCommentHidden       = "comment.hidden"
	EventCommentRestored     = "comment.restored"
	EventThreadLocked        = "thread.locked"
	EventDebateOpened        = "debate.opened"
	EventDebateClosed        = "debate.closed"
	EventDebateConcluded     = "debate.concluded"
	EventNotification        = "notification.created"
	EventProposalMerged      = "proposal.merged" // issue 18: ProposalMergedEvent, in merge.go
	EventMilestoneChanged    = "milestone.changed"
	EventAnswerRated         = "answer.rated"
)

// EventTypes lists every event type above, for code that must handle, or
// test, them all.
func EventTypes() []string {
	return []string{EventProposalCreated, EventProposalStatus, EventProposalSponsored, EventProposalSupported,
		EventProposalEdited, EventProposalHidden, EventProposalRestored, EventProposalTransferred,
		EventProposalCoMinistry, EventResponsePublished, EventCommentCreated, EventCommentUpdated,
		EventCommentDeleted, EventCommentVoted, EventCommentHidden, EventCommentRestored, EventThreadLocked,
		EventDebateOpened, EventDebateClosed, EventDebateConcluded, EventNotification,
		EventProposalMerged, EventMilestoneChanged, EventAnswerRated}
}

// EventData is the payload of one type of event: its JSON is stored in the
// events table and sent to live clients as a message's "data", so type and
// shape cannot disagree. The structs list their fields in the order of
// their JSON keys, which keeps the stored bytes as they were when the
// payloads were maps (whose keys encoding/json sorts). Fields named
// proposal_id and debate_id on an event about a comment thread are the
// thread's subject: exactly one of them is set.
type EventData interface {
	// EventType is the Event.Type this payload travels under.
	EventType() string
}

// ProposalCreatedEvent is emitted when a citizen creates a proposal, draft or
// submitted, on the proposal's topic (private then: no draft is public).
type ProposalCreatedEvent struct {
	AuthorID   int64 `json:"author_id"`   // the citizen who wrote it
	ProposalID int64 `json:"proposal_id"` // the new proposal
}

// ProposalStatusEvent is emitted on every step of a proposal's lifecycle
// (submitted, opened, closed, answered, withdrawn, …), on the proposal's topic.
type ProposalStatusEvent struct {
	From       ProposalStatus `json:"from"` // the status it left
	ProposalID int64          `json:"proposal_id"`
	Status     ProposalStatus `json:"status"` // the status it is in now
}

// ProposalEditedEvent is emitted when the author edits a proposal, saving a new
// revision, on the proposal's topic.
type ProposalEditedEvent struct {
	ProposalID int64 `json:"proposal_id"`
	Revision   int   `json:"revision"` // the new revision's number; the first is 1
}

// ProposalSponsoredEvent is emitted when a co-sponsor signs a gathering proposal,
// on the proposal's topic.
type ProposalSponsoredEvent struct {
	ProposalID int64 `json:"proposal_id"`
	Sponsors   int   `json:"sponsors"`   // verified co-sponsors now
	Unverified int   `json:"unverified"` // co-sponsors whose accounts are not verified, shown apart
	Threshold  int   `json:"threshold"`  // verified co-sponsors it needs to open
}

// ProposalSupportedEvent is emitted when a citizen supports a proposal or takes
// the support back, on the proposal's topic.
type ProposalSupportedEvent struct {
	ProposalID int64 `json:"proposal_id"`
	Supports   int   `json:"supports"`   // verified supports now
	Unverified int   `json:"unverified"` // supports of accounts not verified, shown apart
}

// ProposalHiddenEvent is emitted when moderation withholds a proposal, on the
// proposal's topic; its page must be reloaded.
type ProposalHiddenEvent struct {
	ProposalID int64  `json:"proposal_id"`
	Reason     string `json:"reason"` // the moderation reason code, as the moderation log records it
}

// ProposalRestoredEvent is emitted when moderation shows a withheld or held
// proposal again, on the proposal's topic; its page must be reloaded.
type ProposalRestoredEvent struct {
	ProposalID int64  `json:"proposal_id"`
	Reason     string `json:"reason"` // the moderation reason code, often empty
}

// ProposalTransferredEvent is emitted when a proposal moves to another lead
// ministry, on the proposal's topic. Its followers get the same fields as a
// NoteTransferred notification.
type ProposalTransferredEvent struct {
	From       int64 `json:"from"` // the ministry that led it
	ProposalID int64 `json:"proposal_id"`
	To         int64 `json:"to"` // the ministry that leads it now
}

// ProposalCoMinistryEvent is emitted when another ministry is asked to answer a
// proposal jointly, on the proposal's topic.
type ProposalCoMinistryEvent struct {
	Ministry   int64 `json:"ministry"` // the co-answering ministry
	ProposalID int64 `json:"proposal_id"`
}

// ResponsePublishedEvent is emitted when a ministry publishes or revises its
// official response to a proposal, or a co-answering ministry its part of a
// joint answer, on the proposal's topic.
type ResponsePublishedEvent struct {
	Decision   Decision `json:"decision"` // the decision of the part published (the lead's is the decision of record)
	Ministry   int64    `json:"ministry"` // the ministry that published it
	Part       bool     `json:"part"`     // a co-answering ministry's part, not the lead's answer
	ProposalID int64    `json:"proposal_id"`
	Revision   int      `json:"revision"` // that ministry's revision of its part; the first is 1
}

// CommentCreatedEvent is emitted when a comment or reply is posted (held for
// review or not), on its thread's topic.
type CommentCreatedEvent struct {
	CommentID  int64  `json:"comment_id"`
	Comments   int    `json:"comments"` // the thread's comment count now
	DebateID   int64  `json:"debate_id,omitempty"`
	ParentID   int64  `json:"parent_id"` // the comment it replies to; 0 for a top-level comment
	ProposalID int64  `json:"proposal_id,omitempty"`
	Stance     Stance `json:"stance"` // the side it argues; empty when it takes none
}

// CommentUpdatedEvent is emitted when the author edits a comment, on its thread's topic.
type CommentUpdatedEvent struct {
	CommentID  int64 `json:"comment_id"`
	DebateID   int64 `json:"debate_id,omitempty"`
	ProposalID int64 `json:"proposal_id,omitempty"`
}

// CommentDeletedEvent is emitted when the author deletes a comment, which stays as
// a placeholder, on its thread's topic.
type CommentDeletedEvent struct {
	CommentID  int64  `json:"comment_id"`
	Comments   int    `json:"comments"` // the thread's comment count now
	DebateID   int64  `json:"debate_id,omitempty"`
	ProposalID int64  `json:"proposal_id,omitempty"`
	Stance     Stance `json:"stance"` // the side the deleted comment argued, for the tallies
}

// CommentVotedEvent is emitted when a citizen votes on a comment or takes the
// vote back, on its thread's topic.
type CommentVotedEvent struct {
	CommentID  int64 `json:"comment_id"`
	DebateID   int64 `json:"debate_id,omitempty"`
	Down       int   `json:"down"` // down votes now
	ProposalID int64 `json:"proposal_id,omitempty"`
	Up         int   `json:"up"` // up votes now
}

// CommentHiddenEvent is emitted when moderation withholds a comment, on its
// thread's topic.
type CommentHiddenEvent struct {
	CommentID  int64  `json:"comment_id"`
	DebateID   int64  `json:"debate_id,omitempty"`
	ProposalID int64  `json:"proposal_id,omitempty"`
	Reason     string `json:"reason"` // the moderation reason code
	Stance     Stance `json:"stance"` // the side it argued, for the tallies
}

// CommentRestoredEvent is emitted when moderation shows a withheld or held
// comment again, on its thread's topic.
type CommentRestoredEvent struct {
	CommentID  int64  `json:"comment_id"`
	DebateID   int64  `json:"debate_id,omitempty"`
	ProposalID int64  `json:"proposal_id,omitempty"`
	Reason     string `json:"reason"` // the moderation reason code, often empty
	Stance     Stance `json:"stance"` // the side it argues, for the tallies
}

// ThreadLockedEvent is emitted when staff lock or unlock a proposal's or a
// debate's comments, on the thread's topic.
type ThreadLockedEvent struct {
	DebateID   int64 `json:"debate_id,omitempty"`
	Locked     bool  `json:"locked"` // true when locked now, false when unlocked
	ProposalID int64 `json:"proposal_id,omitempty"`
}

// DebateOpenedEvent is emitted when a debate's opening time comes, on the
// debate's topic (debates are always public).
type DebateOpenedEvent struct {
	Against  int          `json:"against"` // visible arguments against
	DebateID int64        `json:"debate_id"`
	For      int          `json:"for"`     // visible arguments for
	Neutral  int          `json:"neutral"` // visible neutral arguments
	Status   DebateStatus `json:"status"`  // "open"
}

// DebateClosedEvent is emitted when a debate's closing time comes, on the
// debate's topic. A debate whose whole window passed while the server was
// down opens and closes in one go.
type DebateClosedEvent struct {
	Against  int          `json:"against"`
	DebateID int64        `json:"debate_id"`
	For      int          `json:"for"`
	Neutral  int          `json:"neutral"`
	Status   DebateStatus `json:"status"` // "closed"
}

// DebateConcludedEvent is emitted when the host publishes or revises the
// conclusion of a closed debate, on the debate's topic.
type DebateConcludedEvent struct {
	Against  int   `json:"against"`
	DebateID int64 `json:"debate_id"`
	For      int   `json:"for"`
	Neutral  int   `json:"neutral"`
}

// NotificationEvent is emitted when a user gets a notification, on their
// own topic (UserTopic), never in public. A suspension's (Kind NoteSuspended)
// also closes the account's live sockets.
type NotificationEvent struct {
	Kind string `json:"kind"` // the notification's kind (forum.Note…)
	// NotificationID is the new notification, for every kind (those that
	// go to every follower of an item at once too).
	NotificationID int64 `json:"notification_id,omitempty"`
	Unread         int   `json:"unread"` // the user's unread notifications now
}

// AnswerRatedEvent is emitted when a supporter rates a proposal's answer
// or objects to it, on the proposal's topic: the round's aggregates, never
// who rated what. A rating that sends the answer back is followed by a
// ProposalStatusEvent.
type AnswerRatedEvent struct {
	Average    float64 `json:"average"`    // the round's average rating, 1 to 5, to one decimal; 0 when nobody rated
	Objections int     `json:"objections"` // supporters who objected to the first answer
	ProposalID int64   `json:"proposal_id"`
	Ratings    int     `json:"ratings"` // supporters who rated the round's answer
	Round      int     `json:"round"`   // the answer round, 1 or 2
}

// EventType implements EventData.
func (AnswerRatedEvent) EventType() string { return EventAnswerRated }

// EventType implements EventData.
func (ProposalCreatedEvent) EventType() string { return EventProposalCreated }

// EventType implements EventData.
func (ProposalStatusEvent) EventType() string { return EventProposalStatus }

// EventType implements EventData.
func (ProposalEditedEvent) EventType() string { return EventProposalEdited }

// EventType implements EventData.
func (ProposalSponsoredEvent) EventType() string { return EventProposalSponsored }

// EventType implements EventData.
func (ProposalSupportedEvent) EventType() string { return EventProposalSupported }

// EventType implements EventData.
func (ProposalHiddenEvent) EventType() string { return EventProposalHidden }

// EventType implements EventData.
func (ProposalRestoredEvent) EventType() string { return EventProposalRestored }

// EventType implements EventData.
func (ProposalTransferredEvent) EventType() string { return EventProposalTransferred }

// EventType implements EventData.
func (ProposalCoMinistryEvent) EventType() string { return EventProposalCoMinistry }

// EventType implements EventData.
func (ResponsePublishedEvent) EventType() string { return EventResponsePublished }

// EventType implements EventData.
func (CommentCreatedEvent) EventType() string { return EventCommentCreated }

// EventType implements EventData.
func (CommentUpdatedEvent) EventType() string { return EventCommentUpdated }

// EventType implements EventData.
func (CommentDeletedEvent) EventType() string { return EventCommentDeleted }

// EventType implements EventData.
func (CommentVotedEvent) EventType() string { return EventCommentVoted }

// EventType implements EventData.
func (CommentHiddenEvent) EventType() string { return EventCommentHidden }

// EventType implements EventData.
func (CommentRestoredEvent) EventType() string { return EventCommentRestored }

// EventType implements EventData.
func (ThreadLockedEvent) EventType() string { return EventThreadLocked }

// EventType implements EventData.
func (DebateOpenedEvent) EventType() string { return EventDebateOpened }

// EventType implements EventData.
func (DebateClosedEvent) EventType() string { return EventDebateClosed }

// EventType implements EventData.
func (DebateConcludedEvent) EventType() string { return EventDebateConcluded }

// EventType implements EventData.
func (NotificationEvent) EventType() string { return EventNotification }

// Payload decodes e's Data into the EventData struct of its Type, returned
// as a value (a CommentCreatedEvent, not a *CommentCreatedEvent).
func (e Event) Payload() (EventData, error) {
	switch e.Type {
	case EventProposalCreated:
		return decodePayload[ProposalCreatedEvent](e)
	case EventProposalStatus:
		return decodePayload[ProposalStatusEvent](e)
	case EventProposalEdited:
		return decodePayload[ProposalEditedEvent](e)
	case EventProposalSponsored:
		return decodePayload[ProposalSponsoredEvent](e)
	case EventProposalSupported:
		return decodePayload[ProposalSupportedEvent](e)
	case EventProposalHidden:
		return decodePayload[ProposalHiddenEvent](e)
	case EventProposalRestored:
		return decodePayload[ProposalRestoredEvent](e)
	case EventProposalTransferred:
		return decodePayload[ProposalTransferredEvent](e)
	case EventProposalCoMinistry:
		return decodePayload[ProposalCoMinistryEvent](e)
	case EventResponsePublished:
		return decodePayload[ResponsePublishedEvent](e)
	case EventCommentCreated:
		return decodePayload[CommentCreatedEvent](e)
	case EventCommentUpdated:
		return decodePayload[CommentUpdatedEvent](e)
	case EventCommentDeleted:
		return decodePayload[CommentDeletedEvent](e)
	case EventCommentVoted:
		return decodePayload[CommentVotedEvent](e)
	case EventCommentHidden:
		return decodePayload[CommentHiddenEvent](e)
	case EventCommentRestored:
		return decodePayload[CommentRestoredEvent](e)
	case EventThreadLocked:
		return decodePayload[ThreadLockedEvent](e)
	case EventDebateOpened:
		return decodePayload[DebateOpenedEvent](e)
	case EventDebateClosed:
		return decodePayload[DebateClosedEvent](e)
	case EventDebateConcluded:
		return decodePayload[DebateConcludedEvent](e)
	case EventNotification:
		return decodePayload[NotificationEvent](e)
	case EventProposalMerged:
		return decodePayload[ProposalMergedEvent](e)
	case EventMilestoneChanged:
		return decodePayload[MilestoneChangedEvent](e)
	case EventAnswerRated:
		return decodePayload[AnswerRatedEvent](e)
	}
	return nil, fmt.Errorf("decode event %d: unknown type %q", e.ID, e.Type)
}

func decodePayload[T EventData](e Event) (EventData, error) {
	var v T
	if err := json.Unmarshal(e.Data, &v); err != nil {
		return nil, fmt.Errorf("decode event %d (%s): %w", e.ID, e.Type, err)
	}
	return v, nil
}

// ProposalID is s's id when s is a proposal's thread, else 0: the
// proposal_id of an event about the thread.
func (s Subject) ProposalID() int64 {
	if s.Kind == KindProposal {
		return s.ID
	}
	return 0
}

// DebateID is s's id when s is a debate's thread, else 0: the debate_id of
// an event about the thread.
func (s Subject) DebateID() int64 {
	if s.Kind == KindDebate {
		return s.ID
	}
	return 0
}

// ProposalTopic is the live topic of one proposal.
func ProposalTopic(id int64) string { return "proposal:" + strconv.FormatInt(id, 10) }

// DebateTopic is the live topic of one debate.
func DebateTopic(id int64) string { return "debate:" + strconv.FormatInt(id, 10) }

// UserTopic is the private live topic of one user.
func UserTopic(id int64) string { return "user:" + strconv.FormatInt(id, 10) }
