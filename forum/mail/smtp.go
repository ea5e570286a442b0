// Package mail sends the forum's e-mail: an SMTP sender configured by one
// URL, and the mailer loop that drains the outbox and queues the daily digests.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// Sender delivers one plain-text message.
type Sender interface {
	// Send delivers subject and body to the address to, or says why it could not.
	Send(ctx context.Context, to, subject, body string) error
}

// SMTP sends each message over its own connection to one mail server.
type SMTP struct {
	addr     string // host:port
	host     string
	from     *mail.Address
	auth     smtp.Auth // nil without a user in the URL
	implicit bool      // smtps://: TLS from the first byte
	tls      *tls.Config
	// Timeout bounds one whole send when ctx has no earlier deadline; 30 seconds by default.
	Timeout time.Duration
}

// NewSMTP configures a sender from a URL:
//
//	smtp://user:pass@host:port?from=noreply@example.kr   (port 587 by default; STARTTLS when the server offers it)
//	smtps://user:pass@host:port?from=noreply@example.kr  (port 465 by default; TLS from the start)
//
// The user and password are optional; from is required. Password
// authentication is refused over an unencrypted connection except to
// localhost.
func NewSMTP(rawURL string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, errors.New("parse SMTP URL: not a valid URL") // url's error would echo the password
	}
	s := &SMTP{host: u.Hostname(), Timeout: 30 * time.Second}
	port := u.Port()
	switch u.Scheme {
	case "smtp":
		if port == "" {
			port = "587"
		}
	case "smtps":
		s.implicit = true
		if port == "" {
			port = "465"
		}
	default:
		return nil, fmt.Errorf("parse SMTP URL: scheme %q is not smtp or smtps", u.Scheme)
	}
	if s.host == "" {
		return nil, errors.New("parse SMTP URL: no host")
	}
	s.addr = net.JoinHostPort(s.host, port)
	s.tls = &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
	from := u.Query().Get("from")
	if from == "" {
		return nil, errors.New("parse SMTP URL: no from address (add ?from=noreply@your.domain)")
	}
	if s.from, err = mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("parse SMTP URL: from address %q: %w", from, err)
	}
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		s.auth = smtp.PlainAuth("", u.User.Username(), pass, s.host)
	}
	return s, nil
}

// Addr returns the mail server's host:port.
func (s *SMTP) Addr() string { return s.addr }

// Send delivers one message to one address. It gives up when ctx ends or the timeout passes.
func (s *SMTP) Send(ctx context.Context, to, subject, body string) error {
	rcpt, err := mail.ParseAddress(to)
	if err != nil || strings.ContainsAny(to, "\r\n") {
		return fmt.Errorf("send mail: bad address %q", to)
	}
	msg, err := s.message(rcpt, subject, body)
	if err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	if _, ok := ctx.Deadline(); !ok && s.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.Timeout)
		defer cancel()
	}
	if err := s.send(ctx, rcpt.Address, msg); err != nil {
		return fmt.Errorf("send mail to %s: %w", rcpt.Address, err)
	}
	return nil
}

func (s *SMTP) send(ctx context.Context, to string, msg []byte) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	// Cancelling ctx unblocks any read or write at once.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if s.implicit {
		tc := tls.Client(conn, s.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			return err
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return err
	}
	defer c.Close()
	if !s.implicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(s.tls); err != nil {
				return err
			}
		}
	}
	if s.auth != nil {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("the server offers no AUTH, but the SMTP URL has a user")
		}
		if err := c.Auth(s.auth); err != nil {
			return err
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// message writes the headers and the quoted-printable UTF-8 body.
func (s *SMTP) message(to *mail.Address, subject, body string) ([]byte, error) {
	id := make([]byte, 12)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	_, domain, _ := strings.Cut(s.from.Address, "@")
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", s.from.String())
	header("To", to.String())
	// Encoded words (at most 75 bytes each) go on folded lines of their own, to keep lines short.
	subj := mime.BEncoding.Encode("utf-8", oneLine(subject))
	if strings.HasPrefix(subj, "=?") {
		subj = "\r\n " + strings.ReplaceAll(subj, "?= =?", "?=\r\n =?")
	} else {
		subj = " " + subj
	}
	b.WriteString("Subject:" + subj + "\r\n")
	header("Date", time.Now().Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(id)+"@"+domain+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=UTF-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	header("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ToValidUTF8(body, "\uFFFD"))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// oneLine turns control characters (a header injection's line breaks) into spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}
