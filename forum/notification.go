package forum

import "strconv"

// Notification kinds about what a user follows, besides the ones
// moderation writes (NoteResponse, NoteTransferred, …).
const (
	NoteRouted          = "routed"           // a proposal was routed to a followed ministry as a co-answering one
	NoteDebateAnnounced = "debate_announced" // a followed ministry announced a debate
	NoteDebateOpened    = "debate_opened"    // a followed debate, or a followed ministry's, opened
	NoteDebateClosed    = "debate_closed"    // a followed debate closed
	NoteDebateConcluded = "debate_concluded" // a followed debate, or a followed ministry's, was concluded
)

// Notification kinds about a civil request, to its filer (and, for
// NoteRequestAssigned, to the official it was assigned to). Their subject
// is "request:ID"; their data carries request_id and receipt.
const (
	NoteRequestFiled       = "request_filed"       // the receipt
	NoteRequestAssigned    = "request_assigned"    // an official was put in charge
	NoteRequestTransferred = "request_transferred" // another ministry holds it now; the period restarted
	NoteRequestInfo        = "request_info"        // the ministry asks for more information; the clock stopped
	NoteRequestExtended    = "request_extended"    // the period was extended once, with a reason
	NoteRequestAnswered    = "request_answered"    // the answer
	NoteRequestProgress    = "request_progress"    // open for 30 days: how it progresses and when to expect the answer
	NoteRequestObjection   = "request_objection"   // to the ministry's officials: the filer objected
	NoteRequestPublished   = "request_published"   // published, masked, as a frequently asked request
)

// NoteSubject names what a notification is about, as notifications.subject
// keeps it ("proposal:12", "comment:7", "debate:3"): the unread
// notifications of one kind about one subject are shown as one.
func NoteSubject(kind string, id int64) string { return kind + ":" + strconv.FormatInt(id, 10) }

// MinistryTopic is the live topic of one ministry, by its slug: it carries
// the events of the ministry's public proposals and of its debates.
func MinistryTopic(slug string) string { return "ministry:" + slug }
