// Package ogcard draws a proposal's share card: the 1200×630 PNG that
// Open Graph and Twitter cards show when someone shares a proposal's link.
// It is pure: it takes the words and figures already in the reader's
// language and the font's bytes, and returns the image; it knows nothing of
// HTTP, the store or who may see what.
package ogcard

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// Width and Height are the card's size in pixels, the size Open Graph
// consumers (Facebook, X, KakaoTalk, LINE) show without cropping.
const (
	Width  = 1200
	Height = 630
)

// TitleLines is the most lines the title takes; a longer title ends with an ellipsis.
const TitleLines = 3

// Card is what one card says, already in the reader's language.
type Card struct {
	Site     string // the site's name, in the top band
	Title    string // the proposal's title, wrapped to at most TitleLines lines; left out when the font lacks any of its letters
	Status   string // the proposal's status in words
	Count    string // the support figure as it reads ("1,234 / 50,000명")
	Supports int    // supports so far, for the bar
	Goal     int    // the support goal; 0 draws no bar
}

// KRDS colours (the Korean government's design system): primary blue,
// its light tint, the text grey and the band's white.
var (
	colBand  = color.RGBA{0x0b, 0x50, 0xd0, 0xff}
	colTint  = color.RGBA{0xe8, 0xf0, 0xfe, 0xff}
	colText  = color.RGBA{0x1e, 0x21, 0x24, 0xff}
	colMuted = color.RGBA{0x46, 0x4c, 0x53, 0xff}
	colWhite = color.RGBA{0xff, 0xff, 0xff, 0xff}
	colTrack = color.RGBA{0xcd, 0xd1, 0xd5, 0xff}
)

// Geometry, in pixels.
const (
	margin     = 80
	bandHeight = 96
	titleSize  = 64
	titleLead  = 86 // baseline to baseline
	titleTop   = bandHeight + 64
	siteSize   = 36
	statusSize = 32
	countSize  = 36
	barY       = 520
	barHeight  = 28
)

// Drawer draws cards with one font. It is safe for concurrent use: each
// Draw makes its own faces.
type Drawer struct {
	font *opentype.Font
}

// New parses the font (OpenType, CFF or TrueType outlines) that cards are drawn with.
func New(fontData []byte) (*Drawer, error) {
	f, err := opentype.Parse(fontData)
	if err != nil {
		return nil, fmt.Errorf("parse card font: %w", err)
	}
	return &Drawer{font: f}, nil
}

// Missing returns the runes of s the font has no glyph for, each once, in
// the order they first appear; white space and control characters are never missing.
func (d *Drawer) Missing(s string) []rune {
	var buf sfnt.Buffer
	var out []rune
	seen := map[rune]bool{}
	for _, r := range s {
		if seen[r] || unicode.IsSpace(r) || unicode.IsControl(r) {
			continue
		}
		seen[r] = true
		if i, err := d.font.GlyphIndex(&buf, r); err != nil || i == 0 {
			out = append(out, r)
		}
	}
	return out
}

func (d *Drawer) face(size float64) (font.Face, error) {
	f, err := opentype.NewFace(d.font, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, fmt.Errorf("make %v px face: %w", size, err)
	}
	return f, nil
}

// Draw renders c as a PNG.
func (d *Drawer) Draw(c Card) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, Width, Height))
	fill(img, img.Bounds(), colWhite)
	fill(img, image.Rect(0, 0, Width, bandHeight), colBand)
	fill(img, image.Rect(0, Height-12, Width, Height), colBand)

	site, err := d.face(siteSize)
	if err != nil {
		return nil, err
	}
	defer site.Close()
	text(img, site, colWhite, margin, bandHeight/2+siteSize*7/20, c.Site)

	title, err := d.face(titleSize)
	if err != nil {
		return nil, err
	}
	defer title.Close()
	// A title in a script the font does not cover (Han: the shipped font is
	// Korean and Latin) would be a row of empty boxes: the card goes without
	// it, and the page's og:title says it in text.
	if len(d.Missing(c.Title)) > 0 {
		c.Title = ""
	}
	for i, line := range Wrap(title, c.Title, Width-2*margin, TitleLines) {
		text(img, title, colText, margin, titleTop+titleSize*4/5+i*titleLead, line)
	}

	status, err := d.face(statusSize)
	if err != nil {
		return nil, err
	}
	defer status.Close()
	if c.Status != "" {
		w := font.MeasureString(status, c.Status).Ceil()
		pill := image.Rect(margin, barY-96, margin+w+40, barY-40)
		fill(img, pill, colTint)
		text(img, status, colBand, margin+20, pill.Max.Y-pill.Dy()/2+statusSize*7/20, c.Status)
	}

	count, err := d.face(countSize)
	if err != nil {
		return nil, err
	}
	defer count.Close()
	if c.Count != "" {
		w := font.MeasureString(count, c.Count).Ceil()
		text(img, count, colMuted, Width-margin-w, barY-54, c.Count)
	}
	if c.Goal > 0 {
		track := image.Rect(margin, barY, Width-margin, barY+barHeight)
		fill(img, track, colTrack)
		done := min(max(c.Supports, 0), c.Goal)
		if done > 0 {
			w := max(track.Dx()*done/c.Goal, barHeight/2)
			fill(img, image.Rect(track.Min.X, track.Min.Y, track.Min.X+w, track.Max.Y), colBand)
		}
	}

	var out bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&out, img); err != nil {
		return nil, fmt.Errorf("encode card: %w", err)
	}
	return out.Bytes(), nil
}

func fill(img *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

func text(img *image.RGBA, face font.Face, c color.Color, x, baseline int, s string) {
	dr := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: face, Dot: fixed.P(x, baseline)}
	dr.DrawString(s)
}

// Wrap breaks s into at most lines lines no wider than width pixels in
// face. It breaks at spaces, and inside a word only when the word alone is
// wider than a line (a long Korean or Chinese run, a URL). When s does not
// fit, the last line ends with an ellipsis.
func Wrap(face font.Face, s string, width, lines int) []string {
	words := strings.Fields(s)
	limit := fixed.I(width)
	var out []string
	cur := ""
	push := func() bool {
		out = append(out, cur)
		cur = ""
		return len(out) < lines
	}
	for i := 0; i < len(words); i++ {
		w := words[i]
		next := w
		if cur != "" {
			next = cur + " " + w
		}
		if font.MeasureString(face, next) <= limit {
			cur = next
			continue
		}
		if cur != "" { // the word starts the next line
			if !push() {
				return ellipsize(face, out, strings.Join(words[i:], " "), limit)
			}
			i--
			continue
		}
		// One word wider than a line: cut it where it stops fitting.
		runes := []rune(w)
		n := 1
		for n < len(runes) && font.MeasureString(face, string(runes[:n+1])) <= limit {
			n++
		}
		cur = string(runes[:n])
		words[i] = string(runes[n:])
		if !push() {
			return ellipsize(face, out, strings.Join(words[i:], " "), limit)
		}
		i--
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}

// ellipsize ends the last of out with "…", shortened until it fits, when rest did not fit.
func ellipsize(face font.Face, out []string, rest string, limit fixed.Int26_6) []string {
	if strings.TrimSpace(rest) == "" {
		return out
	}
	last := []rune(out[len(out)-1])
	for len(last) > 0 && font.MeasureString(face, strings.TrimRight(string(last), " ")+"…") > limit {
		last = last[:len(last)-1]
	}
	out[len(out)-1] = strings.TrimRight(string(last), " ") + "…"
	return out
}
