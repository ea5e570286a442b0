package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Languages the forum speaks, Korean first.
var Languages = []string{"ko", "en", "zh"}

var langNames = map[string]string{"ko": "한국어", "en": "English", "zh": "繁體中文"}

// htmlLang is the value of the lang attribute for each language.
var htmlLang = map[string]string{"ko": "ko", "en": "en", "zh": "zh-Hant"}

// seoul is Korea Standard Time; Korea keeps no daylight saving time.
var seoul = time.FixedZone("KST", 9*60*60)

// catalog maps message keys to fmt format strings in one language.
type catalog map[string]string

// loadCatalogs reads each language's messages: locales/<lang>.json and
// then every locales/<lang>.<area>.json, an area's messages kept in a file
// of their own (accounts, privacy). A key may be defined once per language.
func loadCatalogs(fsys fs.FS) (map[string]catalog, error) {
	out := make(map[string]catalog, len(Languages))
	for _, lang := range Languages {
		areas, err := fs.Glob(fsys, "locales/"+lang+".*.json")
		if err != nil {
			return nil, fmt.Errorf("load catalog %s: %w", lang, err)
		}
		c := catalog{}
		for _, name := range append([]string{"locales/" + lang + ".json"}, areas...) {
			b, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, fmt.Errorf("load catalog %s: %w", lang, err)
			}
			var part catalog
			if err := json.Unmarshal(b, &part); err != nil {
				return nil, fmt.Errorf("load catalog %s: %w", name, err)
			}
			for k, v := range part {
				if _, dup := c[k]; dup {
					return nil, fmt.Errorf("load catalog %s: key %q is defined twice", name, k)
				}
				c[k] = v
			}
		}
		out[lang] = c
	}
	return out, nil
}

// T translates key with args; a missing key shows itself so it is noticed, never a blank.
// Korean particle markers of the message ("%s(으)로", "%s이(가)") are
// resolved by the word before them (withParticles).
func (c catalog) T(key string, args ...any) string {
	f, ok := c[key]
	if !ok {
		return key
	}
	return withParticles(f, args...)
}

// pickLang chooses the language from the cookie, else Accept-Language, else Korean.
func pickLang(cookie, accept string) string {
	if l := askedLang(cookie, accept); l != "" {
		return l
	}
	return "ko"
}

// askedLang is the language a browser asks for by the cookie, else by
// Accept-Language; "" when it asks for none the forum speaks.
func askedLang(cookie, accept string) string {
	if isLang(cookie) {
		return cookie
	}
	best, bestQ := "", -1.0
	for _, part := range strings.Split(accept, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if isLang(base) && q > bestQ {
			best, bestQ = base, q
		}
	}
	return best
}

func isLang(s string) bool { _, ok := langNames[s]; return ok }

// formatDate renders t in Seoul time the way each language writes dates.
func formatDate(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(seoul)
	switch lang {
	case "en":
		return t.Format("Jan 2, 2006 15:04")
	case "zh":
		return t.Format("2006年1月2日 15:04")
	}
	return t.Format("2006년 1월 2일 15:04")
}

// formatDay renders a calendar day (a date without a time, such as an
// answer's next-step date, kept as Seoul's midnight of that day) the way each
// language writes dates, as formatDate does without the time: "2027년 3월 2일",
// "Mar 2, 2027", "2027年3月2日". The statistics' day bars use it too.
func formatDay(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(seoul)
	switch lang {
	case "en":
		return t.Format("Jan 2, 2006")
	case "zh":
		return t.Format("2006年1月2日")
	}
	return t.Format("2006년 1월 2일")
}

// isoDay writes a calendar day as ISO 8601 ("2027-03-02"), the day in
// Seoul, for datetime attributes, the API, CSV and feeds; "" for the zero time.
func isoDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(seoul).Format(time.DateOnly)
}

// formatNumber groups digits by thousands, as all three languages do.
func formatNumber(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func (s *Server) lang(c *fiber.Ctx) string {
	if l, ok := c.Locals("lang").(string); ok {
		return l
	}
	l := pickLang(c.Cookies(langCookie), c.Get(fiber.HeaderAcceptLanguage))
	c.Locals("lang", l)
	return l
}

// t translates a key in the request's language.
func (s *Server) t(c *fiber.Ctx, key string, args ...any) string {
	return s.views.catalogs[s.lang(c)].T(key, args...)
}

// handleLang remembers the chosen language and returns to the page it came from.
func (s *Server) handleLang(c *fiber.Ctx) error {
	if l := c.Query("lang"); isLang(l) {
		s.cookie(c, langCookie, l, 365*24*time.Hour)
	}
	return c.Redirect(localPath(c.Query("next")), fiber.StatusSeeOther)
}
