package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/ogcard"
	"github.com/e-people/e-people/forum/store"
	"github.com/gofiber/fiber/v2"
)

// cardFont is the card font in the assets: Pretendard GOV Bold, subset to
// Hangul syllables, Latin and punctuation (it has no Han characters).
const cardFont = "fonts/pretendard-gov-1.3.9/PretendardGOV-Bold.subset.otf"

// cardCacheSize is how many drawn cards the server keeps (about 60 KB each).
const cardCacheSize = 256

// ogExcerpt is how many characters of a proposal's text og:description carries.
const ogExcerpt = 160

// shareView is part S's block of the proposal page (issue 18): where the
// page is, what it is called, its share card and its Atom feed.
type shareView struct {
	Kind    string // "proposal" or "debate": the ids of the block's elements
	ID      int64
	URL     string // the page's absolute address, which every share link carries
	Title   string
	Excerpt string // a plain-text excerpt of the text, for og:description
	Card    string // the share card's absolute address; "" for a debate
	Feed    string // the item's Atom feed, site-relative
	Locale  string // og:locale of the page's language
}

// ogLocales are the og:locale values of the forum's languages.
var ogLocales = map[string]string{"ko": "ko_KR", "en": "en_US", "zh": "zh_TW"}

// shareData gathers shareView for p.
func (s *Server) shareData(c *fiber.Ctx, p *forum.Proposal) (shareView, error) {
	path := "/proposals/" + strconv.FormatInt(p.ID, 10)
	return shareView{Kind: "proposal", ID: p.ID, URL: s.site() + path, Title: p.Title, Excerpt: excerpt(p.Body.Text(), ogExcerpt),
		Card: s.site() + path + "/card.png", Feed: "/feeds" + path + ".atom", Locale: ogLocales[s.lang(c)]}, nil
}

// debateShare is the share block of a debate's page.
func (s *Server) debateShare(c *fiber.Ctx, d *forum.Debate) shareView {
	path := "/debates/" + strconv.FormatInt(d.ID, 10)
	return shareView{Kind: "debate", ID: d.ID, URL: s.site() + path, Title: d.Question, Excerpt: excerpt(d.Background.Text(), ogExcerpt),
		Feed: "/feeds" + path + ".atom", Locale: ogLocales[s.lang(c)]}
}

// excerpt is s on one line, cut at n characters with an ellipsis.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n-1])) + "…"
}

// shareRoutes are part S's routes (issue 18): the share card, the share
// page and the per-item Atom feeds.
func (s *Server) shareRoutes() []route {
	const get = fiber.MethodGet
	return []route{
		{get, "/proposals/:id<int>/card.png", nil, s.handleProposalCard},
		{get, "/proposals/:id<int>/share", nil, s.handleProposalSharePage},
		{get, "/feeds/proposals/:id<int>.atom", nil, s.handleProposalItemFeed},
		{get, "/feeds/debates/:id<int>.atom", nil, s.handleDebateItemFeed},
	}
}

// sharePage shows how a proposal looks when shared: its card, and the share block.
type sharePage struct {
	base
	P     *forum.Proposal
	Share shareView
}

func (s *Server) handleProposalSharePage(c *fiber.Ctx) error {
	p, v, err := s.proposalFor(c, paramID(c))
	if err != nil {
		return err
	}
	if v != forum.Seen || !p.Public() { // only what everyone may read is shared
		return forum.ErrNotFound
	}
	sv, err := s.shareData(c, p)
	if err != nil {
		return err
	}
	sv.Card = "" // the page is the card's preview: its block does not link to itself
	return s.page(c, fiber.StatusOK, "share", sharePage{base: s.base(c, s.t(c, "share.page_title", p.Title)), P: p, Share: sv})
}

// cardCache keeps drawn cards, bounded, keyed by proposal and language; an
// entry stands while its version (what the card shows) is unchanged. Its
// zero value is ready: the font is parsed at the first card.
type cardCache struct {
	once    sync.Once
	drawer  *ogcard.Drawer
	fontErr error

	mu      sync.Mutex
	entries map[cardKey]cardEntry
	order   []cardKey // oldest first, for eviction
}

type cardKey struct {
	id   int64
	lang string
}

type cardEntry struct {
	version string
	png     []byte
	etag    string
}

// supportBuckets is how finely the card's support bar follows the count:
// the card is drawn again when the supports cross a hundredth of the goal.
const supportBuckets = 100

