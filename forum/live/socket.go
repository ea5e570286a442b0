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
//
// An idle socket costs one goroutine, its reader: a writer runs only while
// the socket has something to send (frames, a ping, a close frame), and
// pings wait on a timer, not a goroutine.
type Sockets struct {
	hub      *Hub
	opt      SocketOptions
	upgrader websocket.Upgrader
	open     atomic.Int64 // sockets reserved now

	mu      sync.Mutex
	perIP   map[string]int
	closing bool
	wg      sync.WaitGroup       // serving sockets, so Close can wait for their close frames
	serving map[*socket]struct{} // every socket streaming now, which Close tells goodbye
	// byUser holds, for each signed-in account with open sockets, those
	// sockets, which its suspension or ban closes.
	byUser map[int64]map[*socket]struct{}
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
	s := &Sockets{hub: hub, opt: opt, perIP: map[string]int{}, serving: map[*socket]struct{}{}, byUser: map[int64]map[*socket]struct{}{}}
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
// account is suspended, or Close. Serve owns conn from then on: it releases
// r.IP's reservation (Reserve must have succeeded) and closes conn when the
// socket ends. It returns once the socket streams, or has ended when it
// could not: the socket goes on in a goroutine of its own, its reader, which
// starts with a small stack since the handshake and the replay ran here.
func (s *Sockets) Serve(conn net.Conn, req *http.Request, r Request) {
	if c := s.accept(conn, req, r); c != nil {
		go c.read(s, r.IP, conn)
	}
}

// accept upgrades conn and subscribes it; on failure it says why to the
// client when it can, releases the reservation, closes conn and returns nil.
func (s *Sockets) accept(conn net.Conn, req *http.Request, r Request) *socket {
	_ = conn.SetDeadline(time.Time{}) // the HTTP server's deadlines no longer apply; ours follow
	w := &hijacked{conn: conn, header: http.Header{}}
	ws, err := s.upgrader.Upgrade(w, req, nil)
	if err != nil {
		s.release(r.IP)
		conn.Close()
		return nil
	}
	// The read deadline is set before anything may end reading (closeSocket), so that it cannot undo that.
	ws.SetReadLimit(maxInbound)
	_ = ws.SetReadDeadline(time.Now().Add(readWait))
	ws.SetPongHandler(func(string) error { return ws.SetReadDeadline(time.Now().Add(readWait)) })
	c := &socket{ws: ws, user: r.UserID}
	if !s.track(c) {
		closeSocket(ws, websocket.CloseGoingAway, "server shutting down")
		s.release(r.IP)
		conn.Close()
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	sub, err := s.hub.Subscribe(ctx, r.Filter, r.Lang, r.Since)
	cancel()
	if err != nil {
		c.stop() // waits for a goodbye (suspension, shutdown) on its way out
		if errors.Is(err, ErrReplayGap) {
			_ = ws.SetWriteDeadline(time.Now().Add(writeWait))
			_ = ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"reload"}`))
			closeSocket(ws, websocket.CloseNormalClosure, "reload")
		} else {
			closeSocket(ws, websocket.CloseTryAgainLater, "unavailable")
		}
		s.untrack(c)
		s.release(r.IP)
		conn.Close()
		return nil
	}
	c.start(sub)
	return c
}

// read reads c until the client closes or is silent too long, or the
// writer ends reading; then it ends the socket: its subscription, its
// writer, its place in s, the reservation of ip and conn.
func (c *socket) read(s *Sockets, ip string, conn net.Conn) {
	defer s.release(ip)
	defer conn.Close()
	defer s.untrack(c)
	defer c.sub.Close()
	defer c.stop()
	for {
		if _, _, err := c.ws.NextReader(); err != nil {
			return
		}
	}
}

// socket is one served websocket: its reader is the goroutine Serve starts, and its
// writer a goroutine that wake starts when there is something to send and
// that ends when there is nothing left, so only one ever writes.
type socket struct {
	ws   *websocket.Conn
	user int64 // the signed-in account, 0 for a guest
	sub  *Subscription
	ping *time.Timer

	mu      sync.Mutex
	writing bool                  // a writer runs
	more    bool                  // wake was called while it ran: it must look again
	pingDue bool                  // the ping timer fired
	bye     *websocket.CloseError // the close frame to send, once set
	done    bool                  // nothing more is written: goodbye sent, a write failed, or Serve ends
	writer  sync.WaitGroup        // the running writer, which stop waits for
}

// start streams sub on c and arms the ping timer.
func (c *socket) start(sub *Subscription) {
	c.sub = sub
	c.mu.Lock()
	c.ping = time.AfterFunc(pingEvery, func() { c.wake(func() { c.pingDue = true }) })
	c.mu.Unlock()
	sub.OnReady(func() { c.wake(nil) })
}

// goodbye has c send a close frame with code and reason, then stop.
func (c *socket) goodbye(code int, reason string) {
	c.wake(func() {
		if c.bye == nil {
			c.bye = &websocket.CloseError{Code: code, Text: reason}
		}
	})
}

// wake applies set (which may be nil) under c's lock and makes sure a
// writer runs to act on it; it never blocks on the connection.
func (c *socket) wake(set func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if set != nil {
		set()
	}
	if c.done {
		return
	}
	if c.writing {
		c.more = true
		return
	}
	c.writing = true
	c.writer.Add(1)
	go c.write()
}

// write sends what there is to send: the close frame when one is due, else
// a due ping and every frame waiting in the subscription, and ends when
// there is nothing left.
func (c *socket) write() {
	defer c.writer.Done()
	for {
		c.mu.Lock()
		if c.done {
			c.writing = false
			c.mu.Unlock()
			return
		}
		bye, ping := c.bye, c.pingDue
		c.pingDue, c.more = false, false
		c.mu.Unlock()
		switch {
		case bye != nil:
			c.end()
			closeSocket(c.ws, bye.Code, bye.Text)
			return
		case ping:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				c.fail()
				return
			}
			c.ping.Reset(pingEvery)
		}
		if !c.drain() {
			return
		}
		c.mu.Lock()
		if !c.more {
			c.writing = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
	}
}

// drain sends the frames waiting in the subscription without waiting for
// more. When the hub has closed it, it queues the close frame that says
// why. It reports false when the connection failed.
func (c *socket) drain() bool {
	for {
		var f *Frame
		var ok bool
		select {
		case f, ok = <-c.sub.C():
		default:
			return true
		}
		if !ok {
			if c.sub.Dropped() {
				c.goodbye(websocket.CloseTryAgainLater, "too slow: reconnect with since")
			} else {
				c.goodbye(websocket.CloseGoingAway, "server shutting down")
			}
			return true
		}
		_ = c.ws.SetWriteDeadline(time.Now().Add(writeWait))
		var err error
		if f.prepared != nil {
			err = c.ws.WritePreparedMessage(f.prepared)
		} else {
			err = c.ws.WriteMessage(websocket.TextMessage, f.JSON)
		}
		if err != nil {
			c.fail()
			return false
		}
	}
}

// end marks c as written for good, so no writer starts again.
func (c *socket) end() {
	c.mu.Lock()
	c.done, c.writing = true, false
	c.mu.Unlock()
}

// fail ends c after a failed write: nothing more is written, and the reader stops.
func (c *socket) fail() {
	c.end()
	_ = c.ws.SetReadDeadline(time.Now())
}

// stop ends c's writing and waits for a running writer, which the
// connection's close would end anyway.
func (c *socket) stop() {
	if c.ping != nil {
		c.ping.Stop()
	}
	c.mu.Lock()
	c.done = true
	c.mu.Unlock()
	c.writer.Wait()
}

// closeSocket sends a close frame and ends reading: on a hijacked connection
// Close alone does not wake a blocked reader.
func closeSocket(ws *websocket.Conn, code int, reason string) {
	_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	_ = ws.SetReadDeadline(time.Now())
}

// track counts c in, or reports false when the endpoint is already closing.
func (s *Sockets) track(c *socket) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.wg.Add(1)
	s.serving[c] = struct{}{}
	if c.user != 0 {
		if s.byUser[c.user] == nil {
			s.byUser[c.user] = map[*socket]struct{}{}
		}
		s.byUser[c.user][c] = struct{}{}
	}
	return true
}

// untrack counts c out once Serve is done with it.
func (s *Sockets) untrack(c *socket) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.serving, c)
	if set, ok := s.byUser[c.user]; ok {
		delete(set, c)
		if len(set) == 0 {
			delete(s.byUser, c.user)
		}
	}
	s.wg.Done()
}

// Kick closes every open socket of userID with a policy-violation close frame.
func (s *Sockets) Kick(userID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.byUser[userID] {
		c.goodbye(websocket.ClosePolicyViolation, "account suspended")
	}
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
	s.closing = true
	for c := range s.serving {
		c.goodbye(websocket.CloseGoingAway, "server shutting down")
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
