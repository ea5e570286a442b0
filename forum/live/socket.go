package live

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
	"github.com/gorilla/websocket"
)

// Socket timing and limits.
const (
	pingEvery    = 30 * time.Second
	readWait     = 75 * time.Second // a client silent this long (no pong) is gone
	writeWait    = 10 * time.Second
	maxInbound   = 512 // bytes: clients only answer pings
	defaultPerIP = 64
)

// Sockets is the websocket endpoint. The web server reads a handshake,
// hijacks its connection and hands it to Serve, which upgrades it and
// streams the socket's subscription from the hub. Sockets limits how many
// sockets one client address holds, pings idle ones, and closes them at
// shutdown (Close) and when their account is suspended (CloseSuspended).
type Sockets struct {
	hub      *Hub
	opt      SocketOptions
	upgrader websocket.Upgrader
	open     atomic.Int64 // sockets reserved now

	mu      sync.Mutex
	perIP   map[string]int
	closing bool
	stop    chan struct{}  // closed by Close: every socket then says goodbye itself
	wg      sync.WaitGroup // serving sockets, so Close can wait for their close frames
	// byUser holds, for each signed-in account with open sockets, a channel
	// per socket; closing it makes that socket say goodbye (suspension, ban).
	byUser map[int64]map[chan struct{}]struct{}
}

// SocketOptions configures Sockets; the zero value gives the defaults.
type SocketOptions struct {
	PerIP int // sockets one client address may hold; 64 when 0
	// BaseURL is the site's public origin, which a handshake's Origin may
	// name besides the host it was sent to (see SameOrigin).
	BaseURL string
}

// NewSockets returns the endpoint that streams hub's events to websockets.
func NewSockets(hub *Hub, opt SocketOptions) *Sockets {
	if opt.PerIP <= 0 {
		opt.PerIP = defaultPerIP
	}
	s := &Sockets{hub: hub, opt: opt, perIP: map[string]int{}, byUser: map[int64]map[chan struct{}]struct{}{}, stop: make(chan struct{})}
	s.upgrader = websocket.Upgrader{
		ReadBufferSize:   256,
		WriteBufferSize:  1024,
		WriteBufferPool:  &sync.Pool{}, // idle sockets hold no write buffer
		HandshakeTimeout: 10 * time.Second,
		CheckOrigin:      func(r *http.Request) bool { return s.SameOrigin(r.Header.Get("Origin"), r.Host) },
	}
	return s
}

// SameOrigin accepts a handshake only from a page of this site: origin (the
// Origin header) must name host, the host the request was sent to, or the
// BaseURL.
func (s *Sockets) SameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	if err != nil || origin == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	if strings.EqualFold(u.Host, host) {
		return true
	}
	base, err := url.Parse(s.opt.BaseURL)
	return err == nil && base.Host != "" && strings.EqualFold(u.Host, base.Host) && u.Scheme == base.Scheme
}

// Reserve counts a socket against the client address ip before its
// connection is hijacked. It reports false when ip holds PerIP sockets
// already or the endpoint is closing. Serve releases the reservation.
func (s *Sockets) Reserve(ip string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing || s.perIP[ip] >= s.opt.PerIP {
		return false
	}
	s.perIP[ip]++
	s.open.Add(1)
	return true
}

func (s *Sockets) release(ip string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perIP[ip]--; s.perIP[ip] <= 0 {
		delete(s.perIP, ip)
	}
	s.open.Add(-1)
}

// Open reports how many sockets are open (reserved and not yet ended).
func (s *Sockets) Open() int { return int(s.open.Load()) }

// Request is what one socket streams, read from its handshake.
type Request struct {
	Filter Filter
	Lang   string // the language of the HTML partials: "ko", "en" or "zh"
	Since  int64  // the last event id the page has seen; 0 for none
	UserID int64  // the signed-in account, whose suspension closes the socket; 0 for a guest
	IP     string // the client address Reserve counted the socket against
}

