// Package web serves the forum over HTTP with Fiber: routes, sessions, CSRF,
// rendering and the one error handler.
package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/live"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/etag"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/limiter"
	"github.com/gofiber/fiber/v2/middleware/logger"
	"github.com/gofiber/fiber/v2/middleware/recover"
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
	AccessLog     io.Writer // request log; nil for none
	Now           func() time.Time
	AuthPerMinute int // sign-in and registration attempts per IP per minute; 10 when 0
	APIPerMinute  int // open data API requests one IP may send a minute; 300 when 0
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
}

// CSP is the Content-Security-Policy of every response: no inline script or
// style, nothing from other origins.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// New builds the server; it parses every template and fails on any error.
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
	s := &Server{store: st, views: tpl.r, md: moderation.NewRenderer(), cfg: cfg, log: cfg.Logger, hashPassword: forum.HashPassword, secret: secret, proxies: proxies}
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
// until ctx ends. Close the live sockets (Config.Live) first: a hijacked
// connection is the server's until its socket ends.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.app.ShutdownWithContext(ctx)
}

func (s *Server) routes() {
	a := s.app
	if s.cfg.AccessLog != nil {
		a.Use(logger.New(logger.Config{Output: s.cfg.AccessLog, Format: "${time} ${status} ${method} ${path} ${latency}\n"}))
	}
	a.Use(recover.New())
	a.Use(s.noCookieOnPublic, s.checkHost())
	a.Use(helmet.New(helmet.Config{ContentSecurityPolicy: CSP, ReferrerPolicy: "same-origin"}))
	// The fastest level: gzip of a 1,000-comment page (1 MiB) takes 5 ms for
	// 52 KiB, against 27 ms for 38 KiB at the default level.
	a.Use(compress.New(compress.Config{Level: compress.LevelBestSpeed}))
	a.Get("/healthz", s.handleHealth)
	a.Use("/assets", filesystem.New(filesystem.Config{Root: http.FS(s.cfg.Assets), MaxAge: 365 * 24 * 3600}))
	a.Use(etag.New(etag.Config{Next: isDownload})) // an ETag would read a streamed download whole into memory
	a.Use(s.parseJSONBody, s.requireUTF8, s.loadSession, s.checkCSRF)
	// A cap on everything that writes: per citizen when signed in, else per
	// client address. It runs after the CSRF check, so forged requests spend
	// nothing, and a stranger refused for not being signed in spends only
	// the anonymous bucket of their own address, never a citizen's.
	a.Use(limiter.New(limiter.Config{
		Max:          s.cfg.PostPerMinute,
		Expiration:   time.Minute,
		Next:         func(c *fiber.Ctx) bool { return c.Method() != fiber.MethodPost },
		KeyGenerator: s.writerKey,
		LimitReached: func(c *fiber.Ctx) error { return forum.ErrRateLimited },
	}))

	authLimit := limiter.New(limiter.Config{
		Max:          s.cfg.AuthPerMinute,
		Expiration:   time.Minute,
		Next:         func(c *fiber.Ctx) bool { return c.Method() != fiber.MethodPost },
		KeyGenerator: s.clientIP,
		LimitReached: func(c *fiber.Ctx) error { return forum.ErrRateLimited },
	})
	api := s.apiGroup(a) // every /api/v1 route goes on it, so none skips its CORS header and limit

	a.Get("/", s.handleHome)
	a.Get("/lang", s.handleLang)
	a.Get("/register", s.handleRegisterForm)
	a.Post("/register", authLimit, s.handleRegister)
	a.Get("/login", s.handleLoginForm)
	a.Post("/login", authLimit, s.accountLimit(), s.handleLogin)
	a.Post("/logout", s.handleLogout)
	a.Get("/setup/:token", s.handleSetupForm)
	a.Post("/setup/:token", authLimit, s.handleSetup)
	a.Get("/users/:id<int>", s.handleUser)

	a.Get("/proposals", s.handleProposalList)
	a.Get("/proposals/new", s.signedIn, s.handleProposalNew)
	a.Get("/proposals/similar", s.handleSimilar)
	a.Post("/proposals", s.signedIn, s.handleProposalCreate)
	a.Post("/screen", s.signedIn, s.handleScreen)
	a.Get("/proposals/:id<int>", s.handleProposalShow)
	a.Get("/proposals/:id<int>/edit", s.signedIn, s.handleProposalEditForm)
	a.Post("/proposals/:id<int>/edit", s.signedIn, s.handleProposalEdit)
	a.Get("/proposals/:id<int>/history", s.handleProposalHistory)
	a.Post("/proposals/:id<int>/submit", s.signedIn, s.handleProposalSubmit)
	a.Post("/proposals/:id<int>/withdraw", s.signedIn, s.handleProposalWithdraw)
	a.Get("/proposals/:id<int>/sponsor/:token", s.handleSponsorForm)
	a.Post("/proposals/:id<int>/sponsor/:token", s.signedIn, s.handleSponsor)
	a.Post("/proposals/:id<int>/support", s.signedIn, s.handleSupport)
	a.Post("/proposals/:id<int>/unsupport", s.signedIn, s.handleUnsupport)
	a.Post("/proposals/:id<int>/comments", s.signedIn, s.handleProposalComment)
	a.Get("/debates", s.handleDebateList)
	a.Get("/debates/new", s.signedIn, s.handleDebateNew)
	a.Post("/debates", s.signedIn, s.handleDebateCreate)
	a.Get("/debates/:id<int>", s.handleDebateShow)
	a.Post("/debates/:id<int>/comments", s.signedIn, s.handleDebateComment)
	a.Post("/debates/:id<int>/conclusion", s.signedIn, s.handleDebateConclude)
	a.Get("/live", s.handleLive)

	a.Get("/reports/new", s.signedIn, s.handleReportForm)
	a.Post("/reports", s.signedIn, s.handleReport)
	a.Get("/appeals/new", s.signedIn, s.handleAppealForm)
	a.Post("/appeals", s.signedIn, s.handleAppeal)
	a.Get("/notifications", s.signedIn, s.handleNotifications)
	a.Post("/notifications/read", s.signedIn, s.handleNotificationsRead)
	a.Get("/moderation/log", s.handleModerationLog)
	api.Get("/moderation-log", s.handleModerationLogAPI)
	mod := a.Group("/moderation", s.signedIn, s.staffOnly)
	mod.Get("/", s.handleQueue)
	mod.Get("/act", s.handleActForm)
	mod.Post("/items/:id<int>/claim", s.handleClaim)
	mod.Post("/items/:id<int>/decide", s.handleDecide)
	mod.Post("/bulk", s.handleBulk)
	mod.Post("/hide", s.handleHide)
	mod.Post("/restore", s.handleRestore)
	mod.Post("/lock", s.handleLock)
	mod.Post("/users/:id<int>/suspend", s.handleSuspend)
	mod.Post("/users/:id<int>/lift", s.handleLift)
	mod.Get("/appeals", s.handleAppeals)
	mod.Post("/appeals/:id<int>/decide", s.handleAppealDecide)
	admin := a.Group("/admin", s.signedIn, s.adminOnly)
	admin.Get("/moderation", s.handleAdminModeration)
	admin.Post("/moderation", s.handleAdminModerationSave)
	admin.Post("/users/:id<int>/appoint", s.handleAppoint)
	s.ministryRoutes(a)
	s.mailRoutes(a)
	s.answerRoutes(a)
	s.searchRoutes(a, api)
	s.openDataRoutes(a, api)
	s.feedRoutes(a)
	a.Get("/comments/:id<int>", s.handleCommentLink)
	a.Get("/comments/:id<int>/edit", s.signedIn, s.handleCommentEditForm)
	a.Post("/comments/:id<int>/edit", s.signedIn, s.handleCommentEdit)
	a.Post("/comments/:id<int>/delete", s.signedIn, s.handleCommentDelete)
	a.Post("/comments/:id<int>/vote", s.signedIn, s.handleCommentVote)

	a.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

func (s *Server) handleHealth(c *fiber.Ctx) error {
	if err := s.store.Ping(c.UserContext()); err != nil {
		return c.Status(fiber.StatusServiceUnavailable).SendString("database unavailable\n")
	}
	return c.SendString("ok\n")
}

// requireUTF8 refuses any request whose query or form values (url-encoded
// or multipart) are not valid UTF-8, before anything could store them.
func (s *Server) requireUTF8(c *fiber.Ctx) error {
	ok := utf8.Valid(c.Request().URI().Path())
	check := func(k, v []byte) { ok = ok && utf8.Valid(k) && utf8.Valid(v) }
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

// handleError is the one place errors become responses. Users never see err.Error().
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status, key := fiber.StatusInternalServerError, ""
	var fe *fiber.Error
	var ce *store.CapError
	var ve *forum.ValidationError
	var ves forum.ValidationErrors
	switch {
	case errors.As(err, &ce):
		status, key = fiber.StatusTooManyRequests, "err.cap_reached"
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(max(1, int(capResets(ce).Sub(s.cfg.Now()).Seconds()))))
	case errors.As(err, &fe):
		status = fe.Code
		if strings.HasPrefix(fe.Message, "err.") {
			key = fe.Message
		}
	case errors.As(err, &ve), errors.As(err, &ves):
		status, key = fiber.StatusBadRequest, "err.invalid"
	case errors.Is(err, forum.ErrNotFound):
		status = fiber.StatusNotFound
	case errors.Is(err, forum.ErrForbidden):
		status = fiber.StatusForbidden
	case errors.Is(err, forum.ErrSuspended):
		status, key = fiber.StatusForbidden, "err.suspended"
	case errors.Is(err, forum.ErrInvalidState):
		status, key = fiber.StatusConflict, "err.invalid_state"
	case errors.Is(err, forum.ErrRateLimited):
		status = fiber.StatusTooManyRequests
		if c.GetRespHeader(fiber.HeaderRetryAfter) == "" {
			c.Set(fiber.HeaderRetryAfter, "60")
		}
	case errors.Is(err, forum.ErrUnavailable):
		status = fiber.StatusServiceUnavailable
		c.Set(fiber.HeaderRetryAfter, "5")
	}
	if status >= 500 {
		s.log.Error("request failed", "method", c.Method(), "path", c.Path(), "status", status, "err", err)
	}
	if ves != nil && key == "err.invalid" {
		key = ves[0].Key
	} else if ve != nil && key == "err.invalid" {
		key = ve.Key
	}
	lang := s.lang(c)
	cat := s.views.catalogs[lang]
	msg := ""
	if key != "" {
		msg = cat.T(key)
		if ve != nil {
			msg = cat.T(key, ve.Args...)
		}
		if ce != nil {
			msg = cat.T(key, formatDate(lang, capResets(ce)))
		}
	}
	if wantsJSON(c) {
		return c.Status(status).JSON(fiber.Map{"error": fiber.Map{"status": status, "message": msg}})
	}
	title := cat.T("error.title." + strconv.Itoa(status))
	if title == "error.title."+strconv.Itoa(status) {
		title = cat.T("error.title.default")
	}
	body, rerr := s.views.render(lang, "error", errorPage{base: s.base(c, title), Status: status, Message: msg})
	if rerr != nil {
		s.log.Error("render error page", "err", rerr)
		return c.Status(status).SendString(http.StatusText(status))
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(status).Send(body)
}

type errorPage struct {
	base
	Status  int
	Message string
}

func wantsJSON(c *fiber.Ctx) bool {
	return strings.Contains(c.Get(fiber.HeaderAccept), fiber.MIMEApplicationJSON)
}
