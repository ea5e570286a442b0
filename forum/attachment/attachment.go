// Package attachment decides what a citizen may attach to a civil request: it identifies a file by its
// content, never its name, and rewrites images so that no EXIF (location) data leaves with them.
package attachment

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

const (
	// MaxSize is the largest file accepted, in bytes, before and after images are re-encoded.
	MaxSize = 10 << 20 // bytes per file
	// MaxFiles is how many files one request may carry.
	MaxFiles = 5 // files per request
)

// Kind is what a file is, by its content.
type Kind string

// The accepted kinds.
const (
	KindPDF  Kind = "pdf"
	KindPNG  Kind = "png"
	KindJPEG Kind = "jpeg"
	KindHWP  Kind = "hwp"
	KindHWPX Kind = "hwpx"
	KindText Kind = "text"
)

// MIME returns the media type the file is served with (application/pdf, image/png, image/jpeg,
// application/x-hwp, application/hwp+zip, text/plain; charset=utf-8). An unknown kind is served as
// application/octet-stream.
func (k Kind) MIME() string {
	switch k {
	case KindPDF:
		return "application/pdf"
	case KindPNG:
		return "image/png"
	case KindJPEG:
		return "image/jpeg"
	case KindHWP:
		return "application/x-hwp"
	case KindHWPX:
		return "application/hwp+zip"
	case KindText:
		return "text/plain; charset=utf-8"
	}
	return "application/octet-stream"
}

// Ext returns the file-name extension for k, with the dot (".jpg" for JPEG, ".txt" for text). An unknown
// kind gets ".bin".
func (k Kind) Ext() string {
	switch k {
	case KindPDF:
		return ".pdf"
	case KindPNG:
		return ".png"
	case KindJPEG:
		return ".jpg"
	case KindHWP:
		return ".hwp"
	case KindHWPX:
		return ".hwpx"
	case KindText:
		return ".txt"
	}
	return ".bin"
}

// File is an accepted attachment: its cleaned name, kind, the bytes to store (re-encoded for images) and
// their SHA-256 in lower-case hex.
type File struct {
	Name   string
	Kind   Kind
	Data   []byte
	SHA256 string
}

// The reasons Check refuses a file; the errors it returns wrap exactly one of them.
var (
	// ErrEmpty is a file of zero bytes.
	ErrEmpty = errors.New("the file is empty")
	// ErrTooLarge is a file over MaxSize (as sent, or as stored once re-encoded or converted to UTF-8),
	// or an image with more than MaxPixels pixels or that would take more memory decoded than 40
	// megapixels of 8-bit RGBA.
	ErrTooLarge = errors.New("the file is too large")
	// ErrType is content that is none of the accepted kinds, or that a browser could take for a page.
	ErrType = errors.New("the file is not an accepted type")
	// ErrDamaged is content that claims one of the accepted kinds but does not parse as it, an HWPX
	// package over MaxHWPXUnpacked or MaxHWPXEntries (a zip bomb) among them.
	ErrDamaged = errors.New("the file is damaged")
)

// Check identifies data by its content and returns the file to store, or an error that errors.Is matches
// against one of ErrEmpty, ErrTooLarge, ErrType (not one of the accepted kinds, or a disguised file),
// ErrDamaged (claims a kind but does not parse). name is only used to build the stored name.
// data is never modified; File.Data is a new slice.
func Check(name string, data []byte) (File, error) {
	if len(data) == 0 {
		return File{}, fmt.Errorf("check attachment: %w", ErrEmpty)
	}
	if len(data) > MaxSize {
		return File{}, fmt.Errorf("check attachment of %d bytes (at most %d): %w", len(data), MaxSize, ErrTooLarge)
	}
	var (
		kind Kind
		out  []byte
		err  error
	)
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		kind, err = KindPDF, checkPDF(data)
		out = bytes.Clone(data)
	case bytes.HasPrefix(data, pngSignature):
		kind = KindPNG
		out, err = cleanPNG(data)
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		kind = KindJPEG
		out, err = cleanJPEG(data)
	case bytes.HasPrefix(data, cfbSignature):
		kind, err = KindHWP, checkHWP(data)
		out = bytes.Clone(data)
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		kind, err = KindHWPX, checkHWPX(data)
		out = bytes.Clone(data)
	default:
		kind = KindText
		out, err = cleanText(data)
	}
	if err != nil {
		return File{}, fmt.Errorf("check attachment as %s: %w", kind, err)
	}
	if len(out) == 0 {
		return File{}, fmt.Errorf("check attachment as %s: nothing left but a byte-order mark: %w", kind, ErrEmpty)
	}
	if len(out) > MaxSize {
		return File{}, fmt.Errorf("check attachment as %s: %d bytes once re-encoded (at most %d): %w", kind, len(out), MaxSize, ErrTooLarge)
	}
	sum := sha256.Sum256(out)
	return File{Name: CleanName(name, kind), Kind: kind, Data: out, SHA256: hex.EncodeToString(sum[:])}, nil
}

// checkPDF requires a known version right at offset 0, no markup in the first KiB (a PDF/HTML polyglot)
// and an end-of-file marker in the last KiB.
func checkPDF(data []byte) error {
	if tag := markup(data); tag != "" {
		return fmt.Errorf("read pdf: markup %q in its first KiB: %w", tag, ErrType)
	}
	if len(data) < 8 {
		return fmt.Errorf("read pdf header: %w", ErrDamaged)
	}
	v := data[5:8]
	if !(v[0] == '1' && v[1] == '.' && v[2] >= '0' && v[2] <= '7') && !bytes.Equal(v, []byte("2.0")) {
		return fmt.Errorf("read pdf version %q: %w", v, ErrDamaged)
	}
	tail := data[max(0, len(data)-1024):]
	if !bytes.Contains(tail, []byte("%%EOF")) {
		return fmt.Errorf("find pdf end marker %%%%EOF in the last KiB: %w", ErrDamaged)
	}
	return nil
}
