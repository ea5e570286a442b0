// Package web serves the forum over HTTP with Fiber: routes, sessions, CSRF,
// rendering and the one error handler.
package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/live"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
	"github.com/gofiber/fiber/v2"
)

// Config is what the web server needs from the operator.
type Config struct {
	BaseURL       string                                     // public origin, e.g. https://e-people.example
	SecureCookies bool                                       // set the Secure flag: true behind TLS
	Views         fs.FS                                      // templates and catalogs
	Assets        fs.FS                                      // static files served under /assets/
	Passwords     forum.PasswordChecker                      // common-password list; nil checks length only
	Disposable    interface{ Disposable(email string) bool } // throw-away e-mail domains: such accounts are held for review; nil holds none
	PostPerMinute int                                        // state-changing requests one IP may send a minute; 120 when 0
	Logger        *slog.Logger
	// AccessLog writes one line at level info per answered request (see
	// Server.observe for what it holds); nil for none.
	AccessLog *slog.Logger
	// Observe, when set, hears of every answered request (for metrics).
	Observe       func(Answered)
	Now           func() time.Time
	AuthPerMinute int // sign-in and registration attempts per IP per minute; 10 when 0
	APIPerMinute  int // open data API requests one IP may send a minute; 300 when 0
	// RequestTimeout is how long a request may wait on the database before
	// it is answered 503; 10 s when 0.
	RequestTimeout time.Duration
	// TrustedProxies are the reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For
	// names the client; with none, every per-IP limit keys on the TCP peer.
	TrustedProxies []string
	// Schedule, when set, is called after a change to the schedule (a new debate) so the scheduler looks again.
	Schedule func()
	// Templates are Views parsed by ParseTemplates, so that the live hub's
	// EventRenderer shares them; New parses Views itself when nil.
	Templates *Templates
	// Live is the websocket endpoint GET /live hands its connections to;
	// without one, /live answers 503.
	Live *live.Sockets
	// Identity confirms who a citizen is (본인인증); nil offers no check,
	// and administrators still may mark an account identity verified.
	Identity forum.IdentityProvider
}

// Server is the forum's HTTP face.
type Server struct {
	app     *fiber.App
	store   *store.Store
	views   *renderer
	md      *moderation.Renderer
	cfg     Config
	log     *slog.Logger
	threads *threadCache
	proxies []netip.Prefix // cfg.TrustedProxies, parsed
	// hashPassword is forum.HashPassword; tests that register thousands of accounts swap in a cheaper one.
	hashPassword func(string) (string, error)
	secret       []byte // signs guest CSRF tokens; kept in the database
	requestIDs   *requestIDs
	guest        guestPages // guests' proposal and debate pages as drawn (guestpages.go)
	cards        cardCache  // proposals' share cards as drawn (share.go)

	// rules are the content rules last parsed (contentRules).
	rules atomic.Pointer[parsedRules]
}

// CSP is the Content-Security-Policy of every response: no inline script or
// style, nothing from other origins.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// New builds the server; it parses every template (unless cfg.Templates
// holds them parsed) and fails on any error. The caller wires the server to
// the store: every commit's events go to Invalidate, before the live hub
// hears of them (main's serve does this); a server that is not told of
// commits serves comment threads from a cache that never learns of a change.
func New(st *store.Store, cfg Config) (*Server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.AuthPerMinute <= 0 {
		cfg.AuthPerMinute = 10
	}
	if cfg.PostPerMinute <= 0 {
		cfg.PostPerMinute = 120
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = defaultRequestTimeout
	}
	proxies, err := parseProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	tpl := cfg.Templates
	if tpl == nil {
		if tpl, err = ParseTemplates(cfg.Views, cfg.Assets, cfg.BaseURL); err != nil {
			return nil, err
		}
	}
	secret, err := st.ServerSecret(context.Background())
	if err != nil {
		return nil, fmt.Errorf("start web server: %w", err)
	}
	s := &Server{store: st, views: tpl.r, md: moderation.NewRenderer(), cfg: cfg, log: cfg.Logger, hashPassword: forum.HashPassword, secret: secret, proxies: proxies,
		requestIDs: newRequestIDs()}
	s.threads = newThreadCache()
	s.app = fiber.New(fiber.Config{
		Immutable:             true,
		ReadTimeout:           15 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           120 * time.Second,
		BodyLimit:             512 * 1024,
		DisableStartupMessage: true,
		ErrorHandler:          s.handleError,
		// X-Forwarded-Proto and -Host only from the trusted proxies (none unless configured);
		// the client address is s.clientIP, not a ProxyHeader (see there).
		EnableTrustedProxyCheck: true,
		TrustedProxies:          cfg.TrustedProxies,
	})
	s.app.Server().KeepHijackedConns = true // live sockets outlive their handler: see handleLive
	// BodyLimit holds for every request but a civil request's, whose files
	// may take 52 MiB: fasthttp asks uploadLimits before it reads a body.
	s.app.Server().HeaderReceived = uploadLimits
	s.routes()
	return s, nil
}

