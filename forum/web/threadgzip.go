package web

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"hash/maphash"
	"io"
	"sync"

	"github.com/e-people/e-people/forum"
)

// Most readers of a thread are guests, and every guest sees a page of
// comments the same way (in a language, an order, open or closed). Such a
// page of comments is kept whole, as HTML and compressed on its own as raw
// deflate blocks ending in a sync flush: byte-aligned and referring to
// nothing before them, so that they may follow any other such blocks. A
// page's gzip stream is then a header, the deflate blocks of the page
// before the comments (which carries the viewer's CSRF token, compressed
// per request), the kept blocks, those of the page after them and a final
// empty block, and the CRC-32 and length of the uncompressed bytes. It
// decompresses to the identity page byte for byte. Compressing a page of
// comments as a whole (not each comment alone, which compresses to half
// the size instead of a seventh) keeps the ratio of compressing the page.
//
// A kept page is drawn from the thread entry it names and used only with
// that entry, so it is dropped exactly when the entry is (threadcache.go).
// Members' pages carry their CSRF token in every form, their own comments
// and votes; they are written from the fragments and compressed by the
// compress middleware.

// threadSlotBytes bounds the kept pages of comments (HTML and compressed):
// all are dropped beyond it.
const threadSlotBytes = 8 << 20

// slotKey names a page of comments as guests see it.
type slotKey struct {
	subject forum.Subject
	order   forum.CommentOrder
	page    int
	lang    string
	open    bool
}

// slot is a page of comments, as HTML and compressed.
type slot struct {
	entry *threadEntry // the comments it was drawn from
	raw   []byte
	z     []byte // raw as deflate blocks ending in a sync flush
}

func (sl *slot) size() int { return len(sl.raw) + len(sl.z) }

// keepable reports whether t's page of comments is the same for every
// viewer like this one: a guest who is not replying.
func (t *thread) keepable() bool { return t.class() == classGuest && t.ReplyTo == 0 }

// slotFor returns t's page of comments in lang, kept or drawn and kept; t
// must be keepable.
func (s *Server) slotFor(lang string, t *thread) (*slot, error) {
	tc := s.threads
	key := slotKey{subject: t.Subject, order: t.Order, page: t.Page, lang: lang, open: t.Open}
	tc.mu.Lock()
	sl := tc.slots[key]
	tc.mu.Unlock()
	if sl != nil && sl.entry == t.entry {
		tc.pageHits.Add(1)
		return sl, nil
	}
	tc.pageDrawn.Add(1)
	var raw bytes.Buffer
	if err := s.writeThread(&raw, lang, t); err != nil {
		return nil, err
	}
	sl = &slot{entry: t.entry, raw: raw.Bytes()}
	var z bytes.Buffer
	z.Grow(len(sl.raw) / 4)
	deflateTo(&z, sl.raw)
	sl.z = z.Bytes()
	tc.mu.Lock()
	defer tc.mu.Unlock()
	// Keep it only while its entry is the subject's: an entry dropped
	// while this was drawn must not come back through it.
	if tc.subjects[t.Subject] != t.entry {
		return sl, nil
	}
	if old := tc.slots[key]; old != nil {
		tc.slotSize -= old.size()
	}
	if tc.slotSize+sl.size() > threadSlotBytes {
		clear(tc.slots)
		tc.slotSize = 0
	}
	tc.slots[key] = sl
	tc.slotSize += sl.size()
	return sl, nil
}

// gzipHeader is a gzip member header: deflate, no name, no time, unknown OS.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// finalBlock is an empty final deflate block (fixed Huffman, end of block).
var finalBlock = []byte{0x03, 0x00}

var deflaters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(io.Discard, flate.BestSpeed) // only an invalid level fails
	return w
}}

// deflateTo writes src to w compressed on its own, as raw deflate blocks
// ending in a sync flush.
func deflateTo(w *bytes.Buffer, src []byte) {
	d := deflaters.Get().(*flate.Writer)
	d.Reset(w)
	d.Write(src) // to memory, which does not fail
	d.Flush()
	d.Reset(io.Discard) // hold no buffer in the pool
	deflaters.Put(d)
}

// writeGzip writes to w the gzip stream of before, sl's comments and after,
// for a viewer whose CSRF token (as the page writes it) is token: the parts
// of before and after between its occurrences are the same for many
// viewers and are compressed once (deflated), the token once per request.
func (tc *threadCache) writeGzip(w *bytes.Buffer, before []byte, sl *slot, after []byte, token []byte) {
	w.Write(gzipHeader)
	var tokenZ []byte
	around := func(b []byte) {
		for i, part := range splitOn(b, token) {
			if i > 0 {
				if tokenZ == nil {
					n := w.Len()
					deflateTo(w, token)
					tokenZ = bytes.Clone(w.Bytes()[n:])
				} else {
					w.Write(tokenZ)
				}
			}
			w.Write(tc.deflated(part))
		}
	}
	around(before)
	w.Write(sl.z)
	around(after)
	w.Write(finalBlock)
	crc := crc32.Update(crc32.ChecksumIEEE(before), crc32.IEEETable, sl.raw)
	crc = crc32.Update(crc, crc32.IEEETable, after)
	var tail [8]byte
	binary.LittleEndian.PutUint32(tail[:4], crc)
	binary.LittleEndian.PutUint32(tail[4:], uint32(len(before)+len(sl.raw)+len(after)))
	w.Write(tail[:])
}

// splitOn splits b around sep, or returns b whole when sep is empty.
func splitOn(b, sep []byte) [][]byte {
	if len(sep) == 0 {
		return [][]byte{b}
	}
	return bytes.Split(b, sep)
}

// deflatedMax and deflatedBytes bound the parts of pages kept compressed:
// all are dropped beyond either.
const (
	deflatedMax   = 64
	deflatedBytes = 4 << 20
)

// deflatedPart is a part of a page around the comments (the layout, the
// proposal) and its compressed form.
type deflatedPart struct{ raw, z []byte }

// deflated returns b compressed on its own, compressing it on first use:
// many viewers see the same part, and it is compressed once for them. A
// part that changes (a new count, another viewer's name) is a new part;
// old ones go when the bound is met.
func (tc *threadCache) deflated(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	h := maphash.Bytes(tc.seed, b)
	tc.mu.Lock()
	p := tc.parts[h]
	tc.mu.Unlock()
	if p != nil && bytes.Equal(p.raw, b) {
		return p.z
	}
	var z bytes.Buffer
	z.Grow(len(b) / 3)
	deflateTo(&z, b)
	p = &deflatedPart{raw: bytes.Clone(b), z: z.Bytes()}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if len(tc.parts) >= deflatedMax || tc.partSize+len(p.raw)+len(p.z) > deflatedBytes {
		clear(tc.parts)
		tc.partSize = 0
	}
	if old := tc.parts[h]; old != nil {
		tc.partSize -= len(old.raw) + len(old.z)
	}
	tc.parts[h] = p
	tc.partSize += len(p.raw) + len(p.z)
	return p.z
}
