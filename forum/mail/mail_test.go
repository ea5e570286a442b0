package mail

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/forum/store/storetest"
	_ "github.com/mattn/go-sqlite3"
)

// received is one message the test server accepted.
type received struct {
	From, To string
	Auth     string // the AUTH PLAIN credentials, "identity\x00user\x00pass"
	TLS      bool   // the message came over TLS
	Data     string
}

// smtpServer is a tiny SMTP server on loopback that records what it receives.
type smtpServer struct {
	ln       net.Listener
	cert     *tls.Config // for STARTTLS, or for every connection when implicit
	implicit bool
	auth     bool // offer AUTH PLAIN
	mu       sync.Mutex
	got      []received
}

func newSMTPServer(t *testing.T, auth bool, cert *tls.Config, implicit bool) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &smtpServer{ln: ln, auth: auth, cert: cert, implicit: implicit}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); srv.serve(c) }()
		}
	}()
	return srv
}

func (srv *smtpServer) messages() []received {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return append([]received(nil), srv.got...)
}

func (srv *smtpServer) serve(conn net.Conn) {
	defer func() { conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	var m received
	if srv.implicit {
		conn = tls.Server(conn, srv.cert)
		m.TLS = true
	}
	r := bufio.NewReader(conn)
	say := func(s string) { fmt.Fprintf(conn, "%s\r\n", s) }
	say("220 test ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			say("250-test")
			if srv.cert != nil && !srv.implicit && !m.TLS {
				say("250-STARTTLS")
			}
			if srv.auth {
				say("250-AUTH PLAIN")
			}
			say("250 8BITMIME")
		case "STARTTLS":
			say("220 ready")
			conn = tls.Server(conn, srv.cert)
			r, m.TLS = bufio.NewReader(conn), true
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			b, err := base64.StdEncoding.DecodeString(resp)
			if mech != "PLAIN" || err != nil {
				say("504 unsupported")
				continue
			}
			m.Auth = string(b)
			say("235 accepted")
		case "MAIL":
			m.From = strings.TrimSuffix(strings.TrimPrefix(strings.Fields(arg)[0], "FROM:<"), ">")
			say("250 ok")
		case "RCPT":
			m.To = strings.TrimSuffix(strings.TrimPrefix(arg, "TO:<"), ">")
			if strings.HasPrefix(m.To, "bounce") {
				say("550 no such user")
				continue
			}
			say("250 ok")
		case "DATA":
			say("354 go ahead")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			m.Data = data.String()
			srv.mu.Lock()
			srv.got = append(srv.got, m)
			srv.mu.Unlock()
			say("250 queued")
		case "RSET", "NOOP":
			say("250 ok")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 unknown")
		}
	}
}

// selfSigned returns a server config and a client pool for a certificate for 127.0.0.1.
func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

// parsed is a received message as a reader sees it.
func parsed(t *testing.T, r received) (subject, body string, hdr mail.Header) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(r.Data))
	if err != nil {
		t.Fatalf("read message: %v\n%s", err, r.Data)
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	return subject, string(b), msg.Header
}

func TestNewSMTP(t *testing.T) {
	for _, tc := range []struct {
		url, addr, wantErr string
		implicit, auth     bool
	}{
		{url: "smtp://mail.example.kr?from=noreply@example.kr", addr: "mail.example.kr:587"},
		{url: "smtp://u:p@mail.example.kr:25?from=noreply@example.kr", addr: "mail.example.kr:25", auth: true},
		{url: "smtps://u:p%40ss@mail.example.kr?from=e-people%20%3Cnoreply@example.kr%3E", addr: "mail.example.kr:465", implicit: true, auth: true},
		{url: "http://mail.example.kr?from=noreply@example.kr", wantErr: "scheme"},
		{url: "smtp://?from=noreply@example.kr", wantErr: "no host"},
		{url: "smtp://mail.example.kr", wantErr: "no from"},
		{url: "smtp://mail.example.kr?from=not-an-address", wantErr: "from address"},
		{url: "smtp://u:secret@mail.example.kr:bad?from=a@b.kr", wantErr: "not a valid URL"},
	} {
		s, err := NewSMTP(tc.url)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "secret") {
				t.Errorf("%s: error %v, want one with %q and no password", tc.url, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.url, err)
			continue
		}
		if s.Addr() != tc.addr || s.implicit != tc.implicit || (s.auth != nil) != tc.auth {
			t.Errorf("%s: addr %s implicit %v auth %v", tc.url, s.Addr(), s.implicit, s.auth != nil)
		}
	}
}

