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

// NoteSubject names what a notification is about, as notifications.subject
// keeps it ("proposal:12", "comment:7", "debate:3"): the unread
// notifications of one kind about one subject are shown as one.
func NoteSubject(kind string, id int64) string { return kind + ":" + strconv.FormatInt(id, 10) }

// MinistryTopic is the live topic of one ministry, by its slug: it carries
// the events of the ministry's public proposals and of its debates.
func MinistryTopic(slug string) string { return "ministry:" + slug }
