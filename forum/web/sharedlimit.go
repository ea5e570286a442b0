package web

import (
	"math"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"
)

// limit returns the rate limiter cfg describes (Max requests per
// Expiration, keyed by KeyGenerator). On SQLite, whose one node sees every
// request, it is Fiber's in-memory limiter. On PostgreSQL, which several
// nodes share, the same fixed window is counted in the database
// (store.HitRateLimit), so the limit holds however the load balancer
// spreads the requests. name keeps apart limits whose keys could meet.
func (s *Server) limit(name string, cfg limiter.Config) fiber.Handler {
	if !s.store.Postgres() {
		return limiter.New(cfg)
	}
	return func(c *fiber.Ctx) error {
		if cfg.Next != nil && cfg.Next(c) {
			return c.Next()
		}
		key := name + ":" + cfg.KeyGenerator(c)
		// The wall clock, as Fiber's limiter: a window is a span of real time.
		now := time.Now()
		hits, ends, err := s.store.HitRateLimit(c.UserContext(), key, now, cfg.Expiration)
		if err != nil {
			return err
		}
		reset := strconv.Itoa(int(math.Ceil(ends.Sub(now).Seconds())))
		if hits > int64(cfg.Max) {
			c.Set(fiber.HeaderRetryAfter, reset)
			return cfg.LimitReached(c)
		}
		c.Set("X-RateLimit-Limit", strconv.Itoa(cfg.Max))
		c.Set("X-RateLimit-Remaining", strconv.FormatInt(int64(cfg.Max)-hits, 10))
		c.Set("X-RateLimit-Reset", reset)
		err = c.Next()
		if cfg.SkipSuccessfulRequests && err == nil && c.Response().StatusCode() < fiber.StatusBadRequest {
			if err := s.store.UnhitRateLimit(c.UserContext(), key); err != nil {
				s.log.Warn("rate limit: take back a successful request", "err", err)
			}
		}
		return err
	}
}
