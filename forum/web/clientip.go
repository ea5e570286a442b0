package web

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// parseProxies reads the trusted reverse proxies: addresses or CIDR ranges.
func parseProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an address or CIDR range", s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// trustedProxy reports whether a is one of the operator's reverse proxies.
func (s *Server) trustedProxy(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientIP is the address a request comes from, the key of every per-IP
// limit. It is the TCP peer, unless the peer is a trusted proxy: then it is
// the right-most address in X-Forwarded-For that is not itself a trusted
// proxy. Entries left of that one were written by the client and are never
// believed (Fiber's ProxyHeader would take the left-most, which anyone can
// set). Without trusted proxies X-Forwarded-For is ignored.
func (s *Server) clientIP(c *fiber.Ctx) string {
	peer, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok {
		return c.Context().RemoteIP().String()
	}
	ip := peer.Unmap()
	if len(s.proxies) == 0 || !s.trustedProxy(ip) {
		return ip.String()
	}
	var hops []string
	for _, h := range c.Request().Header.PeekAll(fiber.HeaderXForwardedFor) {
		hops = append(hops, strings.Split(string(h), ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		a, err := netip.ParseAddr(h)
		if err != nil {
			ap, perr := netip.ParseAddrPort(h)
			if perr != nil {
				break // not written by a proxy: believe nothing further left
			}
			a = ap.Addr()
		}
		ip = a.Unmap()
		if !s.trustedProxy(ip) {
			break
		}
	}
	return ip.String()
}

// writerKey keys the cap on writes: the citizen when signed in, else the client address.
func (s *Server) writerKey(c *fiber.Ctx) string {
	if u := currentUser(c); u != nil {
		return "user:" + strconv.FormatInt(u.ID, 10)
	}
	return "ip:" + s.clientIP(c)
}