func TestSMTP_Send(t *testing.T) {
	cfg, pool := selfSigned(t)
	for _, tc := range []struct {
		name     string
		auth     bool
		cert     *tls.Config
		implicit bool
		url      string // %s is the server's address
		wantAuth string
		wantTLS  bool
	}{
		{name: "plain", url: "smtp://%s?from=noreply@example.kr"},
		{name: "AUTH PLAIN on loopback", auth: true, url: "smtp://mailer:s3cret@%s?from=noreply@example.kr", wantAuth: "\x00mailer\x00s3cret"},
		{name: "STARTTLS when offered", auth: true, cert: cfg, url: "smtp://mailer:s3cret@%s?from=noreply@example.kr", wantAuth: "\x00mailer\x00s3cret", wantTLS: true},
		{name: "implicit TLS", auth: true, cert: cfg, implicit: true, url: "smtps://mailer:s3cret@%s?from=noreply@example.kr", wantAuth: "\x00mailer\x00s3cret", wantTLS: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newSMTPServer(t, tc.auth, tc.cert, tc.implicit)
			s, err := NewSMTP(fmt.Sprintf(tc.url, srv.ln.Addr()))
			if err != nil {
				t.Fatal(err)
			}
			s.tls.RootCAs = pool
			body := "안녕하세요.\n.a line that starts with a dot\n" + strings.Repeat("긴 줄 ", 40) + "\nEnglish too."
			if err := s.Send(context.Background(), "시민 <citizen@example.kr>", "[e-people] 알림 / Notice\r\nBcc: evil@example.com", body); err != nil {
				t.Fatal(err)
			}
			got := srv.messages()
			if len(got) != 1 {
				t.Fatalf("server received %d messages", len(got))
			}
			m := got[0]
			if m.From != "noreply@example.kr" || m.To != "citizen@example.kr" || m.Auth != tc.wantAuth || m.TLS != tc.wantTLS {
				t.Errorf("envelope from %q to %q auth %q tls %v", m.From, m.To, m.Auth, m.TLS)
			}
			subject, gotBody, hdr := parsed(t, m)
			if subject != "[e-people] 알림 / Notice  Bcc: evil@example.com" || hdr.Get("Bcc") != "" {
				t.Errorf("subject %q, Bcc header %q", subject, hdr.Get("Bcc"))
			}
			if want := strings.ReplaceAll(body, "\n", "\r\n") + "\r\n"; gotBody != want {
				t.Errorf("body = %q, want %q", gotBody, want)
			}
			if hdr.Get("Content-Type") != "text/plain; charset=UTF-8" || hdr.Get("Message-Id") == "" || hdr.Get("Date") == "" {
				t.Errorf("headers = %v", hdr)
			}
			for _, l := range strings.Split(m.Data, "\r\n") {
				if len(l) > 78 {
					t.Errorf("line longer than 78 bytes: %q", l)
				}
			}
		})
	}
}

func TestSMTP_SendFailures(t *testing.T) {
	srv := newSMTPServer(t, false, nil, false)
	s, err := NewSMTP("smtp://" + srv.ln.Addr().String() + "?from=noreply@example.kr")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), "bounce@example.kr", "s", "b"); err == nil || !strings.Contains(err.Error(), "550") {
		t.Errorf("refused recipient: %v", err)
	}
	if err := s.Send(context.Background(), "a@example.kr\r\nRCPT TO:<b@example.kr>", "s", "b"); err == nil {
		t.Error("an address with a line break was sent")
	}
	// A user in the URL with a server that offers no AUTH is an error, not mail sent unauthenticated.
	s2, _ := NewSMTP("smtp://u:p@" + srv.ln.Addr().String() + "?from=noreply@example.kr")
	if err := s2.Send(context.Background(), "a@example.kr", "s", "b"); err == nil || !strings.Contains(err.Error(), "AUTH") {
		t.Errorf("no AUTH offered: %v", err)
	}
	if n := len(srv.messages()); n != 0 {
		t.Errorf("server received %d messages", n)
	}
	// A server that never answers is given up on when ctx ends.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s3, _ := NewSMTP("smtp://" + ln.Addr().String() + "?from=noreply@example.kr")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := s3.Send(ctx, "a@example.kr", "s", "b"); err == nil {
		t.Error("a silent server accepted mail")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("gave up after %v", d)
	}
}

