package web

import (
	"net"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// hsts is the Strict-Transport-Security of a site served over HTTPS: two
// years, subdomains included.
const hsts = "max-age=63072000; includeSubDomains"

// checkHost answers only requests addressed to the site's own host (the
// host of Config.BaseURL): a page on another name that resolves to this
// server (DNS rebinding) gets 421 and never reaches a handler, live
// sockets included. /healthz answers any name, as load balancers probe it
// by address. Names of the loopback interface stand for one another when
// the base URL names one, so http://localhost:8080 and
// http://127.0.0.1:8080 both work for a local run. A request without any
// Host (HTTP/1.0, or a test calling the handler directly) is let through:
// browsers always send one, so it cannot come from a rebound page.
// With an https base URL every response carries Strict-Transport-Security.
func (s *Server) checkHost() fiber.Handler {
	base, err := url.Parse(s.cfg.BaseURL)
	if err != nil {
		return func(c *fiber.Ctx) error { return c.Next() }
	}
	want, secure := base.Hostname(), base.Scheme == "https"
	// A base URL without a name (the default http://ADDR of -addr :8080 or
	// 0.0.0.0:8080) names no site to hold requests to: any host is served.
	anyHost := want == "" || (net.ParseIP(want) != nil && net.ParseIP(want).IsUnspecified())
	return func(c *fiber.Ctx) error {
		if secure {
			c.Set(fiber.HeaderStrictTransportSecurity, hsts)
		}
		host := string(c.Request().Host())
		if anyHost || host == "" || c.Path() == "/healthz" || sameHost(hostname(host), want) {
			return c.Next()
		}
		return fiber.NewError(fiber.StatusMisdirectedRequest, "err.wrong_host")
	}
}

// hostname is the name in a Host header, without its port or IPv6 brackets.
func hostname(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]")
}

// sameHost reports whether a request for host reaches the site named want.
func sameHost(host, want string) bool {
	host, want = strings.TrimSuffix(host, "."), strings.TrimSuffix(want, ".")
	return strings.EqualFold(host, want) || (isLoopbackName(host) && isLoopbackName(want))
}

// isLoopbackName reports whether h names this machine's loopback interface.
func isLoopbackName(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
