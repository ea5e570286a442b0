package web

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
)

// renderer holds every template parsed once per language at start-up: one
// set per language, in which each page is "page:NAME", the layout's three
// parts around the page's own "head" and "content". (Cloning the layout and
// partials for each page instead held 27 MB of parse trees.)
type renderer struct {
	sets     map[string]*template.Template // lang → every template
	pages    map[string]bool               // page names
	catalogs map[string]catalog
	bufs     sync.Pool
}

// Templates is every page and partial, parsed once per language at
// start-up (ParseTemplates). The server draws its pages with them and the
// live hub, through an EventRenderer, the partials its events carry, so
// both draw from one parse (3 MiB).
type Templates struct{ r *renderer }

// ParseTemplates parses every template in views, for pages that link to
// the files in assets and, in absolute URLs, to site, the public origin.
func ParseTemplates(views, assets fs.FS, site string) (*Templates, error) {
	r, err := newRenderer(views, assets, site)
	if err != nil {
		return nil, err
	}
	return &Templates{r}, nil
}

// newRenderer parses every page; site is the public origin pages link to in absolute URLs.
func newRenderer(fsys, assets fs.FS, site string) (*renderer, error) {
	versions, err := assetVersions(assets)
	if err != nil {
		return nil, err
	}
	cats, err := loadCatalogs(fsys)
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(fsys, "*.html")
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	r := &renderer{sets: map[string]*template.Template{}, pages: map[string]bool{}, catalogs: cats,
		bufs: sync.Pool{New: func() any { return new(bytes.Buffer) }}}
	var pageSrc strings.Builder
	for _, f := range files {
		if f == "layout.html" || f == "partials.html" {
			continue
		}
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f, err)
		}
		src, err := pageTemplates(strings.TrimSuffix(path.Base(f), ".html"), string(b))
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", f, err)
		}
		pageSrc.WriteString(src)
		r.pages[strings.TrimSuffix(path.Base(f), ".html")] = true
	}
	for _, lang := range Languages {
		set, err := template.New("").Funcs(templateFuncs(lang, cats[lang], versions, site)).ParseFS(fsys, "layout.html", "partials.html")
		if err != nil {
			return nil, fmt.Errorf("parse layout: %w", err)
		}
		if _, err := set.New("pages").Parse(pageSrc.String()); err != nil {
			return nil, fmt.Errorf("parse pages: %w", err)
		}
		r.sets[lang] = set
	}
	return r, nil
}

// pageTemplates renames a page's "content" (and "head", if any) after the
// page and adds its "page:NAME" entry point.
func pageTemplates(name, src string) (string, error) {
	const content, head = `{{define "content"}}`, `{{define "head"}}`
	if strings.Count(src, content) != 1 || strings.Count(src, head) > 1 {
		return "", fmt.Errorf("a page defines \"content\" once and \"head\" at most once")
	}
	src = strings.Replace(src, content, `{{define "content:`+name+`"}}`, 1)
	entry := `{{define "page:` + name + `"}}{{template "layout-start" .}}`
	if strings.Contains(src, head) {
		src = strings.Replace(src, head, `{{define "head:`+name+`"}}`, 1)
		entry += `{{template "head:` + name + `" .}}`
	}
	entry += `{{template "layout-middle" .}}{{template "content:` + name + `" .}}{{template "layout-end" .}}{{end}}`
	return src + "\n" + entry + "\n", nil
}

// render executes a page into a buffer first, so that an execution error
// becomes a 500 and never a half-written 200.
func (r *renderer) render(lang, page string, data any) ([]byte, error) {
	set, ok := r.sets[lang]
	if !ok || !r.pages[page] {
		return nil, fmt.Errorf("render: no page %q in %q", page, lang)
	}
	buf := r.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer r.bufs.Put(buf)
	if err := set.ExecuteTemplate(buf, "page:"+page, data); err != nil {
		return nil, fmt.Errorf("render %s: %w", page, err)
	}
	return bytes.Clone(buf.Bytes()), nil
}

