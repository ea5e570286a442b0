package web

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"sync"
)

// A thread page is mostly cached comment fragments, so its gzip encoding is
// mostly cached too: each fragment keeps, beside its HTML, the same bytes
// compressed on their own as raw deflate blocks that end in a sync flush
// (byte-aligned, and referring to nothing before them). Such blocks may be
// laid end to end in any order, so a page's gzip stream is a header, the
// deflate blocks of the page around the thread and of the markup between
// comments (compressed as the page is written), the cached blocks of the
// fragments, a final empty block, and the CRC-32 and length of the
// uncompressed bytes. Decompressed, it is byte for byte the identity page.
// Compressing each piece alone costs some ratio (no back-references across
// comments) and saves compressing the page on every request.

// gzipHeader is a gzip member header: deflate, no name, no time, unknown OS.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// finalBlock is an empty final deflate block (fixed Huffman, end of block).
var finalBlock = []byte{0x03, 0x00}

// deflater compresses pieces one at a time, each on its own.
type deflater struct {
	w   *flate.Writer
	out appender
}

type appender struct{ b []byte }

func (a *appender) Write(p []byte) (int, error) {
	a.b = append(a.b, p...)
	return len(p), nil
}

var deflaters = sync.Pool{New: func() any {
	d := &deflater{}
	d.w, _ = flate.NewWriter(&d.out, flate.BestSpeed) // only an invalid level fails
	return d
}}

// deflateBlock appends to dst src compressed on its own as raw deflate
// blocks ending in a sync flush.
func deflateBlock(dst, src []byte) []byte {
	d := deflaters.Get().(*deflater)
	d.out.b = dst
	d.w.Reset(&d.out)
	d.w.Write(src) // writes to memory, which does not fail
	d.w.Flush()
	dst, d.out.b = d.out.b, nil
	deflaters.Put(d)
	return dst
}

// pageWriter writes a thread page: its HTML, or its gzip encoding from
// fragments' precompressed blocks and blocks it compresses of the rest.
type pageWriter struct {
	gzip bool
	raw  bytes.Buffer // the HTML, when not gzip
	z    []byte       // the gzip stream so far, when gzip
	crc  uint32
	size int
	// glue is the HTML written since the last precompressed piece, not yet
	// compressed; shared says whether all of it is markup that every page
	// in the language repeats (compressed once, kept in markup.glue).
	glue   []byte
	shared bool
	markup *threadMarkup
	// last and lastZ remember the last glue compressed for this page alone
	// (mostly the viewer's CSRF token, which recurs in every form).
	last, lastZ []byte
}

var pageWriters = sync.Pool{New: func() any { return &pageWriter{} }}

// newPageWriter returns a writer for a page in the language of m, gzip or
// not; release it after its bytes have been copied.
func newPageWriter(gzip bool, m *threadMarkup) *pageWriter {
	w := pageWriters.Get().(*pageWriter)
	w.gzip, w.markup, w.crc, w.size, w.shared = gzip, m, 0, 0, true
	w.raw.Reset()
	w.z, w.glue, w.last, w.lastZ = w.z[:0], w.glue[:0], w.last[:0], w.lastZ[:0]
	if gzip {
		w.z = append(w.z, gzipHeader...)
	}
	return w
}

// pooledPageMax is the largest buffer a pageWriter keeps for the next page.
const pooledPageMax = 1 << 20

func (w *pageWriter) release() {
	if w.raw.Cap() > pooledPageMax || cap(w.z) > pooledPageMax || cap(w.glue) > pooledPageMax {
		return
	}
	w.markup = nil
	pageWriters.Put(w)
}

// text writes HTML drawn for this page; shared says it is markup every
// page in the language repeats.
func (w *pageWriter) text(b []byte, shared bool) {
	if !w.gzip {
		w.raw.Write(b)
		return
	}
	w.crc = crc32.Update(w.crc, crc32.IEEETable, b)
	w.size += len(b)
	w.glue = append(w.glue, b...)
	w.shared = w.shared && shared
}

// piece writes HTML whose deflate blocks (z) were compressed before.
func (w *pageWriter) piece(b, z []byte) {
	if !w.gzip {
		w.raw.Write(b)
		return
	}
	w.flushGlue()
	w.crc = crc32.Update(w.crc, crc32.IEEETable, b)
	w.size += len(b)
	w.z = append(w.z, z...)
}

func (w *pageWriter) flushGlue() {
	if len(w.glue) == 0 {
		return
	}
	switch {
	case w.shared:
		w.z = append(w.z, w.markup.deflated(w.glue)...)
	case bytes.Equal(w.glue, w.last):
		w.z = append(w.z, w.lastZ...)
	default:
		n := len(w.z)
		w.z = deflateBlock(w.z, w.glue)
		w.last = append(w.last[:0], w.glue...)
		w.lastZ = append(w.lastZ[:0], w.z[n:]...)
	}
	w.glue, w.shared = w.glue[:0], true
}

// bytes returns the page: its HTML, or its whole gzip stream.
func (w *pageWriter) bytes() []byte {
	if !w.gzip {
		return w.raw.Bytes()
	}
	w.flushGlue()
	w.z = append(w.z, finalBlock...)
	w.z = binary.LittleEndian.AppendUint32(w.z, w.crc)
	w.z = binary.LittleEndian.AppendUint32(w.z, uint32(w.size))
	return w.z
}

// threadGlueMax bounds the markup runs kept compressed per language: the
// runs between comments are few (closing tags of at most MaxCommentDepth
// levels), so the bound is never met in practice.
const threadGlueMax = 256

// deflated returns glue, markup between comments, compressed on its own,
// compressing it on first use.
func (m *threadMarkup) deflated(glue []byte) []byte {
	m.mu.Lock()
	z, ok := m.glue[string(glue)]
	m.mu.Unlock()
	if ok {
		return z
	}
	z = deflateBlock(nil, glue)
	m.mu.Lock()
	if len(m.glue) < threadGlueMax {
		m.glue[string(glue)] = z
	}
	m.mu.Unlock()
	return z
}
