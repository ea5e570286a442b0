package moderation

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/idna"
)

// DisposableDomains is a set of throw-away e-mail domains, such as the
// disposable-email-domains block list. Its zero value is the empty set.
type DisposableDomains struct {
	set map[string]struct{}
}

// LoadDisposableDomains reads a block list written one domain a line.
// Lines are trimmed; blank lines and lines starting with # are skipped; a
// line that is not a single word is an error, naming its line number.
func LoadDisposableDomains(r io.Reader) (DisposableDomains, error) {
	d := DisposableDomains{set: make(map[string]struct{})}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.ContainsFunc(line, func(r rune) bool { return r == '@' || r == ' ' || r == '\t' }) {
			return DisposableDomains{}, fmt.Errorf("load disposable domains: line %d: %q is not a domain", n, line)
		}
		d.set[normalizeDomain(line)] = struct{}{}
	}
	if err := sc.Err(); err != nil {
		return DisposableDomains{}, fmt.Errorf("load disposable domains: %w", err)
	}
	return d, nil
}

// Len returns the number of domains in the set.
func (d DisposableDomains) Len() int { return len(d.set) }

// Disposable reports whether email is at a throw-away domain: whether the
// domain after its last @ (the whole string when it has none), or any
// parent domain of it, is in the set, so that sub.mailinator.com counts as
// mailinator.com. Case, a trailing dot and Unicode spellings of the domain
// do not matter.
func (d DisposableDomains) Disposable(email string) bool {
	domain := normalizeDomain(email[strings.LastIndexByte(email, '@')+1:])
	for domain != "" {
		if _, ok := d.set[domain]; ok {
			return true
		}
		_, parent, ok := strings.Cut(domain, ".")
		if !ok {
			break
		}
		domain = parent
	}
	return false
}

// normalizeDomain returns domain in its lower-case ASCII (punycode) form,
// without surrounding spaces or a trailing dot.
func normalizeDomain(domain string) string {
	domain = strings.TrimSuffix(strings.TrimSpace(domain), ".")
	if ascii, err := idna.Lookup.ToASCII(domain); err == nil {
		return ascii
	}
	return strings.ToLower(domain)
}
