package attachment

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
)

// MaxPixels is the most pixels an image may have; the header is read before anything is allocated.
const MaxPixels = 40_000_000

// maxDecoded bounds the memory one decoded image takes: MaxPixels of 8-bit RGBA. A 16-bit PNG, at
// 8 bytes a pixel, may so have half as many pixels.
const maxDecoded = 4 * MaxPixels

// bytesPerPixel is what the decoder allocates per pixel for images of model m.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel:
		return 1
	case color.Gray16Model:
		return 2
	case color.YCbCrModel:
		return 3
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 4
}

// jpegQuality is the quality images are re-encoded at: visually the same as a phone's output.
const jpegQuality = 90

// pngSignature opens every PNG file.
var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// cleanPNG decodes a PNG and encodes its pixels again, upright, so that no chunk but the image data
// survives: text, eXIf and iTXt metadata and anything appended after IEND are gone.
func cleanPNG(data []byte) ([]byte, error) {
	img, err := decodeImage(data, png.DecodeConfig, png.Decode)
	if err != nil {
		return nil, err
	}
	img = orient(img, pngOrientation(data))
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.DefaultCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// cleanJPEG decodes a JPEG, turns it upright by its EXIF orientation and encodes it again at quality 90,
// so that EXIF (GPS included), XMP, IPTC, comments and anything after the image are gone.
func cleanJPEG(data []byte) ([]byte, error) {
	img, err := decodeImage(data, jpeg.DecodeConfig, jpeg.Decode)
	if err != nil {
		return nil, err
	}
	img = orient(img, jpegOrientation(data))
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: jpegQuality}); err != nil {
		return nil, fmt.Errorf("encode jpeg: %w", err)
	}
	return buf.Bytes(), nil
}

// decodeImage reads the header to refuse absurd dimensions before decoding the pixels.
func decodeImage(data []byte, config func(io.Reader) (image.Config, error), decode func(io.Reader) (image.Image, error)) (image.Image, error) {
	cfg, err := config(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("read image header: %v: %w", err, ErrDamaged)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("read image header: %d×%d pixels: %w", cfg.Width, cfg.Height, ErrDamaged)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, fmt.Errorf("read image header: %d×%d pixels (at most %d): %w", cfg.Width, cfg.Height, MaxPixels, ErrTooLarge)
	}
	if n := int64(cfg.Width) * int64(cfg.Height) * bytesPerPixel(cfg.ColorModel); n > maxDecoded {
		return nil, fmt.Errorf("read image header: %d×%d pixels would take %d MiB decoded (at most %d): %w",
			cfg.Width, cfg.Height, n>>20, maxDecoded>>20, ErrTooLarge)
	}
	img, err := decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decode image: %v: %w", err, ErrDamaged)
	}
	return img, nil
}

// jpegOrientation returns the EXIF Orientation (1–8) of a JPEG from its first APP1 "Exif" segment, or 1
// when there is none or it cannot be read.
func jpegOrientation(data []byte) int {
	p := 2 // after SOI
	for p+4 <= len(data) {
		if data[p] != 0xFF {
			return 1
		}
		marker := data[p+1]
		switch {
		case marker == 0xFF: // fill byte
			p++
			continue
		case marker == 0x01 || marker >= 0xD0 && marker <= 0xD7: // no length
			p += 2
			continue
		case marker == 0xDA || marker == 0xD9: // image data or end: no metadata past here
			return 1
		}
		n := int(binary.BigEndian.Uint16(data[p+2:]))
		if n < 2 || p+2+n > len(data) {
			return 1
		}
		seg := data[p+4 : p+2+n]
		if marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffOrientation(seg[6:])
		}
		p += 2 + n
	}
	return 1
}

// pngOrientation returns the EXIF Orientation (1–8) of a PNG from its eXIf chunk, or 1.
func pngOrientation(data []byte) int {
	p := len(pngSignature)
	for p+12 <= len(data) {
		n := binary.BigEndian.Uint32(data[p:])
		typ := string(data[p+4 : p+8])
		if n > uint32(len(data)-p-12) {
			return 1
		}
		body := data[p+8 : p+8+int(n)]
		switch typ {
		case "eXIf":
			if crc32.ChecksumIEEE(data[p+4:p+8+int(n)]) != binary.BigEndian.Uint32(data[p+8+int(n):]) {
				return 1
			}
			return tiffOrientation(body)
		case "IDAT", "IEND": // eXIf must come before the image data
			return 1
		}
		p += 12 + int(n)
	}
	return 1
}

