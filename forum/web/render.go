package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
)

// renderer holds every page parsed once per language at start-up.
type renderer struct {
	pages    map[string]map[string]*template.Template // lang → page name → template
	partials map[string]*template.Template            // lang → layout and partials alone
	catalogs map[string]catalog
	bufs     sync.Pool
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
	r := &renderer{pages: map[string]map[string]*template.Template{}, partials: map[string]*template.Template{}, catalogs: cats,
		bufs: sync.Pool{New: func() any { return new(bytes.Buffer) }}}
	for _, lang := range Languages {
		base, err := template.New("").Funcs(templateFuncs(lang, cats[lang], versions, site)).ParseFS(fsys, "layout.html", "partials.html")
		if err != nil {
			return nil, fmt.Errorf("parse layout: %w", err)
		}
		r.pages[lang] = map[string]*template.Template{}
		r.partials[lang] = base
		for _, f := range files {
			if f == "layout.html" || f == "partials.html" {
				continue
			}
			t, err := template.Must(base.Clone()).ParseFS(fsys, f)
			if err != nil {
				return nil, fmt.Errorf("parse %s: %w", f, err)
			}
			r.pages[lang][strings.TrimSuffix(path.Base(f), ".html")] = t
		}
	}
	return r, nil
}

// render executes the page into a buffer first, so that an execution error
// becomes a 500 and never a half-written 200.
func (r *renderer) render(lang, page, entry string, data any) ([]byte, error) {
	t, ok := r.pages[lang][page]
	if !ok {
		return nil, fmt.Errorf("render: no page %q", page)
	}
	buf := r.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer r.bufs.Put(buf)
	if err := t.ExecuteTemplate(buf, entry, data); err != nil {
		return nil, fmt.Errorf("render %s: %w", page, err)
	}
	return bytes.Clone(buf.Bytes()), nil
}

// partial executes one partial template (from partials.html) on its own, for live pushes.
func (r *renderer) partial(lang, name string, data any) ([]byte, error) {
	t, ok := r.partials[lang]
	if !ok {
		return nil, fmt.Errorf("partial %s: no language %q", name, lang)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
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
		"langName": func(code string) string { return langNames[code] },
		"htmlLang": func() string { return htmlLang[lang] },
		"date":     func(t time.Time) string { return formatDate(lang, t) },
		"isoDate":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"num":      formatNumber,
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
		"list":           func(v ...string) []string { return v },
		"tArgs":          func(key string, args []any) string { return cat.T(key, args...) },
		"note":           func(n forum.Notification) string { return noteText(cat, lang, n) },
		"seq": func(n int) []int {
			out := make([]int, n)
			for i := range out {
				out[i] = i + 1
			}
			return out
		},
	}
}

// reasonLabel names the reason codes (or tripped rules) of a log row.
func reasonLabel(cat catalog, codes string) string {
	if codes == "" {
		return "—"
	}
	var out []string
	for _, c := range strings.Split(codes, ",") {
		label := c
		for _, k := range []string{"hide.reason." + c, "mod.rule." + c} {
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