// partial executes one partial template (from partials.html) on its own, for live pushes.
func (r *renderer) partial(lang, name string, data any) ([]byte, error) {
	set, ok := r.sets[lang]
	if !ok {
		return nil, fmt.Errorf("partial %s: no language %q", name, lang)
	}
	var buf bytes.Buffer
	if err := set.ExecuteTemplate(&buf, name, data); err != nil {
		return nil, fmt.Errorf("partial %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// assetVersions fingerprints every static file, so that pages link to
// /assets/NAME?v=HASH and browsers may cache assets for a year yet never
// keep a stale one after an upgrade.
func assetVersions(assets fs.FS) (map[string]string, error) {
	out := map[string]string{}
	err := fs.WalkDir(assets, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[p] = "/assets/" + p + "?v=" + hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("fingerprint assets: %w", err)
	}
	return out, nil
}

func templateFuncs(lang string, cat catalog, assets map[string]string, site string) template.FuncMap {
	site = strings.TrimRight(site, "/")
	return template.FuncMap{
		"asset": func(name string) (string, error) {
			if u, ok := assets[name]; ok {
				return u, nil
			}
			return "", fmt.Errorf("no asset %q", name)
		},
		"absURL":   func(p string) string { return site + p },
		"t":        cat.T,
		"member":   func(name string) string { return cmp.Or(name, cat.T("privacy.withdrawn_member")) }, // a deleted account has no name
		"langName": func(code string) string { return langNames[code] },
		"htmlLang": func() string { return htmlLang[lang] },
		"date":     func(t time.Time) string { return formatDate(lang, t) },
		"isoDate":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"day":      func(t time.Time) string { return formatDay(lang, t) }, // a date without a time
		"isoDay":   isoDay,
		"num":      formatNumber,
		"fileSize": fileSize,
		"int64":    func(n int) int64 { return int64(n) },
		"min":      func(a, b int) int { return min(a, b) },
		"pct": func(n, of int) int {
			if of <= 0 {
				return 100
			}
			return min(100, n*100/of)
		},
		"stanceKey": func(s forum.Stance) string { return "stance." + string(s) },
		"statusKey": func(s forum.ProposalStatus) string { return "status." + string(s) },
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		"reasonLabel":    func(codes string) string { return reasonLabel(cat, codes) },
		"duration":       func(d time.Duration) string { return humanDuration(cat, d) },
		"since":          func(t time.Time) time.Duration { return time.Since(t) },
		"decisions":      moderation.AllDecisions,
		"decisionsList":  forum.Decisions,
		"publicStatuses": forum.PublicStatuses,
		"join":           strings.Join,
		"revokeReasons":  func() []string { return forum.RevokeReasons },
		"idReasons":      identityReasons,
		"list":           func(v ...string) []string { return v },
		"tArgs":          func(key string, args []any) string { return cat.T(key, args...) },
		"note":           func(n forum.Notification) string { return noteText(cat, lang, n) },
		"settingChanges": func(before, after string) []settingChange { return settingChanges(cat, before, after) },
		// Civil requests after the answer (requests_after.go).
		"feedback":     feedbackOf,
		"feedbackForm": feedbackForm,
		"ratings":      forum.Ratings,
		"ratingKey":    ratingKey,
		"seq": func(n int) []int {
			out := make([]int, n)
			for i := range out {
				out[i] = i + 1
			}
			return out
		},
	}
}

// fileSize writes a file's size as people read it in every language the
// forum speaks: bytes, KB or MB (of 1024), one decimal below ten.
func fileSize(n int64) string {
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1024*1024:
		return strconv.FormatInt((n+512)/1024, 10) + " KB"
	}
	mb := float64(n) / (1024 * 1024)
	if mb < 10 {
		return strconv.FormatFloat(mb, 'f', 1, 64) + " MB"
	}
	return strconv.FormatFloat(mb, 'f', 0, 64) + " MB"
}

// reasonLabel names the reason codes (or tripped rules) of a log row.
func reasonLabel(cat catalog, codes string) string {
	if codes == "" {
		return "—"
	}
	var out []string
	for _, c := range strings.Split(codes, ",") {
		label := c
		for _, k := range []string{"hide.reason." + c, "mod.rule." + c, "revoke.reason." + c, "identity.reason." + c} {
			if v, ok := cat[k]; ok {
				label = v
				break
			}
		}
		out = append(out, label)
	}
	return strings.Join(out, ", ")
}

// humanDuration rounds d to minutes, hours or days in the catalog's words.
func humanDuration(cat catalog, d time.Duration) string {
	switch {
	case d < time.Hour:
		return cat.T("dur.minutes", int(d/time.Minute))
	case d < 48*time.Hour:
		return cat.T("dur.hours", int(d/time.Hour))
	}
	return cat.T("dur.days", int(d/(24*time.Hour)))
}

// noteText says a notification in the reader's language.
func noteText(cat catalog, lang string, n forum.Notification) string {
	var d struct {
		Kind    string `json:"kind"`
		Reason  string `json:"reason"`
		Granted bool   `json:"granted"`
		Until   int64  `json:"until"`
	}
	_ = json.Unmarshal(n.Data, &d)
	item := cat.T("mod.kind." + d.Kind)
	switch n.Kind {
	case forum.NoteContentHidden:
		return cat.T("notes.content_hidden", item, reasonLabel(cat, d.Reason))
	case forum.NoteContentRestored:
		return cat.T("notes.content_restored", item)
	case forum.NoteAppealDecided:
		if d.Granted {
			return cat.T("notes.appeal_granted", item)
		}
		return cat.T("notes.appeal_denied", item)
	case forum.NoteThresholdReached:
		return cat.T("notes.threshold_reached")
	case forum.NoteStatusChanged:
		return cat.T("notes.status_changed")
	case forum.NoteResponse:
		return cat.T("notes.official_response")
	case forum.NoteTransferred:
		return cat.T("notes.transferred")
	case forum.NoteReply:
		return cat.T("notes.reply")
	case forum.NoteSuspended:
		if d.Until == 0 {
			return cat.T("notes.banned", reasonLabel(cat, d.Reason))
		}
		return cat.T("notes.suspended", formatDate(lang, time.Unix(d.Until, 0)), reasonLabel(cat, d.Reason))
	}
	return cat.T("notes.generic")
}
