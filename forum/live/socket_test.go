package live

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/gorilla/websocket"
)

// serveSockets serves s on a loopback HTTP server that does what the web
// server does: reads the handshake (topic, since and user in the query),
// reserves a socket for the client address, hijacks the connection and
// hands it to s. It returns the server's ws:// URL.
func serveSockets(t testing.TB, s *Sockets) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		since, _ := strconv.ParseInt(q.Get("since"), 10, 64)
		user, _ := strconv.ParseInt(q.Get("user"), 10, 64)
		ip, _, _ := strings.Cut(r.RemoteAddr, ":")
		if !s.Reserve(ip) {
			http.Error(w, "too many sockets", http.StatusTooManyRequests)
			return
		}
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		s.Serve(conn, r, Request{Filter: Filter{Topics: []string{q.Get("topic")}}, Lang: "ko", Since: since, UserID: user, IP: ip})
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// dial opens a socket on base with query, from a page of base's own origin
// unless origin says otherwise.
func dial(t *testing.T, base, query, origin string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	if origin == "" {
		origin = "http" + strings.TrimPrefix(base, "ws")
	}
	ws, res, err := websocket.DefaultDialer.Dial(base+"/?"+query, http.Header{"Origin": {origin}})
	if err == nil {
		t.Cleanup(func() { ws.Close() })
	}
	return ws, res, err
}

// read reads one message, or the error that ends the socket.
func read(t *testing.T, ws *websocket.Conn) (Message, error) {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	var m Message
	_, b, err := ws.ReadMessage()
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	return m, err
}

// closeCode is the close frame's code that err carries, or 0.
func closeCode(err error) int {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return 0
}

