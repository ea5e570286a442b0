package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/live"
	"github.com/e-people/e-people/forum/store"
	"github.com/gofiber/fiber/v2"
)

// liveMaxTopics is the most topics one live socket may ask for.
const liveMaxTopics = 20

// liveFilter turns the requested topics into a filter, refusing topics the viewer may not read.
func (s *Server) liveFilter(c *fiber.Ctx, topics string) (live.Filter, error) {
	var f live.Filter
	u := currentUser(c)
	parts := strings.Split(topics, ",")
	if topics == "" || len(parts) > liveMaxTopics {
		return f, fiber.NewError(fiber.StatusBadRequest, "err.live_topics")
	}
	ctx := c.UserContext()
	for _, t := range parts {
		kind, arg, _ := strings.Cut(strings.TrimSpace(t), ":")
		id, _ := strconv.ParseInt(arg, 10, 64)
		switch {
		case kind == "feed" && arg == "":
			f.Feed = true
			continue
		case kind == "me" && arg == "":
			if u == nil {
				return f, fiber.NewError(fiber.StatusForbidden, "err.signin_required")
			}
			f.Me = forum.UserTopic(u.ID)
			continue
		case kind == "proposal" && id > 0:
			p, err := s.store.Proposal(ctx, id)
			if err != nil {
				return f, err
			}
			if !p.VisibleTo(u) { // a withheld proposal's notice has nothing live
				return f, forum.ErrNotFound
			}
		case kind == "debate" && id > 0:
			if _, err := s.store.Debate(ctx, id); err != nil {
				return f, err
			}
		case kind == "ministry" && arg != "":
			if _, err := s.store.MinistryBySlug(ctx, arg); err != nil {
				return f, err
			}
		default:
			return f, fiber.NewError(fiber.StatusBadRequest, "err.live_topics")
		}
		f.Topics = append(f.Topics, kind+":"+arg)
	}
	return f, nil
}

// handleLive upgrades GET /live?topics=…&since=… to a websocket that streams
// the events of those topics. Everything is read from the Fiber context
// first; then the fasthttp connection is hijacked and handed to the live
// endpoint (Config.Live), which speaks websocket on it.
func (s *Server) handleLive(c *fiber.Ctx) error {
	if !strings.Contains(strings.ToLower(c.Get(fiber.HeaderConnection)), "upgrade") || !strings.EqualFold(c.Get(fiber.HeaderUpgrade), "websocket") {
		return fiber.NewError(fiber.StatusUpgradeRequired, "err.live_upgrade")
	}
	sockets := s.cfg.Live
	if sockets == nil {
		return forum.ErrUnavailable
	}
	if !sockets.SameOrigin(c.Get(fiber.HeaderOrigin), c.Hostname()) {
		return fiber.NewError(fiber.StatusForbidden, "err.live_origin")
	}
	f, err := s.liveFilter(c, c.Query("topics"))
	if err != nil {
		return err
	}
	since, err := strconv.ParseInt(c.Query("since", "0"), 10, 64)
	if err != nil || since < 0 {
		return fiber.NewError(fiber.StatusBadRequest, "err.live_since")
	}
	ip := s.clientIP(c)
	if !sockets.Reserve(ip) {
		return forum.ErrRateLimited
	}
	req := &http.Request{Method: http.MethodGet, Header: http.Header{}, Host: c.Hostname(), RequestURI: c.OriginalURL()}
	req.URL, _ = url.ParseRequestURI(c.OriginalURL())
	c.Request().Header.VisitAll(func(k, v []byte) { req.Header.Add(string(k), string(v)) })
	r := live.Request{Filter: f, Lang: s.lang(c), Since: since, IP: ip}
	if u := currentUser(c); u != nil {
		r.UserID = u.ID
	}
	c.Context().HijackSetNoResponse(true)
	c.Context().Hijack(func(conn net.Conn) {
		// fasthttp keeps a hijacked connection open (KeepHijackedConns, set in New)
		// and frees the request and its read buffer once this returns, so an idle
		// socket holds neither: Serve returns once the socket streams, which goes
		// on in a goroutine of its own, on the bare connection. Nothing is lost
		// with the read buffer: a client sends nothing before the handshake's
		// answer (gorilla refuses one that did).
		if u, ok := conn.(interface{ UnsafeConn() net.Conn }); ok {
			conn = u.UnsafeConn()
		}
		sockets.Serve(conn, req, r)
	})
	return nil
}

// EventRenderer draws the HTML partial a live event carries with the pages'
// own templates. Its Render is the live hub's Renderer: main builds one and
// gives it to live.New, so the hub draws without knowing the web server.
type EventRenderer struct {
	store *store.Store
	views *renderer
	log   *slog.Logger
}

// NewEventRenderer returns the renderer of live events: it draws with tpl,
// the templates the server's pages use (Config.Templates), reads what it
// draws from st, and logs what it cannot draw to log (nil for nowhere).
func NewEventRenderer(st *store.Store, tpl *Templates, log *slog.Logger) *EventRenderer {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &EventRenderer{store: st, views: tpl.r, log: log}
}