// world is a real store with a settable clock, and a second connection to
// its file for seeding tables directly.
type world struct {
	st  *store.Store
	db  *sql.DB
	mu  sync.Mutex
	now time.Time
}

func (w *world) clock() time.Time        { w.mu.Lock(); defer w.mu.Unlock(); return w.now }
func (w *world) set(t time.Time)         { w.mu.Lock(); w.now = t; w.mu.Unlock() }
func (w *world) advance(d time.Duration) { w.set(w.clock().Add(d)) }

func newWorld(t *testing.T, now time.Time) *world {
	t.Helper()
	w := &world{now: now}
	path := filepath.Join(t.TempDir(), "mail.db")
	var err error
	w.st, err = store.Open(context.Background(), path, storetest.Schema(t), store.Options{Now: w.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.st.Close() })
	if w.db, err = sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000&_foreign_keys=on"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.db.Close() })
	return w
}

// queue puts a mail to address in the outbox.
func (w *world) queue(t *testing.T, address string) {
	t.Helper()
	if _, err := w.db.Exec(`INSERT INTO outbox (address, kind, data, created_at) VALUES (?, ?, '{"proposal_id":7}', ?)`,
		address, forum.NoteResponse, w.clock().Unix()); err != nil {
		t.Fatal(err)
	}
}

// user creates an account with a mail preference.
func (w *world) user(t *testing.T, email, frequency string) *forum.User {
	t.Helper()
	u, err := w.st.CreateUser(context.Background(), forum.User{Role: forum.RoleCitizen, Name: email, Email: email}, "hash")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.st.SetEmailFrequency(context.Background(), u.ID, frequency); err != nil {
		t.Fatal(err)
	}
	return u
}

func compose(_ context.Context, m store.Mail) (string, string, error) {
	return "subject " + m.Kind, "body " + string(m.Data), nil
}

// flaky records what it is asked to send and fails for addresses in down.
type flaky struct {
	mu   sync.Mutex
	down map[string]bool
	sent []string
}

func (f *flaky) Send(_ context.Context, to, subject, body string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down[to] {
		return errors.New("421 try again later")
	}
	f.sent = append(f.sent, to+"|"+subject+"|"+body)
	return nil
}

func (f *flaky) log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.sent...)
}

func TestDrain_MarksSentAndRetriesFailures(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC))
	w.queue(t, "a@example.kr")
	w.queue(t, "down@example.kr")
	w.queue(t, "b@example.kr")
	f := &flaky{down: map[string]bool{"down@example.kr": true}}

	sent, failed, err := Drain(ctx, w.st, f, compose, 2)
	if err != nil || sent != 2 || failed != 1 {
		t.Fatalf("Drain = %d sent, %d failed, %v", sent, failed, err)
	}
	want := `a@example.kr|subject official_response|body {"proposal_id":7}`
	if got := f.log(); len(got) != 2 || got[0] != want || !strings.HasPrefix(got[1], "b@example.kr|") {
		t.Errorf("sent %q", got)
	}
	out, _ := w.st.Outbox(ctx, 10)
	for _, m := range out {
		switch m.Address {
		case "down@example.kr":
			if !m.SentAt.IsZero() || m.Attempts != 1 || m.LastError != "421 try again later" {
				t.Errorf("failed mail = %+v", m)
			}
		default:
			if m.SentAt.IsZero() || m.Attempts != 0 {
				t.Errorf("sent mail = %+v", m)
			}
		}
	}

	// Not due again yet; after the back-off, and with the server back, it goes.
	if sent, failed, _ := Drain(ctx, w.st, f, compose, 2); sent+failed != 0 {
		t.Errorf("retried before its time: %d sent, %d failed", sent, failed)
	}
	w.advance(time.Minute)
	f.mu.Lock()
	f.down = nil
	f.mu.Unlock()
	if sent, failed, err := Drain(ctx, w.st, f, compose, 2); sent != 1 || failed != 0 || err != nil {
		t.Errorf("retry: %d sent, %d failed, %v", sent, failed, err)
	}
	if ms, _ := w.st.PendingMail(ctx, 10); len(ms) != 0 {
		t.Errorf("still pending: %+v", ms)
	}
}

