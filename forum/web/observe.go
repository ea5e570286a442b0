package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
)

// RequestIDHeader carries a request's id: the client's (or a proxy's) when
// it is sane, one of the server's making otherwise; every response returns
// it, and the access log and the error log name it.
const RequestIDHeader = "X-Request-ID"

// UnmatchedRoute is the route of a request that no route answered, so that
// made-up paths cannot grow the number of routes reported.
const UnmatchedRoute = "unmatched"

// unmatchedKey marks, in a request's locals, that no route answered it.
const unmatchedKey = "epeople.unmatched"

// handleUnmatched is the last line of the routing table: whatever reaches
// it is no page of the site.
func handleUnmatched(c *fiber.Ctx) error {
	c.Locals(unmatchedKey, true)
	return fiber.ErrNotFound
}

// Answered is one answered request, as Config.Observe hears of it and the
// access log writes it.
type Answered struct {
	Method string        // GET, HEAD, POST, ...
	Route  string        // the route's pattern, e.g. /proposals/:id<int>, never the URL; UnmatchedRoute for none
	Status int           // the status code sent
	Bytes  int           // the body's length as sent (compressed, if it was); -1 when streamed without a known length
	Took   time.Duration // from the first middleware to the response drawn, error page included
}

// ThreadCacheStats counts the work of the comment thread cache since start.
type ThreadCacheStats struct {
	ThreadHits, ThreadReads     int64 // a subject's comments served from the cache, and read from the store
	FragmentHits, FragmentDrawn int64 // a comment's HTML reused, and drawn by its template
	PageHits, PageDrawn         int64 // a guest's page of comments kept whole and reused, and drawn from fragments
}

// ThreadCacheStats reports the comment thread cache's hits and misses.
func (s *Server) ThreadCacheStats() ThreadCacheStats {
	tc := s.threads
	return ThreadCacheStats{ThreadHits: tc.threadHits.Load(), ThreadReads: tc.threadReads.Load(),
		FragmentHits: tc.reused.Load(), FragmentDrawn: tc.drawn.Load(), PageHits: tc.pageHits.Load(), PageDrawn: tc.pageDrawn.Load()}
}

// requestIDs makes request ids: a random prefix per process and a counter,
// unique without a call to the random source per request.
type requestIDs struct {
	prefix [8]byte // hex
	next   atomic.Uint64
}

func newRequestIDs() *requestIDs {
	var r [4]byte
	_, _ = rand.Read(r[:]) // never fails (crypto/rand panics instead)
	ids := &requestIDs{}
	hex.Encode(ids.prefix[:], r[:])
	return ids
}

// id appends to buf the request's own id when it is sane (1 to 64 letters,
// digits and -_.:), a new one otherwise.
func (r *requestIDs) id(buf, given []byte) []byte {
	if saneRequestID(given) {
		return append(buf, given...)
	}
	buf = append(buf, r.prefix[:]...)
	buf = append(buf, '-')
	return strconv.AppendUint(buf, r.next.Add(1), 36)
}

func saneRequestID(b []byte) bool {
	if len(b) == 0 || len(b) > 64 {
		return false
	}
	for _, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// observe is the first middleware: it gives the request its id, times it,
// and tells Config.Observe and the access log of it once the response is
// drawn. The access log names the route's pattern, never the URL, whose
// path may hold a token (/verify/:token) and whose query anything; it
// writes no header, cookie or form value.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	var buf [64]byte
	id := s.requestIDs.id(buf[:0], c.Request().Header.Peek(RequestIDHeader))
	c.Response().Header.SetBytesV(RequestIDHeader, id)
	if err := c.Next(); err != nil {
		// Draw the error page now, so that its status is the one reported.
		if herr := s.handleError(c, err); herr != nil {
			c.Status(fiber.StatusInternalServerError)
		}
	}
	resp := c.Response()
	a := Answered{Method: c.Method(), Status: resp.StatusCode()}
	if resp.IsBodyStream() {
		a.Bytes = resp.Header.ContentLength() // -1 when unknown (chunked); reading Body would drain the stream
	} else {
		a.Bytes = len(resp.Body())
	}
	a.Route = c.Route().Path // a pattern of the table: the page's, or a guard's (such as /admin) that answered first
	if c.Locals(unmatchedKey) != nil {
		a.Route = UnmatchedRoute
	}
	a.Took = time.Since(start)
	if s.cfg.Observe != nil {
		s.cfg.Observe(a)
	}
	if l := s.cfg.AccessLog; l != nil && l.Enabled(context.Background(), slog.LevelInfo) {
		l.LogAttrs(context.Background(), slog.LevelInfo, "request",
			slog.String("method", a.Method), slog.String("route", a.Route), slog.Int("status", a.Status),
			slog.Duration("duration", a.Took), slog.Int("bytes", a.Bytes), slog.String("request_id", string(id)))
	}
	return nil
}