// App returns the Fiber application, for serving and for tests.
func (s *Server) App() *fiber.App { return s.app }

// Invalidate drops what the server cached of what events changed. Call it
// with every commit's events before anyone else is told of them (before the
// live hub's Publish), so that no one told of a change reads the old page.
func (s *Server) Invalidate(events []forum.Event) { s.threads.invalidate(events) }

// Serve answers requests on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	return s.app.Listener(ln)
}

// Shutdown stops accepting connections and waits for in-flight requests
// until ctx ends. Close the live sockets (Config.Live) first: the server
// does not wait for a hijacked connection, so a process that shut the server
// down first could exit before its sockets had sent their close frames.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.app.ShutdownWithContext(ctx)
}

func (s *Server) handleHealth(c *fiber.Ctx) error {
	if err := s.store.Ping(c.UserContext()); err != nil {
		return c.Status(fiber.StatusServiceUnavailable).SendString("database unavailable\n")
	}
	return c.SendString("ok\n")
}

// defaultRequestTimeout is Config.RequestTimeout when unset: twice the
// store's 5 s wait for the write lock, so a write held up by the lock hears
// why (busy, 503) before the request runs out of time.
const defaultRequestTimeout = 10 * time.Second

// requestDeadline gives each request a context that ends after
// cfg.RequestTimeout, or when its handler (and the error page, which
// noCookieOnPublic draws inside this) has returned: the store stops waiting
// for a request nobody will be answered on. The live socket is exempt: its
// handler only hands the connection over, and the socket outlives it with
// contexts of its own. A bulk download's rows stream after the handler
// returns, under their own downloadTimeout.
func (s *Server) requestDeadline(c *fiber.Ctx) error {
	if isLive(c) {
		return c.Next()
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), s.cfg.RequestTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

// isLive reports whether a request is for the live socket (the router
// matches paths without regard to case or a trailing slash).
func isLive(c *fiber.Ctx) bool { return strings.EqualFold(strings.TrimSuffix(c.Path(), "/"), "/live") }

// requireUTF8 refuses any request whose path, query or form values
// (url-encoded, multipart, or JSON read as a form) are not valid UTF-8 or
// hold a NUL, before anything could store them. NUL is valid UTF-8, but no
// PostgreSQL text value can hold it, and no field of the forum's means it:
// both databases refuse it alike, here, rather than PostgreSQL with a 500.
func (s *Server) requireUTF8(c *fiber.Ctx) error {
	text := func(b []byte) bool { return utf8.Valid(b) && bytes.IndexByte(b, 0) < 0 }
	ok := text(c.Request().URI().Path())
	check := func(k, v []byte) { ok = ok && text(k) && text(v) }
	c.Request().URI().QueryArgs().VisitAll(check)
	if c.Method() == fiber.MethodPost {
		c.Request().PostArgs().VisitAll(check)
		// c.FormValue reads multipart fields too.
		if form, err := c.Request().MultipartForm(); err == nil {
			for k, vs := range form.Value {
				for _, v := range vs {
					check([]byte(k), []byte(v))
				}
			}
		}
	}
	if !ok {
		return fiber.NewError(fiber.StatusBadRequest, "err.bad_utf8")
	}
	return c.Next()
}
