package web

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/gofiber/fiber/v2"
)

// notesShown is how many of the newest notifications the page reads.
const notesShown = 100

type notificationsPage struct {
	base
	Notes       []noteEntry
	Frequencies []string
}

// noteData is everything a notification's JSON data may hold (the store
// writes it; older rows lack the names).
type noteData struct {
	Kind       string `json:"kind"` // the item a moderation note is about: proposal or comment
	ID         int64  `json:"id"`
	Reason     string `json:"reason"`
	Granted    bool   `json:"granted"`
	Until      int64  `json:"until"`
	ProposalID int64  `json:"proposal_id"`
	DebateID   int64  `json:"debate_id"`
	Title      string `json:"title"`   // the proposal's title or the debate's question
	Excerpt    string `json:"excerpt"` // a comment's opening words
	Status     string `json:"status"`
	Decision   string `json:"decision"`
	Revision   int    `json:"revision"`
	From       int64  `json:"from"`
	To         int64  `json:"to"`
	Ministry   int64  `json:"ministry"`
	Part       bool   `json:"part"` // an answer: a co-answering ministry's part, not the lead's answer
	OpensAt    int64  `json:"opens_at"`
	RequestID  int64  `json:"request_id"` // a civil request's notification
	Receipt    string `json:"receipt"`    // its receipt number
	Due        int64  `json:"due"`        // its due time, when the notification moved it
	Replied    bool   `json:"replied"`    // a request_info to the official: the filer replied
	FAQID      int64  `json:"faq_id"`     // a request_published: the entry made of it
}

// noteEntry is a notification as the page and the mails say it: what
// happened, naming the item, and where it happened.
type noteEntry struct {
	forum.Notification
	Text  string // one sentence, in the reader's language
	Quote string // a reply's opening words; "" for none
	Link  string // the path of the exact place; "" for none
	Title string // the item's name; "" when the notification predates names
	// Action is a button the notification carries (noteKind.action); nil for none.
	Action *noteAction
}

// groupNotes folds the unread notifications of one kind about one subject
// into the newest of them, whose Count says how many it stands for. Read
// ones, and ones without a subject (written before subjects were kept),
// stay apart. ns is newest first, and so is the result.
func groupNotes(ns []forum.Notification) []forum.Notification {
	out := make([]forum.Notification, 0, len(ns))
	at := map[string]int{}
	for _, n := range ns {
		n.Count = max(n.Count, 1)
		if !n.ReadAt.IsZero() || n.Subject == "" {
			out = append(out, n)
			continue
		}
		key := n.Kind + "\x00" + n.Subject
		if i, ok := at[key]; ok {
			out[i].Count++
			continue
		}
		at[key] = len(out)
		out = append(out, n)
	}
	return out
}

// noteKind says one kind of notification that a part of the forum added
// (issue 18's merges, edits, milestones, …), from that part's own file,
// which registers it in noteKinds from an init function.
type noteKind struct {
	// text is the sentence, in lang, for the notification n, whose data is
	// d (and raw, for fields noteData does not have); name names a ministry.
	text func(cat catalog, lang string, n forum.Notification, d noteData, raw []byte, name func(int64) string) string
	// link is the path of the exact place it is about, "" for none.
	link func(d noteData, raw []byte) string
	// action, if set, is a button the notification carries (a POST form,
	// with the page's CSRF token), nil for none.
	action func(cat catalog, d noteData, raw []byte) *noteAction
}

// noteAction is a button a notification carries: a POST to Path with
// Fields, labelled Label in the reader's language.
type noteAction struct {
	Path, Label string
	Fields      map[string]string
}

// noteKinds are the registered kinds of notification, by kind.
var noteKinds = map[string]noteKind{}