func TestDrain_StopsWhenTheServerIsDown(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC))
	f := &flaky{down: map[string]bool{}}
	for i := range 6 {
		addr := fmt.Sprintf("u%d@example.kr", i)
		w.queue(t, addr)
		f.down[addr] = true
	}
	if sent, failed, err := Drain(ctx, w.st, f, compose, 100); sent != 0 || failed != maxFailuresInARow || err != nil {
		t.Errorf("Drain = %d sent, %d failed, %v; want it to stop after %d failures", sent, failed, err, maxFailuresInARow)
	}
	if ms, _ := w.st.PendingMail(ctx, 10); len(ms) != 6-maxFailuresInARow {
		t.Errorf("%d mails untouched, want %d", len(ms), 6-maxFailuresInARow)
	}
}

func TestDigestSlot(t *testing.T) {
	for _, tc := range []struct{ now, want string }{
		{"2026-03-01T23:00:00Z", "2026-03-01T23:00:00Z"}, // 08:00 KST on 2 March
		{"2026-03-01T22:59:59Z", "2026-02-28T23:00:00Z"},
		{"2026-03-02T14:59:59Z", "2026-03-01T23:00:00Z"}, // 23:59:59 KST
		{"2026-03-02T15:00:00Z", "2026-03-01T23:00:00Z"}, // midnight KST: still the morning's slot
	} {
		now, _ := time.Parse(time.RFC3339, tc.now)
		if got := DigestSlot(now).UTC().Format(time.RFC3339); got != tc.want {
			t.Errorf("DigestSlot(%s) = %s, want %s", tc.now, got, tc.want)
		}
	}
}

