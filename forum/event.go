package forum

import (
	"encoding/json"
	"strconv"
	"time"
)

// Event is one public or private change, appended in the same transaction as
// the change itself and streamed to live clients afterwards.
type Event struct {
	ID        int64
	Topic     string
	Type      string
	Data      json.RawMessage
	Public    bool // anyone may see it; it also goes to the "feed" topic
	CreatedAt time.Time
}

// Event types written by the core forum.
const (
	EventProposalCreated     = "proposal.created"
	EventProposalStatus      = "proposal.status"
	EventProposalSponsored   = "proposal.sponsored"
	EventProposalSupported   = "proposal.supported"
	EventProposalEdited      = "proposal.updated"
	EventCommentCreated      = "comment.created"
	EventCommentUpdated      = "comment.updated"
	EventCommentDeleted      = "comment.deleted"
	EventCommentVoted        = "comment.voted"
	EventDebateOpened        = "debate.opened"
	EventDebateClosed        = "debate.closed"
	EventDebateConcluded     = "debate.concluded"
	EventResponsePublished   = "response.published"
	EventProposalTransferred = "proposal.transferred"
	EventProposalCoMinistry  = "proposal.co_ministry"
)

// ProposalTopic is the live topic of one proposal.
func ProposalTopic(id int64) string { return "proposal:" + strconv.FormatInt(id, 10) }

// DebateTopic is the live topic of one debate.
func DebateTopic(id int64) string { return "debate:" + strconv.FormatInt(id, 10) }

// UserTopic is the private live topic of one user.
func UserTopic(id int64) string { return "user:" + strconv.FormatInt(id, 10) }