// describeNote says n (standing for n.Count notifications) in one language,
// with the link to the exact place it is about. ministry names a ministry.
func describeNote(cat catalog, lang string, n forum.Notification, ministry func(int64) forum.Ministry) noteEntry {
	var d noteData
	_ = json.Unmarshal(n.Data, &d) // data it cannot read gets the generic words
	e := noteEntry{Notification: n, Link: noteLink(n.Kind, d, n.Data)}
	label := func(prefix, v string) string {
		if l, ok := cat[prefix+v]; ok {
			return l
		}
		return v
	}
	name := func(id int64) string {
		if m := ministry(id); m.ID != 0 {
			return m.Name(lang)
		}
		return "#" + strconv.FormatInt(id, 10)
	}
	item := d.Title
	if d.Kind == string(forum.ItemComment) && d.Excerpt != "" {
		item = d.Excerpt
	}
	e.Title = item
	k, registered := noteKinds[n.Kind]
	switch {
	case registered:
		e.Text = k.text(cat, lang, n, d, n.Data, name)
		if k.action != nil {
			e.Action = k.action(cat, d, n.Data)
		}
	case isRequestNote(n.Kind):
		e.Text = requestNoteText(cat, lang, n.Kind, d, name)
	case item == "": // written before notifications named their items
		e.Text = noteText(cat, lang, n)
	default:
		switch n.Kind {
		case forum.NoteThresholdReached:
			e.Text = cat.T("note.threshold_reached", item)
		case forum.NoteStatusChanged:
			e.Text = cat.T("note.status_changed", label("status.", d.Status), item)
		case forum.NoteResponse:
			if d.Part { // versions are numbered across the joint answer: a part's says nothing of revising
				e.Text = cat.T("note.response_part", name(d.Ministry), label("decision.", d.Decision), item)
				if m := ministry(d.Ministry); m.ID != 0 && d.ProposalID != 0 {
					e.Link = "/proposals/" + strconv.FormatInt(d.ProposalID, 10) + "#response-" + m.Slug
				}
				break
			}
			key := "note.official_response"
			if d.Revision > 1 {
				key = "note.official_response_revised"
			}
			e.Text = cat.T(key, label("decision.", d.Decision), item)
		case forum.NoteTransferred:
			e.Text = cat.T("note.transferred", name(d.From), name(d.To), item)
		case forum.NoteRouted:
			e.Text = cat.T("note.routed", name(d.Ministry), item)
		case forum.NoteReply:
			e.Title, e.Quote = d.Title, d.Excerpt
			if n.Count > 1 {
				e.Text = cat.T("note.reply_many", n.Count, d.Title)
			} else {
				e.Text = cat.T("note.reply", d.Title)
			}
		case forum.NoteContentHidden:
			e.Text = cat.T("note.content_hidden."+d.Kind, reasonLabel(cat, d.Reason), item)
		case forum.NoteContentRestored:
			e.Text = cat.T("note.content_restored."+d.Kind, item)
		case forum.NoteAppealDecided:
			if d.Granted {
				e.Text = cat.T("note.appeal_granted."+d.Kind, item)
			} else {
				e.Text = cat.T("note.appeal_denied."+d.Kind, item)
			}
		case forum.NoteDebateAnnounced:
			e.Text = cat.T("note.debate_announced", formatDate(lang, time.Unix(d.OpensAt, 0)), item)
		case forum.NoteDebateOpened, forum.NoteDebateClosed, forum.NoteDebateConcluded:
			e.Text = cat.T("note."+n.Kind, item)
		default:
			e.Text = noteText(cat, lang, n)
		}
	}
	if n.Count > 1 && n.Kind != forum.NoteReply {
		e.Text += " " + cat.T("note.more", n.Count)
	}
	return e
}

// noteLink is the path of the exact place a notification is about: the
// reply itself, the official answer, the appeal form of what was hidden, …;
// "" when it names no place.
func noteLink(kind string, d noteData, raw []byte) string {
	if k, ok := noteKinds[kind]; ok {
		return k.link(d, raw)
	}
	if isRequestNote(kind) {
		return requestNoteLink(kind, d)
	}
	id := strconv.FormatInt(d.ID, 10)
	switch kind {
	case forum.NoteReply:
		if d.ID != 0 {
			return "/comments/" + id
		}
	case forum.NoteContentHidden:
		if d.ID != 0 && (d.Kind == string(forum.ItemProposal) || d.Kind == string(forum.ItemComment)) {
			return "/appeals/new?kind=" + d.Kind + "&id=" + id
		}
		return ""
	case forum.NoteContentRestored, forum.NoteAppealDecided:
		switch {
		case d.ID == 0:
			return ""
		case d.Kind == string(forum.ItemProposal):
			return "/proposals/" + id
		case d.Kind == string(forum.ItemComment):
			return "/comments/" + id
		}
		return ""
	case forum.NoteResponse:
		if d.ProposalID != 0 {
			return "/proposals/" + strconv.FormatInt(d.ProposalID, 10) + "#response"
		}
	case forum.NoteDebateConcluded:
		if d.DebateID != 0 {
			return "/debates/" + strconv.FormatInt(d.DebateID, 10) + "#conclusion"
		}
	case forum.NoteSuspended:
		return ""
	}
	switch {
	case d.ProposalID != 0:
		return "/proposals/" + strconv.FormatInt(d.ProposalID, 10)
	case d.DebateID != 0:
		return "/debates/" + strconv.FormatInt(d.DebateID, 10)
	}
	return ""
}