// Render draws the partial ev carries, in lang ("ko", "en", "zh"); "" when
// the event needs none (counts travel in data) or it cannot be drawn, which
// it logs. It implements live.Renderer.
func (r *EventRenderer) Render(ev forum.Event, lang string) string {
	html, err := r.html(ev, lang)
	if err != nil {
		r.log.Error("live: render", "event", ev.ID, "type", ev.Type, "err", err)
		return ""
	}
	return html
}

// html draws ev's partial in lang: "" for an event without one, and for a
// comment or response a guest may not read, since it is drawn once for
// every subscriber.
func (r *EventRenderer) html(ev forum.Event, lang string) (string, error) {
	payload, err := ev.Payload()
	if err != nil {
		return "", err
	}
	ctx := context.Background()
	var name string
	var data any
	switch d := payload.(type) {
	case forum.CommentCreatedEvent:
		return r.commentHTML(ctx, d.CommentID, lang)
	case forum.CommentUpdatedEvent:
		return r.commentHTML(ctx, d.CommentID, lang)
	case forum.CommentDeletedEvent:
		return r.commentHTML(ctx, d.CommentID, lang)
	case forum.CommentHiddenEvent:
		return r.commentHTML(ctx, d.CommentID, lang)
	case forum.CommentRestoredEvent:
		return r.commentHTML(ctx, d.CommentID, lang)
	case forum.ProposalStatusEvent:
		name, data = "status-badge", d.Status
	case forum.DebateOpenedEvent:
		name, data = "debate-status", d.Status
	case forum.DebateClosedEvent:
		name, data = "debate-status", d.Status
	case forum.ResponsePublishedEvent:
		p, err := r.store.Proposal(ctx, d.ProposalID)
		if err != nil || forum.ResponseVisibility(p, nil) != forum.Seen {
			return "", nil
		}
		ms, err := r.store.Ministries(ctx)
		if err != nil {
			return "", fmt.Errorf("load ministries: %w", err)
		}
		b, err := loadAnswerBlock(ctx, r.store, p, directory{Ministries: ms}, lang)
		if err != nil {
			return "", fmt.Errorf("load the answer to %d: %w", d.ProposalID, err)
		}
		name, data = "official-answers", b
	case forum.ProposalEditedEvent: // an edit shown (an author's, or a moderator's approval): the title and text anew
		p, err := r.store.Proposal(ctx, d.ProposalID)
		if err != nil || p.VisibilityTo(nil) != forum.Seen {
			return "", nil
		}
		name, data = "proposal-edited", p
	case forum.AnswerRatedEvent:
		p, err := r.store.Proposal(ctx, d.ProposalID)
		if err != nil || forum.ResponseVisibility(p, nil) != forum.Seen {
			return "", nil
		}
		scores, err := r.store.AnswerScores(ctx, d.ProposalID)
		if err != nil {
			return "", fmt.Errorf("load the answer ratings of %d: %w", d.ProposalID, err)
		}
		sc := ratingScore{AnswerRoundScore: forum.AnswerRoundScore{Round: d.Round}, Needed: r.store.Settings().AnswerObjections, ShowObjections: d.Round == 1}
		for _, x := range scores {
			if x.Round == d.Round {
				sc.AnswerRoundScore = x
			}
		}
		name, data = "answer-score", sc
	case forum.DebateConcludedEvent:
		db, err := r.store.Debate(ctx, d.DebateID)
		if err != nil {
			return "", fmt.Errorf("load debate %d: %w", d.DebateID, err)
		}
		name, data = "debate-conclusion", db
	default:
		return "", nil
	}
	html, err := r.views.partial(lang, name, data)
	return string(html), err
}

// commentHTML draws comment id as a guest would see it; "" when a guest may
// not read its thread.
func (r *EventRenderer) commentHTML(ctx context.Context, id int64, lang string) (string, error) {
	cm, err := r.store.Comment(ctx, id)
	if err != nil {
		return "", fmt.Errorf("load comment %d: %w", id, err)
	}
	if !r.publicThread(ctx, cm) {
		return "", nil
	}
	html, err := r.views.partial(lang, "comment", map[string]any{"C": cm, "T": &thread{Subject: cm.Subject(), Path: cm.Subject().Path(), Open: true, Live: true}})
	return string(html), err
}

// publicThread reports whether a guest may read the thread cm hangs under.
func (r *EventRenderer) publicThread(ctx context.Context, cm *forum.Comment) bool {
	if cm.DebateID != 0 {
		d, err := r.store.Debate(ctx, cm.DebateID)
		return err == nil && forum.DebateVisibility(d, nil) == forum.Seen
	}
	p, err := r.store.Proposal(ctx, cm.ProposalID)
	return err == nil && p.VisibilityTo(nil) == forum.Seen
}
