package web

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/live"
	"github.com/e-people/e-people/forum/store"
	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/websocket"
)

// Live channel timing and limits.
const (
	livePingEvery    = 30 * time.Second
	liveReadWait     = 75 * time.Second // a client silent this long (no pong) is gone
	liveWriteWait    = 10 * time.Second
	liveMaxInbound   = 512 // bytes: clients only answer pings
	liveMaxTopics    = 20
	liveDefaultPerIP = 64
)

// sockets tracks open live connections, per IP and in all.
type sockets struct {
	mu      sync.Mutex
	perIP   map[string]int
	open    atomic.Int64 // sockets open now
	closing bool
	stop    chan struct{}  // closed at shutdown: every socket then says goodbye itself
	wg      sync.WaitGroup // open sockets, so shutdown can wait for their close frames
	// byUser holds, for each signed-in account with open sockets, a channel
	// per socket; closing it makes that socket say goodbye (suspension, ban).
	byUser map[int64]map[chan struct{}]struct{}
}

// watch registers a socket of userID and returns the channel that tells it
// to close, and the function that unregisters it. Sockets of visitors who
// are not signed in (userID 0) get a nil channel, which never fires.
func (l *sockets) watch(userID int64) (kick chan struct{}, done func()) {
	if userID == 0 {
		return nil, func() {}
	}
	kick = make(chan struct{})
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byUser == nil {
		l.byUser = map[int64]map[chan struct{}]struct{}{}
	}
	if l.byUser[userID] == nil {
		l.byUser[userID] = map[chan struct{}]struct{}{}
	}
	l.byUser[userID][kick] = struct{}{}
	return kick, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if set, ok := l.byUser[userID]; ok {
			if _, ok := set[kick]; ok {
				delete(set, kick)
				if len(set) == 0 {
					delete(l.byUser, userID)
				}
			}
		}
	}
}

// kick tells every open socket of userID to close.
func (l *sockets) kick(userID int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for ch := range l.byUser[userID] {
		close(ch)
	}
	delete(l.byUser, userID)
}

// closeSuspended closes the live sockets of every account that events
// suspend or ban: the store writes a forum.NoteSuspended notification on
// the account's own topic in the transaction that suspends it, so every
// way of suspending, present or future, ends up here, after commit.
func (s *Server) closeSuspended(events []forum.Event) {
	for _, ev := range events {
		if ev.Type != forum.EventNotification {
			continue
		}
		arg, ok := strings.CutPrefix(ev.Topic, "user:")
		if !ok {
			continue
		}
		id, err := strconv.ParseInt(arg, 10, 64)
		if err != nil || forum.UserTopic(id) != ev.Topic {
			continue
		}
		p, err := ev.Payload()
		if n, ok := p.(forum.NotificationEvent); err == nil && ok && n.Kind == forum.NoteSuspended {
			s.live.kick(id)
		}
	}
}

// eventSource lets the hub replay from the store.
type eventSource struct{ st *store.Store }

func (e eventSource) EventsAfter(ctx context.Context, f live.Filter, after int64, limit int) ([]forum.Event, error) {
	return e.st.EventsAfter(ctx, f.Topics, f.Feed, after, limit)
}

func (e eventSource) MinEventID(ctx context.Context) (int64, error) { return e.st.MinEventID(ctx) }

// sameOrigin accepts a handshake only from a page of this site: the Origin
// must name the host the request was sent to, or the configured base URL.
func (s *Server) sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	if err != nil || origin == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	if strings.EqualFold(u.Host, host) {
		return true
	}
	base, err := url.Parse(s.cfg.BaseURL)
	return err == nil && base.Host != "" && strings.EqualFold(u.Host, base.Host) && u.Scheme == base.Scheme
}

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
			f.Topics = append(f.Topics, forum.UserTopic(u.ID))
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
// first; then the fasthttp connection is hijacked and handed to gorilla.
func (s *Server) handleLive(c *fiber.Ctx) error {
	if !strings.Contains(strings.ToLower(c.Get(fiber.HeaderConnection)), "upgrade") || !strings.EqualFold(c.Get(fiber.HeaderUpgrade), "websocket") {
		return fiber.NewError(fiber.StatusUpgradeRequired, "err.live_upgrade")
	}
	if !s.sameOrigin(c.Get(fiber.HeaderOrigin), c.Hostname()) {
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
	if !s.live.acquire(ip, s.cfg.LivePerIP) {
		return forum.ErrRateLimited
	}
	req := &http.Request{Method: http.MethodGet, Header: http.Header{}, Host: c.Hostname(), RequestURI: c.OriginalURL()}
	req.URL, _ = url.ParseRequestURI(c.OriginalURL())
	c.Request().Header.VisitAll(func(k, v []byte) { req.Header.Add(string(k), string(v)) })
	lang := s.lang(c)
	var userID int64
	if u := currentUser(c); u != nil {
		userID = u.ID
	}
	c.Context().HijackSetNoResponse(true)
	c.Context().Hijack(func(conn net.Conn) {
		defer s.live.release(ip)
		s.serveSocket(conn, req, f, lang, since, userID)
	})
	return nil
}

func (l *sockets) acquire(ip string, limit int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closing || l.perIP[ip] >= limit {
		return false
	}
	l.perIP[ip]++
	l.open.Add(1)
	return true
}

func (l *sockets) release(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.perIP[ip]--; l.perIP[ip] <= 0 {
		delete(l.perIP, ip)
	}
	l.open.Add(-1)
}

// LiveSockets reports how many live sockets are open.
func (s *Server) LiveSockets() int { return int(s.live.open.Load()) }

// track counts a socket in, or false when the server is already closing.
func (l *sockets) track() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closing {
		return false
	}
	l.wg.Add(1)
	return true
}