// A socket replays what its page missed, then streams live events of its
// topic only, and ends with a going-away close frame when the endpoint
// closes, which refuses new sockets from then on.
func TestSockets_ReplayLiveAndClose(t *testing.T) {
	src := &memSource{}
	h := startHub(t, src, func(ev forum.Event, lang string) string { return "<p>" + lang + "</p>" }, Options{})
	s := NewSockets(h, SocketOptions{})
	base := serveSockets(t, s)
	src.add(event(1, "proposal:1", true), event(2, "proposal:2", true), event(3, "proposal:1", true))
	ws, _, err := dial(t, base, "topic=proposal:1&since=1", "")
	if err != nil {
		t.Fatal(err)
	}
	if m, err := read(t, ws); err != nil || m.ID != 3 || m.HTML != "<p>ko</p>" {
		t.Fatalf("replayed %+v, %v; want event 3 drawn in Korean", m, err)
	}
	commit(h, src, event(4, "proposal:2", true), event(5, "proposal:1", true))
	if m, err := read(t, ws); err != nil || m.ID != 5 {
		t.Fatalf("live %+v, %v; want event 5", m, err)
	}
	if s.Open() != 1 {
		t.Errorf("Open() = %d, want 1", s.Open())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() { s.Close(ctx); close(done) }()
	if _, err := read(t, ws); closeCode(err) != websocket.CloseGoingAway {
		t.Fatalf("after Close: %v, want close 1001", err)
	}
	<-done
	if s.Reserve("192.0.2.1") {
		t.Error("a closed endpoint reserves a socket")
	}
}

// A page whose missed events are gone is told to reload, in a message its
// script understands, and the socket closes normally.
func TestSockets_GapAsksForReload(t *testing.T) {
	src := &memSource{}
	src.add(event(10, "proposal:1", true))
	s := NewSockets(startHub(t, src, nil, Options{}), SocketOptions{})
	ws, _, err := dial(t, serveSockets(t, s), "topic=proposal:1&since=3", "")
	if err != nil {
		t.Fatal(err)
	}
	if m, err := read(t, ws); err != nil || m.Type != "reload" {
		t.Fatalf("got %+v, %v; want a reload", m, err)
	}
	if _, err := read(t, ws); closeCode(err) != websocket.CloseNormalClosure {
		t.Fatalf("after the reload: %v, want close 1000", err)
	}
}

// Handshakes from another site's pages are refused, and one client
// address holds at most PerIP sockets, getting its place back when one ends.
func TestSockets_OriginAndPerIPLimit(t *testing.T) {
	h := startHub(t, &memSource{}, nil, Options{})
	site := NewSockets(h, SocketOptions{BaseURL: "https://e-people.example"})
	base := serveSockets(t, site)
	for _, origin := range []string{"http://evil.example", "https://e-people.example.evil", "http://e-people.example", "null"} {
		if _, res, err := dial(t, base, "topic=feed", origin); err == nil || res == nil || res.StatusCode != http.StatusForbidden {
			t.Errorf("origin %s: %v %v, want 403", origin, res, err)
		}
	}
	if _, _, err := dial(t, base, "topic=feed", "https://e-people.example"); err != nil {
		t.Errorf("origin of the base URL: %v", err)
	}
	if !site.SameOrigin("http://127.0.0.1:8080", "127.0.0.1:8080") {
		t.Error("the origin of the host asked is refused")
	}

	s := NewSockets(h, SocketOptions{PerIP: 1})
	base = serveSockets(t, s)
	deadline := time.Now().Add(10 * time.Second)
	first, _, err := dial(t, base, "topic=feed", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, res, err := dial(t, base, "topic=feed", ""); err == nil || res == nil || res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("second socket from one address: %v %v, want 429", res, err)
	}
	first.Close()
	for {
		if _, _, err := dial(t, base, "topic=feed", ""); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the address never got its place back")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A suspension's notification closes that account's sockets with a policy
// violation; other sockets stay open.
func TestSockets_CloseSuspended(t *testing.T) {
	src := &memSource{}
	h := startHub(t, src, nil, Options{})
	s := NewSockets(h, SocketOptions{})
	base := serveSockets(t, s)
	src.add(event(1, "proposal:9", true)) // the sockets replay from here, so none misses what follows
	suspended, _, err := dial(t, base, "topic=user:7&user=7&since=1", "")
	if err != nil {
		t.Fatal(err)
	}
	bystander, _, err := dial(t, base, "topic=proposal:1&user=8&since=1", "")
	if err != nil {
		t.Fatal(err)
	}
	note := func(id, user int64, kind string) forum.Event {
		data, _ := json.Marshal(forum.NotificationEvent{Kind: kind, NotificationID: id, Unread: 1})
		return forum.Event{ID: id, Topic: forum.UserTopic(user), Type: forum.EventNotification, Data: data, CreatedAt: testNow}
	}
	evs := []forum.Event{note(2, 8, forum.NoteReply), note(3, 7, forum.NoteReply)}
	commit(h, src, evs...)
	s.CloseSuspended(evs) // no suspension: nothing closes
	if m, err := read(t, suspended); err != nil || m.ID != 3 {
		t.Fatalf("suspended-to-be: %+v, %v; want notification 3", m, err)
	}
	evs = []forum.Event{note(4, 7, forum.NoteSuspended)}
	commit(h, src, evs...)
	s.CloseSuspended(evs)
	for {
		_, err := read(t, suspended)
		if err == nil {
			continue // its own notification may come first
		}
		if closeCode(err) != websocket.ClosePolicyViolation {
			t.Fatalf("suspended: %v, want close 1008", err)
		}
		break
	}
	commit(h, src, event(5, "proposal:1", true))
	if m, err := read(t, bystander); err != nil || m.ID != 5 {
		t.Fatalf("bystander: %+v, %v; want event 5", m, err)
	}
}

// An idle socket costs the server one goroutine, its reader: a writer runs
// only while there is something to send. Every socket of one language gets
// the same bytes for an event, and once they are sent the writers are gone.
func TestSockets_OneGoroutinePerIdleSocket(t *testing.T) {
	src := &memSource{}
	h := startHub(t, src, func(ev forum.Event, lang string) string { return "<p>" + lang + "</p>" }, Options{})
	s := NewSockets(h, SocketOptions{PerIP: 1000})
	base := serveSockets(t, s)
	const n = 100
	before := runtime.NumGoroutine()
	var sockets []*websocket.Conn
	for range n {
		ws, _, err := dial(t, base, "topic=proposal:1", "")
		if err != nil {
			t.Fatal(err)
		}
		sockets = append(sockets, ws)
	}
	settled := func(what string) {
		t.Helper()
		// Handshakes and writers end on their own: wait for them, then count.
		for end := time.Now().Add(10 * time.Second); runtime.NumGoroutine()-before > n && time.Now().Before(end); {
			time.Sleep(10 * time.Millisecond)
		}
		if got := runtime.NumGoroutine() - before; got > n {
			t.Fatalf("%s: %d sockets hold %d goroutines, want at most one each", what, n, got)
		}
	}
	// The handshake's answer goes out before the hub has the subscription: wait for all of them.
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if subs, _ := h.Stats(); subs == n {
			break
		}
	}
	if subs, _ := h.Stats(); subs != n {
		t.Fatalf("%d subscribers, want %d", subs, n)
	}
	settled("idle")
	commit(h, src, event(1, "proposal:1", false))
	var first []byte
	for i, ws := range sockets {
		_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, b, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("socket %d: %v", i, err)
		}
		if first == nil {
			first = b
		} else if string(b) != string(first) {
			t.Fatalf("socket %d got %s, socket 0 got %s", i, b, first)
		}
	}
	if m := (Message{}); json.Unmarshal(first, &m) != nil || m.ID != 1 || m.HTML != "<p>ko</p>" {
		t.Fatalf("sockets got %s, want event 1 drawn in Korean", first)
	}
	settled("after an event")
}

// BenchmarkIdleSockets reports what an idle socket costs the server: the
// heap and goroutine stacks (after a collection) and the goroutines that
// 2,000 sockets add, per socket. Its clients are bare TCP connections that
// did the handshake by hand, so that they add little of their own.
func BenchmarkIdleSockets(b *testing.B) {
	const n = 2000
	for range b.N {
		b.StopTimer()
		src := &memSource{}
		h := New(src, nil, Options{})
		s := NewSockets(h, SocketOptions{PerIP: n})
		base := serveSockets(b, s)
		addr := strings.TrimPrefix(base, "ws://")
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		g0 := runtime.NumGoroutine()
		b.StartTimer()
		conns := make([]net.Conn, 0, n)
		for range n {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			conns = append(conns, c)
			fmt.Fprintf(c, "GET /?topic=proposal:1 HTTP/1.1\r\nHost: %s\r\nOrigin: http://%s\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"+
				"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", addr, addr)
			if res, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil || res.StatusCode != http.StatusSwitchingProtocols {
				b.Fatalf("handshake: %v %v", res, err)
			}
		}
		b.StopTimer()
		for subs, _ := h.Stats(); subs < n; subs, _ = h.Stats() {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(100 * time.Millisecond) // let the handshakes' server goroutines end
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapInuse+after.StackInuse-before.HeapInuse-before.StackInuse)/n, "B/socket")
		b.ReportMetric(float64(runtime.NumGoroutine()-g0)/n, "goroutines/socket")
		for _, c := range conns {
			c.Close()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		s.Close(ctx)
		cancel()
		h.Close()
	}
}