func (s *Server) handleNotifications(c *fiber.Ctx) error {
	notes, err := s.store.Notifications(c.UserContext(), currentUser(c).ID, notesShown)
	if err != nil {
		return err
	}
	dir, err := s.directory(c)
	if err != nil {
		return err
	}
	lang := s.lang(c)
	cat := s.views.catalogs[lang]
	grouped := groupNotes(notes)
	entries := make([]noteEntry, len(grouped))
	seen := map[string]bool{}
	for i, n := range grouped {
		if n.Data, err = s.readableNote(c, n.Data, seen); err != nil {
			return err
		}
		entries[i] = describeNote(cat, lang, n, dir.Ministry)
	}
	return s.page(c, fiber.StatusOK, "notifications", notificationsPage{base: s.base(c, s.t(c, "notes.title")), Notes: entries,
		Frequencies: store.EmailFrequencies()})
}

// readableNote returns a notification's data without the names its reader
// may no longer read (a proposal withheld since, a comment hidden since),
// by forum's one visibility rule, as the item's own page would. seen
// remembers the answers for one page.
func (s *Server) readableNote(c *fiber.Ctx, data []byte, seen map[string]bool) ([]byte, error) {
	var d noteData
	if json.Unmarshal(data, &d) != nil || (d.Title == "" && d.Excerpt == "") {
		return data, nil
	}
	ctx, u := c.UserContext(), currentUser(c)
	visible := func(key string, look func() (forum.Visibility, error)) (bool, error) {
		if v, ok := seen[key]; ok {
			return v, nil
		}
		v, err := look()
		if errors.Is(err, forum.ErrNotFound) {
			v, err = forum.Unseen, nil
		}
		seen[key] = v == forum.Seen
		return seen[key], err
	}
	proposal := func(id int64) func() (forum.Visibility, error) {
		return func() (forum.Visibility, error) {
			p, err := s.store.Proposal(ctx, id)
			if err != nil {
				return forum.Unseen, err
			}
			return p.VisibilityTo(u), nil
		}
	}
	var drop []string
	thread := true
	var err error
	switch {
	case d.RequestID != 0:
		thread, err = visible(forum.NoteSubject("request", d.RequestID), func() (forum.Visibility, error) {
			ok, err := s.readableRequest(ctx, u, d.RequestID)
			if ok {
				return forum.Seen, err
			}
			return forum.Unseen, err
		})
	case d.ProposalID != 0:
		thread, err = visible(forum.NoteSubject("proposal", d.ProposalID), proposal(d.ProposalID))
	case d.Kind == string(forum.ItemProposal) && d.ID != 0:
		thread, err = visible(forum.NoteSubject("proposal", d.ID), proposal(d.ID))
	case d.DebateID != 0:
		thread, err = visible(forum.NoteSubject("debate", d.DebateID), func() (forum.Visibility, error) {
			db, err := s.store.Debate(ctx, d.DebateID)
			if err != nil {
				return forum.Unseen, err
			}
			return forum.DebateVisibility(db, u), nil
		})
	}
	if err != nil {
		return nil, err
	}
	if !thread {
		drop = append(drop, "title", "excerpt")
	} else if d.Kind == string(forum.ItemComment) && d.ID != 0 {
		ok, err := visible(forum.NoteSubject("comment", d.ID), func() (forum.Visibility, error) {
			_, v, err := s.commentFor(c, d.ID)
			return v, err
		})
		if err != nil {
			return nil, err
		}
		if !ok {
			drop = append(drop, "excerpt")
		}
	}
	if len(drop) == 0 {
		return data, nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return data, nil
	}
	for _, k := range drop {
		delete(m, k)
	}
	return json.Marshal(m)
}

// handleNotificationsRead marks every notification read, or, given a kind
// and a subject, the unread ones the page shows as one entry.
func (s *Server) handleNotificationsRead(c *fiber.Ctx) error {
	ctx, u := c.UserContext(), currentUser(c)
	var err error
	if subject := c.FormValue("subject"); subject != "" {
		err = s.store.MarkNotificationGroupRead(ctx, u.ID, c.FormValue("kind"), subject)
	} else {
		err = s.store.MarkNotificationsRead(ctx, u.ID)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/notifications", fiber.StatusSeeOther)
}