// Serve upgrades conn, a connection hijacked after req's handshake was
// read, to a websocket and streams the events r selects on it until the
// client goes or is silent too long, the hub drops it for being slow, its
// account is suspended, or Close. It releases r.IP's reservation (Reserve
// must have succeeded), and returns only once nothing reads or writes conn.
func (s *Sockets) Serve(conn net.Conn, req *http.Request, r Request) {
	defer s.release(r.IP)
	_ = conn.SetDeadline(time.Time{}) // the HTTP server's deadlines no longer apply; ours follow
	w := &hijacked{conn: conn, header: http.Header{}}
	ws, err := s.upgrader.Upgrade(w, req, nil)
	if err != nil {
		conn.Close()
		return
	}
	// Only this goroutine writes to ws, and it returns only after the reader
	// has stopped: once it returns, the HTTP server closes and recycles the connection.
	if !s.track() {
		closeSocket(ws, websocket.CloseGoingAway, "server shutting down")
		return
	}
	defer s.wg.Done()
	kick, unwatch := s.watch(r.UserID)
	defer unwatch()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	sub, err := s.hub.Subscribe(ctx, r.Filter, r.Lang, r.Since)
	cancel()
	switch {
	case errors.Is(err, ErrReplayGap):
		_ = ws.SetWriteDeadline(time.Now().Add(writeWait))
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
		ws.SetReadLimit(maxInbound)
		_ = ws.SetReadDeadline(time.Now().Add(readWait))
		ws.SetPongHandler(func(string) error { return ws.SetReadDeadline(time.Now().Add(readWait)) })
		for {
			if _, _, err := ws.NextReader(); err != nil {
				return
			}
		}
	}()
	ping := time.NewTicker(pingEvery)
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
			_ = ws.SetWriteDeadline(time.Now().Add(writeWait))
			if err := ws.WriteMessage(websocket.TextMessage, msg); err != nil {
				return
			}
		case <-ping.C:
			if err := ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				return
			}
		case <-gone:
			return
		case <-s.stop:
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

// track counts a socket in, or reports false when the endpoint is already closing.
func (s *Sockets) track() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.wg.Add(1)
	return true
}

// watch registers a socket of userID and returns the channel that tells it
// to close, and the function that unregisters it. Sockets of visitors who
// are not signed in (userID 0) get a nil channel, which never fires.
func (s *Sockets) watch(userID int64) (kick chan struct{}, done func()) {
	if userID == 0 {
		return nil, func() {}
	}
	kick = make(chan struct{})
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byUser[userID] == nil {
		s.byUser[userID] = map[chan struct{}]struct{}{}
	}
	s.byUser[userID][kick] = struct{}{}
	return kick, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if set, ok := s.byUser[userID]; ok {
			if _, ok := set[kick]; ok {
				delete(set, kick)
				if len(set) == 0 {
					delete(s.byUser, userID)
				}
			}
		}
	}
}

// Kick closes every open socket of userID with a policy-violation close frame.
func (s *Sockets) Kick(userID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch := range s.byUser[userID] {
		close(ch)
	}
	delete(s.byUser, userID)
}

// CloseSuspended closes the sockets of every account that events suspend
// or ban: the store writes a forum.NoteSuspended notification on the
// account's own topic in the transaction that suspends it, so every way of
// suspending, present or future, ends up here. Call it with every commit's
// events, after handing them to the hub's Publish.
func (s *Sockets) CloseSuspended(events []forum.Event) {
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
			s.Kick(id)
		}
	}
}

// Close has every socket send a close frame, refuses new ones, and waits
// for them until ctx ends. Close the sockets before shutting the HTTP
// server down: it does not wait for hijacked connections, so a process that
// stopped the server first could exit before the close frames went out.
// The hub goes on until its own Close.
func (s *Sockets) Close(ctx context.Context) {
	s.mu.Lock()
	if !s.closing {
		s.closing = true
		close(s.stop)
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// hijacked is the http.ResponseWriter and http.Hijacker gorilla needs, over
// the raw connection the HTTP server handed over.
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