// hijacked is the http.ResponseWriter and http.Hijacker gorilla needs, over
// the raw connection fasthttp handed over.
type hijacked struct {
	conn   net.Conn
	header http.Header
	status int
}

func (h *hijacked) Header() http.Header { return h.header }
func (h *hijacked) WriteHeader(code int) {
	if h.status != 0 {
		return
	}
	h.status = code
	fmt.Fprintf(h.conn, "HTTP/1.1 %d %s\r\n", code, http.StatusText(code))
	h.header.Set("Connection", "close")
	_ = h.header.Write(h.conn)
	fmt.Fprint(h.conn, "\r\n")
}
func (h *hijacked) Write(b []byte) (int, error) {
	h.WriteHeader(http.StatusOK)
	return h.conn.Write(b)
}
func (h *hijacked) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return h.conn, bufio.NewReadWriter(bufio.NewReaderSize(h.conn, 16), bufio.NewWriterSize(h.conn, 16)), nil
}

// serveSocket streams the events f selects to the socket on conn; userID,
// when not 0, is the signed-in account the socket closes for if it is
// suspended or banned.
func (s *Server) serveSocket(conn net.Conn, req *http.Request, f live.Filter, lang string, since int64, userID int64) {
	_ = conn.SetDeadline(time.Time{}) // fasthttp's deadlines no longer apply; ours follow
	w := &hijacked{conn: conn, header: http.Header{}}
	ws, err := s.upgrader.Upgrade(w, req, nil)
	if err != nil {
		conn.Close()
		return
	}
	// Only this goroutine writes to ws, and it returns only after the reader
	// has stopped: once it returns, fasthttp closes and recycles the connection.
	if !s.live.track() {
		closeSocket(ws, websocket.CloseGoingAway, "server shutting down")
		return
	}
	defer s.live.wg.Done()
	kick, unwatch := s.live.watch(userID)
	defer unwatch()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	sub, err := s.hub.Subscribe(ctx, f, lang, since)
	cancel()
	switch {
	case errors.Is(err, live.ErrReplayGap):
		_ = ws.SetWriteDeadline(time.Now().Add(liveWriteWait))
		_ = ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"reload"}`))
		closeSocket(ws, websocket.CloseNormalClosure, "reload")
		return
	case err != nil:
		closeSocket(ws, websocket.CloseTryAgainLater, "unavailable")
		return
	}
	defer sub.Close()

	gone := make(chan struct{})
	defer func() {
		_ = ws.SetReadDeadline(time.Now())
		<-gone
	}()
	go func() { // reader: answers pings, notices a closed or silent client
		defer close(gone)
		ws.SetReadLimit(liveMaxInbound)
		_ = ws.SetReadDeadline(time.Now().Add(liveReadWait))
		ws.SetPongHandler(func(string) error { return ws.SetReadDeadline(time.Now().Add(liveReadWait)) })
		for {
			if _, _, err := ws.NextReader(); err != nil {
				return
			}
		}
	}()
	ping := time.NewTicker(livePingEvery)
	defer ping.Stop()
	for {
		select {
		case msg, ok := <-sub.C():
			if !ok {
				if sub.Dropped() {
					closeSocket(ws, websocket.CloseTryAgainLater, "too slow: reconnect with since")
				} else {
					closeSocket(ws, websocket.CloseGoingAway, "server shutting down")
				}
				return
			}
			_ = ws.SetWriteDeadline(time.Now().Add(liveWriteWait))
			if err := ws.WriteMessage(websocket.TextMessage, msg); err != nil {
				return
			}
		case <-ping.C:
			if err := ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(liveWriteWait)); err != nil {
				return
			}
		case <-gone:
			return
		case <-s.live.stop:
			closeSocket(ws, websocket.CloseGoingAway, "server shutting down")
			return
		case <-kick:
			closeSocket(ws, websocket.ClosePolicyViolation, "account suspended")
			return
		}
	}
}

// closeSocket sends a close frame and ends reading: on a hijacked connection
// Close alone does not wake a blocked reader.
func closeSocket(ws *websocket.Conn, code int, reason string) {
	_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	_ = ws.SetReadDeadline(time.Now())
}

// closeLive has every live socket send a close frame, waits for them until
// ctx ends, and stops the hub.
func (s *Server) closeLive(ctx context.Context) {
	s.live.mu.Lock()
	if !s.live.closing {
		s.live.closing = true
		close(s.live.stop)
	}
	s.live.mu.Unlock()
	done := make(chan struct{})
	go func() { s.live.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	s.hub.Close()
}

// LiveStats reports live subscribers and how many were dropped for being slow.
func (s *Server) LiveStats() (subscribers int, dropped int64) { return s.hub.Stats() }

// renderEvent draws the partial a live event carries, in lang, with the same
// templates as the pages; "" when the event needs none (counts travel in
// data) or it cannot be drawn, which it logs.
func (s *Server) renderEvent(ev forum.Event, lang string) string {
	html, err := s.eventHTML(ev, lang)
	if err != nil {
		s.log.Error("live: render", "event", ev.ID, "type", ev.Type, "err", err)
		return ""
	}
	return html
}

// eventHTML draws ev's partial in lang: "" for an event without one, and
// for a comment or response a guest may not read, since it is drawn once
// for every subscriber.
func (s *Server) eventHTML(ev forum.Event, lang string) (string, error) {
	payload, err := ev.Payload()
	if err != nil {
		return "", err
	}
	ctx := context.Background()
	var name string
	var data any
	switch d := payload.(type) {
	case forum.CommentCreatedEvent:
		return s.commentHTML(ctx, d.CommentID, lang)
	case forum.CommentUpdatedEvent:
		return s.commentHTML(ctx, d.CommentID, lang)
	case forum.CommentDeletedEvent:
		return s.commentHTML(ctx, d.CommentID, lang)
	case forum.CommentHiddenEvent:
		return s.commentHTML(ctx, d.CommentID, lang)
	case forum.CommentRestoredEvent:
		return s.commentHTML(ctx, d.CommentID, lang)
	case forum.ProposalStatusEvent:
		name, data = "status-badge", d.Status
	case forum.DebateOpenedEvent:
		name, data = "debate-status", d.Status
	case forum.DebateClosedEvent:
		name, data = "debate-status", d.Status
	case forum.ResponsePublishedEvent:
		if p, err := s.store.Proposal(ctx, d.ProposalID); err != nil || forum.ResponseVisibility(p, nil) != forum.Seen {
			return "", nil
		}
		r, err := s.store.Response(ctx, d.ProposalID)
		if err != nil {
			return "", fmt.Errorf("load response to %d: %w", d.ProposalID, err)
		}
		ms, err := s.store.Ministries(ctx)
		if err != nil {
			return "", fmt.Errorf("load ministries: %w", err)
		}
		name, data = "official-response", map[string]any{"R": r, "Ministry": directory{Ministries: ms}.Ministry(r.MinistryID), "Lang": lang}
	case forum.DebateConcludedEvent:
		db, err := s.store.Debate(ctx, d.DebateID)
		if err != nil {
			return "", fmt.Errorf("load debate %d: %w", d.DebateID, err)
		}
		name, data = "debate-conclusion", db
	default:
		return "", nil
	}
	html, err := s.views.partial(lang, name, data)
	return string(html), err
}

// commentHTML draws comment id as a guest would see it; "" when a guest may
// not read its thread.
func (s *Server) commentHTML(ctx context.Context, id int64, lang string) (string, error) {
	cm, err := s.store.Comment(ctx, id)
	if err != nil {
		return "", fmt.Errorf("load comment %d: %w", id, err)
	}
	if !s.publicThread(ctx, cm) {
		return "", nil
	}
	html, err := s.views.partial(lang, "comment", map[string]any{"C": cm, "T": &thread{Subject: cm.Subject(), Path: cm.Subject().Path(), Open: true, Live: true}})
	return string(html), err
}

// publicThread reports whether a guest may read the thread cm hangs under.
func (s *Server) publicThread(ctx context.Context, cm *forum.Comment) bool {
	if cm.DebateID != 0 {
		d, err := s.store.Debate(ctx, cm.DebateID)
		return err == nil && forum.DebateVisibility(d, nil) == forum.Seen
	}
	p, err := s.store.Proposal(ctx, cm.ProposalID)
	return err == nil && p.VisibilityTo(nil) == forum.Seen
}