// TestRun_SendsAndQueuesDigests runs the real loop against the in-test SMTP server.
func TestRun_SendsAndQueuesDigests(t *testing.T) {
	srv := newSMTPServer(t, false, nil, false)
	s, err := NewSMTP("smtp://" + srv.ln.Addr().String() + "?from=noreply@example.kr")
	if err != nil {
		t.Fatal(err)
	}
	// 07:59 Korea time: the first digest is due in a minute.
	w := newWorld(t, time.Date(2026, 3, 1, 22, 59, 0, 0, time.UTC))
	daily := w.user(t, "daily@example.kr", store.EmailDaily)
	w.user(t, "immediate@example.kr", store.EmailImmediate)
	if _, err := w.db.Exec(`INSERT INTO notifications (user_id, kind, data, created_at) VALUES (?, ?, '{}', ?)`,
		daily.ID, forum.NoteResponse, w.clock().Add(-time.Hour).Unix()); err != nil {
		t.Fatal(err)
	}
	w.queue(t, "immediate@example.kr")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { Run(ctx, w.st, s, 5*time.Millisecond, Options{Compose: compose, Now: w.clock}); close(done) }()
	wait := func(n int) []received {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if got := srv.messages(); len(got) >= n {
				return got
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Fatalf("server received %d messages, want %d", len(srv.messages()), n)
		return nil
	}
	if got := wait(1); got[0].To != "immediate@example.kr" {
		t.Errorf("first mail to %s", got[0].To)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(srv.messages()); n != 1 {
		t.Fatalf("%d mails before 08:00", n)
	}
	w.advance(time.Minute)
	got := wait(2)
	subject, body, _ := parsed(t, got[1])
	if got[1].To != "daily@example.kr" || subject != "subject digest" || !strings.Contains(body, `"count":1`) {
		t.Errorf("digest to %s: %q %q", got[1].To, subject, body)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(srv.messages()); n != 2 {
		t.Errorf("%d mails after the digest, want 2 (one digest a day)", n)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after ctx ended")
	}
}

func TestWeeklySlot(t *testing.T) {
	for _, tc := range []struct{ now, want string }{
		{"2026-03-01T23:00:00Z", "2026-03-01T23:00:00Z"}, // Monday 2 March, 08:00 KST
		{"2026-03-01T22:59:59Z", "2026-02-22T23:00:00Z"}, // a second before: the Monday before
		{"2026-03-04T23:00:00Z", "2026-03-01T23:00:00Z"}, // Thursday
		{"2026-03-08T14:59:59Z", "2026-03-01T23:00:00Z"}, // Sunday 23:59:59 KST
		{"2026-03-08T23:00:00Z", "2026-03-08T23:00:00Z"}, // the next Monday
	} {
		now, _ := time.Parse(time.RFC3339, tc.now)
		if got := WeeklySlot(now).UTC().Format(time.RFC3339); got != tc.want {
			t.Errorf("WeeklySlot(%s) = %s, want %s", tc.now, got, tc.want)
		}
	}
}

// TestRun_WeeklyDigest (issue 16, item 4): a weekly user gets one digest on
// Mondays at the daily digest's hour, covering everything since the last
// one, and none in between. A daily user's digest marks each day's round:
// the weekly digest of a round is queued before it, so it arrives first.
func TestRun_WeeklyDigest(t *testing.T) {
	srv := newSMTPServer(t, false, nil, false)
	s, err := NewSMTP("smtp://" + srv.ln.Addr().String() + "?from=noreply@example.kr")
	if err != nil {
		t.Fatal(err)
	}
	// Monday 2 March 2026, 08:00:30 Korea time.
	start := time.Date(2026, 3, 1, 23, 0, 30, 0, time.UTC)
	w := newWorld(t, start)
	weekly := w.user(t, "weekly@example.kr", store.EmailWeekly)
	daily := w.user(t, "daily@example.kr", store.EmailDaily)
	note := func(u *forum.User, at time.Time, title string) {
		t.Helper()
		if _, err := w.db.Exec(`INSERT INTO notifications (user_id, kind, data, created_at, subject) VALUES (?, ?, ?, ?, ?)`,
			u.ID, forum.NoteResponse, `{"proposal_id":1,"title":"`+title+`"}`, at.Unix(), "proposal:1"); err != nil {
			t.Fatal(err)
		}
	}
	note(weekly, start.Add(-time.Hour), "지난주")
	note(daily, start.Add(-time.Hour), "어제")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { Run(ctx, w.st, s, 5*time.Millisecond, Options{Compose: compose, Now: w.clock}); close(done) }()
	defer func() {
		cancel()
		<-done
	}()
	wait := func(n int) []received {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if got := srv.messages(); len(got) >= n {
				return got
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Fatalf("server received %d messages, want %d", len(srv.messages()), n)
		return nil
	}
	to := func(ms []received, addr string) (out []string) {
		for _, m := range ms {
			if m.To == addr {
				_, body, _ := parsed(t, m)
				out = append(out, body)
			}
		}
		return out
	}
	// At start: the digests of the week and of the day before.
	got := wait(2)
	if w := to(got, "weekly@example.kr"); len(w) != 1 || !strings.Contains(w[0], `"count":1`) || !strings.Contains(w[0], `"frequency":"weekly"`) || !strings.Contains(w[0], "지난주") {
		t.Fatalf("first weekly digest: %q", w)
	}

	// Day 1 and day 3: the weekly user gets news, the daily one its digests, the weekly one nothing.
	note(weekly, start.Add(24*time.Hour), "화요일 소식")
	note(weekly, start.Add(3*24*time.Hour-time.Hour), "목요일 소식")
	for day := 1; day <= 3; day++ {
		note(daily, start.Add(time.Duration(day)*24*time.Hour-time.Hour), "하루 소식")
		w.set(start.Add(time.Duration(day) * 24 * time.Hour))
		got = wait(2 + day)
		if n := len(to(got, "daily@example.kr")); n != 1+day {
			t.Fatalf("day %d: %d daily digests, want %d", day, n, 1+day)
		}
		if n := len(to(got, "weekly@example.kr")); n != 1 {
			t.Fatalf("day %d: %d weekly digests, want still 1", day, n)
		}
	}
	// Day 7, Monday again: one digest with both notifications since the last one.
	for day := 4; day <= 7; day++ {
		note(daily, start.Add(time.Duration(day)*24*time.Hour-time.Hour), "하루 소식")
		w.set(start.Add(time.Duration(day) * 24 * time.Hour))
		wait(2 + day)
	}
	got = wait(2 + 7 + 1)
	ws := to(got, "weekly@example.kr")
	if len(ws) != 2 {
		t.Fatalf("%d weekly digests after a week, want 2", len(ws))
	}
	// Both are about one proposal: one entry standing for two, named as it reads last.
	if b := ws[1]; !strings.Contains(b, `"count":2,"frequency":"weekly"`) || !strings.Contains(b, `"subject":"proposal:1","count":2`) ||
		!strings.Contains(b, "목요일 소식") || strings.Contains(b, "지난주") {
		t.Errorf("second weekly digest: %s", b)
	}
	if n := len(to(got, "daily@example.kr")); n != 8 {
		t.Errorf("%d daily digests in a week, want 8", n)
	}
}
