package web

import (
	"net/http"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/etag"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/limiter"
	"github.com/gofiber/fiber/v2/middleware/recover"
)

// route is one line of the routing table: a method and a path, the
// middleware the request passes first and the handler that answers it.
type route struct {
	method     string
	path       string
	middleware []fiber.Handler
	handler    fiber.Handler
}

// use is the method of a table line whose middleware (and handler, if any)
// every request under its path passes from that line on, whatever its
// method and whether or not a later line matches it: a guard on a whole
// section (any path under /admin asks for an admin, even one that does not
// exist) or the API's CORS header and limit.
const use = "USE"

// routes registers the request's id, metrics and access log (observe),
// and then the table.
func (s *Server) routes() {
	s.app.Use(s.observe)
	for _, r := range s.routeTable() {
		handlers := append(r.middleware[:len(r.middleware):len(r.middleware)], r.handler)
		if r.handler == nil {
			handlers = r.middleware
		}
		switch r.method {
		case use:
			args := []any{r.path}
			for _, h := range handlers {
				args = append(args, h)
			}
			s.app.Use(args...)
		case fiber.MethodGet:
			s.app.Get(r.path, handlers...) // and HEAD
		default:
			s.app.Add(r.method, r.path, handlers...)
		}
	}
}

// routeTable is every route of the site, in the order a request meets them:
// the middleware every request passes, then each page, form and API call.
func (s *Server) routeTable() []route {
	const get, post = fiber.MethodGet, fiber.MethodPost
	mw := func(h ...fiber.Handler) []fiber.Handler { return h }
	signedIn := mw(s.signedIn)
	authLimit := s.authLimit() // one budget per address for registering, signing in and setting up
	// An official's or an admin's own action (answers, hand-offs, debates) needs the second factor.
	staffPowers := mw(s.signedIn, s.staffReady)
	rs := []route{
		{use, "/", mw(recover.New(), s.requestDeadline, s.noCookieOnPublic, s.checkHost(),
			helmet.New(helmet.Config{ContentSecurityPolicy: CSP, ReferrerPolicy: "same-origin"}),
			// The fastest level: gzip of a 1,000-comment page (1 MiB) takes 5 ms for
			// 52 KiB, against 27 ms for 38 KiB at the default level.
			// An attachment's download goes out byte for byte (isRequestFile).
			compress.New(compress.Config{Level: compress.LevelBestSpeed, Next: isRequestFile})), nil},
		{get, "/healthz", nil, s.handleHealth},
		{use, "/assets", mw(immutableFonts, filesystem.New(filesystem.Config{Root: http.FS(s.cfg.Assets), MaxAge: 365 * 24 * 3600})), nil},
		// Before any /api/ route, so none answers without the API's CORS header and limit,
		// and before the CSRF check, so a refused write to the API has them too.
		{use, "/api/v1", mw(allowAnyOrigin, s.apiLimit()), nil},
		{use, "/", mw(etag.New(etag.Config{Next: func(c *fiber.Ctx) bool { return isDownload(c) || isRequestFile(c) }}), // an ETag would read a streamed download whole into memory
			s.parseJSONBody, s.requireUTF8, s.loadSession, s.checkCSRF, s.writeLimit()), nil},

		{get, "/", nil, s.handleHome},
		{get, "/lang", nil, s.handleLang},
		{get, "/register", nil, s.handleRegisterForm},
		{post, "/register", mw(authLimit), s.handleRegister},
		{get, "/login", nil, s.handleLoginForm},
		{post, "/login", mw(authLimit, s.accountLimit()), s.handleLogin},
		{post, "/logout", nil, s.handleLogout},
		{get, "/login/2fa", nil, s.handleLoginTwoFactorForm},
		{post, "/login/2fa", mw(authLimit, s.secondFactorLimit()), s.handleLoginTwoFactor},
		{get, "/account/2fa", signedIn, s.handleTwoFactor},
		{get, "/account/2fa/qr.png", signedIn, s.handleTwoFactorQR},
		{post, "/account/2fa", signedIn, s.handleTwoFactorEnrol},
		{post, "/account/2fa/recovery-codes", signedIn, s.handleRecoveryCodes},
		{post, "/account/2fa/disable", signedIn, s.handleTwoFactorDisable},
		{get, "/setup/:token", nil, s.handleSetupForm},
		{post, "/setup/:token", mw(authLimit), s.handleSetup},
		{get, "/users/:id<int>", nil, s.handleUser},
		// Password reset, and the account's own settings and signed-in browsers.
		{get, "/password/forgot", nil, s.handleForgotForm},
		{post, "/password/forgot", mw(s.resetLimit()), s.handleForgot},
		{get, "/password/reset/:token", nil, s.handleResetForm},
		{post, "/password/reset/:token", mw(authLimit), s.handleReset},
		{get, "/account", mw(s.accountOwner), s.handleAccount},
		{post, "/account/name", signedIn, s.handleAccountName},
		{post, "/account/email", mw(s.accountOwner, authLimit), s.handleAccountEmail},
		{get, "/account/email/:token", nil, s.handleEmailConfirm},
		{post, "/account/password", mw(s.accountOwner, authLimit), s.handleAccountPassword},
		{post, "/account/mail", mw(s.accountOwner), s.handleAccountMail},
		{post, "/account/lang", mw(s.accountOwner), s.handleAccountLang},
		{post, "/account/sessions/:id<int>/end", mw(s.accountOwner), s.handleEndSession},
		{post, "/account/sessions/end", mw(s.accountOwner), s.handleEndSessions},
		// Personal-data rights (PIPA) and the policies.
		{get, "/privacy", nil, s.handlePolicy("privacy")},
		{get, "/terms", nil, s.handlePolicy("terms")},
		{get, "/accessibility", nil, s.handlePolicy("accessibility")},
		{get, "/account/privacy", signedIn, s.handleAccountPrivacy},
		{get, "/account/data.zip", signedIn, s.handleDataDownload},
		{get, "/account/delete", signedIn, s.handleDeleteForm},
		{post, "/account/delete", nil, s.handleDelete},
		{get, "/verify/:token", nil, s.handleVerify},
		{get, "/account/verify", signedIn, s.handleVerifyStatus},
		{post, "/account/verify/resend", signedIn, s.handleVerifyResend},
		{get, "/account/identity", signedIn, s.handleIdentity},
		{post, "/account/identity", signedIn, s.handleIdentityStart},
		{get, "/account/identity/callback", signedIn, s.handleIdentityCallback},
		{get, "/identity/:provider", nil, s.handleIdentityProvider},

		{get, "/proposals", nil, s.handleProposalList},
		{get, "/proposals/new", signedIn, s.handleProposalNew},
		{get, "/proposals/similar", nil, s.handleSimilar},
		{post, "/proposals", signedIn, s.handleProposalCreate},
		{post, "/screen", signedIn, s.handleScreen},
		{post, "/preview", signedIn, s.handlePreview},
		{get, "/proposals/:id<int>", nil, s.handleProposalShow},
		{get, "/proposals/:id<int>/edit", signedIn, s.handleProposalEditForm},
		{post, "/proposals/:id<int>/edit", signedIn, s.handleProposalEdit},
		{get, "/proposals/:id<int>/history", nil, s.handleProposalHistory},
		{get, "/proposals/:id<int>/state", nil, s.handleProposalState},
		{post, "/proposals/:id<int>/submit", signedIn, s.handleProposalSubmit},
		{post, "/proposals/:id<int>/withdraw", signedIn, s.handleProposalWithdraw},
		{get, "/proposals/:id<int>/sponsor/:token", nil, s.handleSponsorForm},
		{post, "/proposals/:id<int>/sponsor/:token", signedIn, s.handleSponsor},
		{post, "/proposals/:id<int>/support", signedIn, s.handleSupport},
		{post, "/proposals/:id<int>/unsupport", signedIn, s.handleUnsupport},
		{post, "/proposals/:id<int>/comments", signedIn, s.handleProposalComment},
		{get, "/proposals/:id<int>/comments", nil, s.handleProposalThread},
		{get, "/debates", nil, s.handleDebateList},
		{get, "/debates/new", staffPowers, s.handleDebateNew},
		{post, "/debates", staffPowers, s.handleDebateCreate},
		{get, "/debates/:id<int>", nil, s.handleDebateShow},
		{post, "/debates/:id<int>/comments", signedIn, s.handleDebateComment},
		{get, "/debates/:id<int>/comments", nil, s.handleDebateThread},
		{post, "/debates/:id<int>/conclusion", staffPowers, s.handleDebateConclude},
		{get, "/live", nil, s.handleLive},
		{get, "/comments/:id<int>", nil, s.handleCommentLink},
		{get, "/comments/:id<int>/edit", signedIn, s.handleCommentEditForm},
		{post, "/comments/:id<int>/edit", signedIn, s.handleCommentEdit},
		{post, "/comments/:id<int>/delete", signedIn, s.handleCommentDelete},
		{post, "/comments/:id<int>/vote", signedIn, s.handleCommentVote},

		// Official answers, hand-offs between ministries, following.
		{post, "/proposals/:id<int>/response", staffPowers, s.handleRespond},
		{get, "/proposals/:id<int>/response/history", nil, s.handleResponseHistory},
		{post, "/proposals/:id<int>/transfer", staffPowers, s.handleTransfer},
		{post, "/proposals/:id<int>/co-ministries", staffPowers, s.handleCoMinistry},
		{post, "/follow", signedIn, s.handleFollow},
		{get, "/ministries", nil, s.handleMinistryList},
		{get, "/ministries/:slug", nil, s.handleMinistryShow},
		{get, "/inbox", staffPowers, s.handleInbox},
		// A civil request as its ministry handles it, and the filer's reply and withdrawal (requests_handling.go).
		{get, "/requests/:receipt/handle", staffPowers, s.handleRequestHandle},
		{post, "/requests/:receipt/assign", staffPowers, s.handleRequestAssign},
		{post, "/requests/:receipt/transfer", staffPowers, s.handleRequestTransfer},
		{post, "/requests/:receipt/info", staffPowers, s.handleRequestInfo},
		{post, "/requests/:receipt/extend", staffPowers, s.handleRequestExtend},
		{post, "/requests/:receipt/answer", staffPowers, s.handleRequestAnswer},
		{get, "/requests/:receipt/reply", signedIn, s.handleRequestReplyForm},
		{post, "/requests/:receipt/reply", signedIn, s.handleRequestReply},
		{get, "/requests/:receipt/withdraw", signedIn, s.handleRequestWithdrawForm},
		{post, "/requests/:receipt/withdraw", signedIn, s.handleRequestWithdraw},

		// Civil requests (민원): private to the filer, the holding ministry and administrators.
		{get, "/requests", signedIn, s.handleRequestList},
		{get, "/requests/new", signedIn, s.handleRequestNew},
		{post, "/requests", signedIn, s.handleRequestCreate},
		{get, "/requests/:receipt", signedIn, s.handleRequestShow},
		{get, "/requests/:receipt/files/:id<int>", signedIn, s.handleRequestFile},

		// Civil requests after the answer: the filer's rating and objection,
		// publication as a frequently asked request, and those published.
		{get, "/requests/:receipt/feedback", signedIn, s.handleRequestFeedback},
		{post, "/requests/:receipt/rate", signedIn, s.handleRequestRate},
		{post, "/requests/:receipt/object", signedIn, s.handleRequestObject},
		{get, "/requests/:receipt/publish", staffPowers, s.handleRequestPublishForm},
		{post, "/requests/:receipt/publish", staffPowers, s.handleRequestPublish},
		{get, "/faq", nil, s.handleFAQList},
		{get, "/faq/:id<int>", nil, s.handleFAQShow},

		{get, "/reports/new", signedIn, s.handleReportForm},
		{post, "/reports", signedIn, s.handleReport},
		{get, "/appeals/new", signedIn, s.handleAppealForm},
		{post, "/appeals", signedIn, s.handleAppeal},
		{get, "/notifications", signedIn, s.handleNotifications},
		{post, "/notifications/read", signedIn, s.handleNotificationsRead},
		{post, "/notifications/settings", signedIn, s.handleEmailFrequency},

		// The public moderation log comes before the staff's guard on /moderation.
		{get, "/moderation/log", nil, s.handleModerationLog},
		{use, "/moderation", mw(s.signedIn, s.staffReady, s.staffOnly), nil},
		{get, "/moderation/", nil, s.handleQueue},
		{get, "/moderation/act", nil, s.handleActForm},
		{post, "/moderation/items/:id<int>/claim", nil, s.handleClaim},
		{post, "/moderation/items/:id<int>/decide", nil, s.handleDecide},
		{post, "/moderation/bulk", nil, s.handleBulk},
		{post, "/moderation/hide", nil, s.handleHide},
		{post, "/moderation/restore", nil, s.handleRestore},
		{post, "/moderation/lock", nil, s.handleLock},
		{post, "/moderation/users/:id<int>/suspend", nil, s.handleSuspend},
		{post, "/moderation/users/:id<int>/lift", nil, s.handleLift},
		{get, "/moderation/appeals", nil, s.handleAppeals},
		{post, "/moderation/appeals/:id<int>/decide", nil, s.handleAppealDecide},

		{use, "/admin", mw(s.signedIn, s.staffReady, s.adminOnly), nil},
		{get, "/admin/moderation", nil, s.handleAdminModeration},
		{get, "/admin/settings", nil, s.handleAdminSettings},
		{post, "/admin/settings", nil, s.handleAdminSettingsSave},
		{post, "/admin/users/:id<int>/appoint", nil, s.handleAppoint},
		{get, "/admin/overdue", nil, s.handleAdminOverdue},
		{get, "/admin/ministries", nil, s.handleAdminMinistries},
		{post, "/admin/ministries", nil, s.handleAdminMinistryCreate},
		{get, "/admin/ministries/:slug/edit", nil, s.handleAdminMinistryEditForm},
		{post, "/admin/ministries/:slug/edit", nil, s.handleAdminMinistryEdit},
		{post, "/admin/users/:id<int>/official", nil, s.handleAppointOfficial},
		{post, "/admin/users/:id<int>/identity", nil, s.handleAdminIdentity},
		{get, "/admin/outbox", nil, s.handleAdminOutbox},
		{post, "/admin/users/:id<int>/second-factor/reset", nil, s.handleResetSecondFactor},
		{post, "/admin/users/:id<int>/revoke", nil, s.handleRevokeRole},
		{get, "/admin/holidays", nil, s.handleAdminHolidays},
		{post, "/admin/holidays", nil, s.handleAdminHolidayAdd},
		{post, "/admin/holidays/:day/remove", nil, s.handleAdminHolidayRemove},

		{get, "/search", nil, s.handleSearch},
		{get, "/open-data", nil, s.handleOpenData},
		{get, "/feeds/proposals.atom", nil, s.handleProposalsFeed},
		{get, "/feeds/ministries/:slug.atom", nil, s.handleMinistryFeed},
		{get, "/feeds/categories/:slug.atom", nil, s.handleCategoryFeed},
		{get, "/feeds/answers.atom", nil, s.handleAnswersFeed},
		{get, "/stats", nil, s.handleStats},

		// A civil request's handling, for its ministry and its filer (requests_handling.go):
		// the session and its CSRF token, as the forms.
		{post, "/api/v1/requests/:receipt/assign", staffPowers, s.handleRequestAssign},
		{post, "/api/v1/requests/:receipt/transfer", staffPowers, s.handleRequestTransfer},
		{post, "/api/v1/requests/:receipt/info", staffPowers, s.handleRequestInfo},
		{post, "/api/v1/requests/:receipt/extend", staffPowers, s.handleRequestExtend},
		{post, "/api/v1/requests/:receipt/answer", staffPowers, s.handleRequestAnswer},
		{post, "/api/v1/requests/:receipt/reply", signedIn, s.handleRequestReply},
		{post, "/api/v1/requests/:receipt/withdraw", signedIn, s.handleRequestWithdraw},

		// The open data API: anyone may read it (the /api/v1 line above).
		{get, "/api/v1/proposals", nil, s.handleAPIProposals},
		{get, "/api/v1/proposals/:id<int>", nil, s.handleAPIProposal},
		{get, "/api/v1/debates", nil, s.handleAPIDebates},
		{get, "/api/v1/debates/:id<int>", nil, s.handleAPIDebate},
		{get, "/api/v1/ministries", nil, s.handleAPIMinistries},
		{get, "/api/v1/ministries/:slug", nil, s.handleAPIMinistry},
		{get, "/api/v1/moderation-log", nil, s.handleModerationLogAPI},
		{get, "/api/v1/search", nil, s.handleSearchAPI},
		// Civil requests: the caller's own, by the session (and its CSRF token to write).
		{get, "/api/v1/requests", signedIn, s.handleAPIRequests},
		{post, "/api/v1/requests", signedIn, s.handleAPIRequestCreate},
		{get, "/api/v1/requests/:receipt", signedIn, s.handleAPIRequest},
		{post, "/api/v1/requests/:receipt/rate", signedIn, s.handleRequestRate},
		{post, "/api/v1/requests/:receipt/object", signedIn, s.handleRequestObject},
		{get, "/api/v1/faqs", nil, s.handleAPIFAQs},
		{get, "/api/v1/faqs/:id<int>", nil, s.handleAPIFAQ},
		{get, "/api/v1/request-stats", nil, s.handleAPIRequestStats},

		// Bulk downloads, which any site may fetch too.
		{use, "/open-data", mw(allowAnyOrigin), nil},
		{get, "/open-data/proposals.csv", nil, s.download("proposals", s.eachProposalRecord)},
		{get, "/open-data/proposals.ndjson", nil, s.download("proposals", s.eachProposalRecord)},
		{get, "/open-data/responses.csv", nil, s.download("responses", s.eachResponseRecord)},
		{get, "/open-data/responses.ndjson", nil, s.download("responses", s.eachResponseRecord)},
		{get, "/open-data/moderation-log.csv", nil, s.download("moderation-log", s.eachModActionRecord)},
		{get, "/open-data/moderation-log.ndjson", nil, s.download("moderation-log", s.eachModActionRecord)},
		{get, "/open-data/faqs.csv", nil, s.download("faqs", s.eachFAQRecord)},
		{get, "/open-data/faqs.ndjson", nil, s.download("faqs", s.eachFAQRecord)},
		{get, "/open-data/request-stats.csv", nil, s.download("request-stats", s.eachRequestStatRecord)},
		{get, "/open-data/request-stats.ndjson", nil, s.download("request-stats", s.eachRequestStatRecord)},
	}
	// Issue 18's parts, each in its own file.
	for _, part := range [][]route{s.mergeRoutes(), s.editRoutes(), s.milestoneRoutes(), s.objectionRoutes(), s.ratingRoutes(), s.shareRoutes()} {
		rs = append(rs, part...)
	}
	return append(rs, route{use, "/", nil, handleUnmatched})
}

// writeLimit caps everything that writes: per citizen when signed in, else
// per client address. It runs after the CSRF check, so forged requests spend
// nothing, and a stranger refused for not being signed in spends only the
// anonymous bucket of their own address, never a citizen's.
func (s *Server) writeLimit() fiber.Handler {
	return s.limit("write", limiter.Config{
		Max:          s.cfg.PostPerMinute,
		Expiration:   time.Minute,
		Next:         func(c *fiber.Ctx) bool { return c.Method() != fiber.MethodPost },
		KeyGenerator: s.writerKey,
		LimitReached: func(c *fiber.Ctx) error { return forum.ErrRateLimited },
	})
}

// authLimit caps registrations, sign-ins and account set-ups per client address.
func (s *Server) authLimit() fiber.Handler {
	return s.limit("auth", limiter.Config{
		Max:          s.cfg.AuthPerMinute,
		Expiration:   time.Minute,
		Next:         func(c *fiber.Ctx) bool { return c.Method() != fiber.MethodPost },
		KeyGenerator: s.clientIP,
		LimitReached: func(c *fiber.Ctx) error { return forum.ErrRateLimited },
	})
}