// errNoOrientation ends tiffOrientation's search without a usable tag.
var errNoOrientation = errors.New("no orientation")

// tiffOrientation reads tag 0x0112 (Orientation) from IFD0 of a TIFF structure, as EXIF carries one; it
// returns 1 for anything missing, malformed or out of range.
func tiffOrientation(t []byte) int {
	o, err := readOrientation(t)
	if err != nil || o < 1 || o > 8 {
		return 1
	}
	return o
}

// readOrientation does tiffOrientation's work, bounds checked.
func readOrientation(t []byte) (int, error) {
	if len(t) < 8 {
		return 0, errNoOrientation
	}
	var order binary.ByteOrder
	switch string(t[:4]) {
	case "II*\x00":
		order = binary.LittleEndian
	case "MM\x00*":
		order = binary.BigEndian
	default:
		return 0, errNoOrientation
	}
	ifd := int64(order.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > int64(len(t)) {
		return 0, errNoOrientation
	}
	count := int64(order.Uint16(t[ifd:]))
	for i := range count {
		e := ifd + 2 + 12*i
		if e+12 > int64(len(t)) {
			break
		}
		if order.Uint16(t[e:]) != 0x0112 {
			continue
		}
		if order.Uint16(t[e+2:]) != 3 || order.Uint32(t[e+4:]) != 1 { // one SHORT, stored in the entry
			return 0, errNoOrientation
		}
		return int(order.Uint16(t[e+8:])), nil
	}
	return 0, errNoOrientation
}

// orient returns img turned as EXIF orientation o asks (1 upright, 2 mirrored, 3 turned half, 4 flipped,
// 5 transposed, 6 turned a quarter clockwise, 7 transversed, 8 turned a quarter counter-clockwise), with
// its bounds starting at 0,0.
func orient(img image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	// where maps a source pixel (x, y), relative to the bounds, to its place in the result.
	where := func(x, y int) (int, int) {
		switch o {
		case 2:
			return w - 1 - x, y
		case 3:
			return w - 1 - x, h - 1 - y
		case 4:
			return x, h - 1 - y
		case 5:
			return y, x
		case 6:
			return h - 1 - y, x
		case 7:
			return h - 1 - y, w - 1 - x
		}
		return y, w - 1 - x // 8
	}
	switch src := img.(type) {
	case *image.Gray:
		dst := image.NewGray(image.Rect(0, 0, dw, dh))
		for y := range h {
			for x := range w {
				dx, dy := where(x, y)
				dst.Pix[dy*dst.Stride+dx] = src.Pix[src.PixOffset(b.Min.X+x, b.Min.Y+y)]
			}
		}
		return dst
	case *image.YCbCr:
		dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
		for y := range h {
			for x := range w {
				yi := src.YOffset(b.Min.X+x, b.Min.Y+y)
				ci := src.COffset(b.Min.X+x, b.Min.Y+y)
				r, g, bl := color.YCbCrToRGB(src.Y[yi], src.Cb[ci], src.Cr[ci])
				dx, dy := where(x, y)
				i := dy*dst.Stride + 4*dx
				dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = r, g, bl, 0xFF
			}
		}
		return dst
	case *image.NRGBA:
		dst := image.NewNRGBA(image.Rect(0, 0, dw, dh))
		for y := range h {
			for x := range w {
				si := src.PixOffset(b.Min.X+x, b.Min.Y+y)
				dx, dy := where(x, y)
				copy(dst.Pix[dy*dst.Stride+4*dx:][:4], src.Pix[si:si+4])
			}
		}
		return dst
	case *image.RGBA:
		dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
		for y := range h {
			for x := range w {
				si := src.PixOffset(b.Min.X+x, b.Min.Y+y)
				dx, dy := where(x, y)
				copy(dst.Pix[dy*dst.Stride+4*dx:][:4], src.Pix[si:si+4])
			}
		}
		return dst
	case *image.Paletted:
		dst := image.NewPaletted(image.Rect(0, 0, dw, dh), src.Palette)
		for y := range h {
			for x := range w {
				dx, dy := where(x, y)
				dst.Pix[dy*dst.Stride+dx] = src.Pix[src.PixOffset(b.Min.X+x, b.Min.Y+y)]
			}
		}
		return dst
	}
	// Everything else (16-bit, CMYK, gray with alpha) goes through the slower generic path.
	dst := image.NewNRGBA64(image.Rect(0, 0, dw, dh))
	for y := range h {
		for x := range w {
			dx, dy := where(x, y)
			dst.Set(dx, dy, img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return dst
}