func (s *Server) handleProposalCard(c *fiber.Ctx) error {
	p, err := s.store.Proposal(c.UserContext(), paramID(c))
	if err != nil {
		return err
	}
	if p.VisibilityTo(nil) != forum.Seen { // a card is for everyone, so only what a guest may read
		return forum.ErrNotFound
	}
	lang := s.lang(c)
	words := lang
	if words == "zh" { // the card font has no Han characters: Chinese readers get the English words
		words = "en"
	}
	cat := s.views.catalogs[words]
	goal := s.store.Settings().Thresholds.Supports
	card := ogcard.Card{Site: cat.T("share.card_site"), Title: p.Title, Status: cat.T("status." + string(p.Status)),
		Count: cat.T("share.card_count", formatNumber(p.Supports), formatNumber(goal)), Supports: p.Supports, Goal: goal}
	bucket := 0
	if goal > 0 {
		bucket = min(p.Supports, goal) * supportBuckets / goal
	}
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%d\x00%d", card.Title, card.Status, bucket, goal)))
	version := hex.EncodeToString(sum[:8])

	cc := &s.cards
	cc.once.Do(func() {
		b, err := fs.ReadFile(s.cfg.Assets, cardFont)
		if err != nil {
			cc.fontErr = fmt.Errorf("read card font: %w", err)
			return
		}
		cc.drawer, cc.fontErr = ogcard.New(b)
	})
	if cc.fontErr != nil {
		return cc.fontErr
	}
	key := cardKey{p.ID, words}
	cc.mu.Lock()
	e, ok := cc.entries[key]
	cc.mu.Unlock()
	if !ok || e.version != version {
		png, err := cc.drawer.Draw(card)
		if err != nil {
			return fmt.Errorf("draw card of proposal %d: %w", p.ID, err)
		}
		h := sha256.Sum256(png)
		e = cardEntry{version: version, png: png, etag: `"card-` + hex.EncodeToString(h[:8]) + `"`}
		cc.put(key, e)
	}
	c.Set(fiber.HeaderETag, e.etag)
	c.Set(fiber.HeaderCacheControl, "public, max-age=600")
	c.Vary(fiber.HeaderAcceptLanguage, fiber.HeaderCookie)
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && strings.Contains(inm, e.etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, "image/png")
	return c.Send(e.png)
}

// put stores e under key, dropping the oldest card when the cache is full.
func (cc *cardCache) put(key cardKey, e cardEntry) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.entries == nil {
		cc.entries = map[cardKey]cardEntry{}
	}
	if _, ok := cc.entries[key]; !ok {
		if len(cc.order) >= cardCacheSize {
			delete(cc.entries, cc.order[0])
			cc.order = cc.order[1:]
		}
		cc.order = append(cc.order, key)
	}
	cc.entries[key] = e
}

// weeklyLines writes a weekly digest's account of what changed on each
// followed item, one text per language of langs: the item's title (while
// rcpt may read it; an item they may no longer see is left out), then what
// changed (the status it moved to, answers, milestones, new comments, other
// news) and its link. Nil when there is nothing to say. covered holds the
// subjects (forum.NoteSubject) it tells of, whose notifications the digest
// need not list again one by one.
func (s *Server) weeklyLines(ctx context.Context, rcpt *forum.User, changes []store.FollowedChange, langs []string) (lines []string, covered map[string]bool, err error) {
	if len(changes) == 0 {
		return nil, nil, nil
	}
	type named struct {
		store.FollowedChange
		title, path string
	}
	var items []named
	for _, ch := range changes {
		it := named{FollowedChange: ch, path: "/" + ch.Kind + "s/" + strconv.FormatInt(ch.ID, 10)}
		switch ch.Kind {
		case "proposal":
			p, err := s.store.Proposal(ctx, ch.ID)
			if errors.Is(err, forum.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, nil, err
			}
			switch p.VisibilityTo(rcpt) {
			case forum.Unseen:
				continue
			case forum.Seen:
				it.title = p.Title
			}
		case "debate":
			d, err := s.store.Debate(ctx, ch.ID)
			if errors.Is(err, forum.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, nil, err
			}
			it.title = d.Question
		default:
			continue
		}
		items = append(items, it)
	}
	if len(items) == 0 {
		return nil, nil, nil
	}
	covered = map[string]bool{}
	for _, it := range items {
		covered[forum.NoteSubject(it.Kind, it.ID)] = true
	}
	site := s.site()
	out := make([]string, len(langs))
	for i, lang := range langs {
		cat := s.views.catalogs[lang]
		var b strings.Builder
		b.WriteString(cat.T("mail.weekly.heading"))
		for _, it := range items {
			name := it.title
			if name == "" {
				name = cat.T("mail.weekly."+it.Kind, it.ID)
			}
			var what []string
			if it.Status != "" {
				label, ok := cat["status."+it.Status]
				if !ok {
					label = it.Status
				}
				what = append(what, cat.T("mail.weekly.status", label))
			}
			if it.Answers > 0 {
				what = append(what, cat.T("mail.weekly.answer"))
			}
			if it.Milestones > 0 {
				what = append(what, cat.T("mail.weekly.milestones", formatNumber(it.Milestones)))
			}
			if it.Comments > 0 {
				what = append(what, cat.T("mail.weekly.comments", formatNumber(it.Comments)))
			}
			kinds := make([]string, 0, len(it.Other))
			for k := range it.Other {
				kinds = append(kinds, k)
			}
			slices.Sort(kinds)
			other := 0
			for _, k := range kinds {
				if l, ok := cat["mail.kind."+k]; ok {
					what = append(what, l+" "+formatNumber(it.Other[k]))
				} else {
					other += it.Other[k]
				}
			}
			if other > 0 {
				what = append(what, cat.T("mail.weekly.other", formatNumber(other)))
			}
			b.WriteString("\n· " + name)
			if len(what) > 0 {
				b.WriteString(": " + strings.Join(what, ", "))
			}
			b.WriteString("\n  " + site + it.path)
		}
		out[i] = b.String()
	}
	return out, covered, nil
}
