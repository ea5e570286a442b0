package attachment

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"testing"
	"unicode/utf16"
)

// The builders below make every file the tests use, so that no binary fixture hides what a test checks.

// red and blue are the two colours of the test images.
var (
	red  = color.NRGBA{R: 0xFF, A: 0xFF}
	blue = color.NRGBA{B: 0xFF, A: 0xFF}
)

// quadrantImage is w×h, blue but for its top-left quadrant, which is red: turning it shows which way.
func quadrantImage(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := blue
			if x < w/2 && y < h/2 {
				c = red
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// noiseImage is w×h of seeded random pixels: it compresses badly, so its PNG is larger than a KiB.
func noiseImage(w, h int) *image.NRGBA {
	r := rand.New(rand.NewPCG(1, 2))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = byte(r.Uint32())
	}
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 0xFF
	}
	return img
}

func pngOf(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatalf("encode png: %v", err)
	}
	return buf.Bytes()
}

func jpegOf(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatalf("encode jpeg: %v", err)
	}
	return buf.Bytes()
}

func gifOf(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := gif.Encode(&buf, img, nil); err != nil {
		t.Fatalf("encode gif: %v", err)
	}
	return buf.Bytes()
}

// pngChunk is one PNG chunk with its CRC.
func pngChunk(typ string, body []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	out = append(out, typ...)
	out = append(out, body...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(append([]byte(typ), body...)))
}

// withPNGChunks inserts chunks right after IHDR, where text and eXIf chunks go.
func withPNGChunks(p []byte, chunks ...[]byte) []byte {
	at := len(pngSignature) + 8 + 13 + 4 // signature, IHDR header, its 13 bytes, its CRC
	out := append([]byte(nil), p[:at]...)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return append(out, p[at:]...)
}

// pngHeaderOnly is a PNG that claims w×h RGBA pixels of depth bits a channel and stops after its header.
func pngHeaderOnly(w, h uint32, depth byte) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, depth, 6, 0, 0, 0)
	return append(append([]byte(nil), pngSignature...), pngChunk("IHDR", ihdr)...)
}

// exifSecret is written into the test EXIF as the image description, to prove it leaves with EXIF.
const exifSecret = "SECRET-PLACE-37.5665N"

// exifTIFF is a big-endian EXIF TIFF block: IFD0 with ImageDescription, Orientation o and a GPS IFD
// pointer; the GPS IFD has the latitude reference "N" and latitude 37° 33' 59".
func exifTIFF(o uint16) []byte {
	be := binary.BigEndian
	t := []byte("MM\x00*")
	t = be.AppendUint32(t, 8)
	// IFD0 at 8: 3 entries (2+36+4 bytes) then the description, then the GPS IFD.
	descAt := uint32(8 + 2 + 3*12 + 4)
	desc := append([]byte(exifSecret), 0)
	gpsAt := descAt + uint32(len(desc))
	entry := func(t []byte, tag, typ uint16, count, value uint32) []byte {
		t = be.AppendUint16(t, tag)
		t = be.AppendUint16(t, typ)
		t = be.AppendUint32(t, count)
		return be.AppendUint32(t, value)
	}
	t = be.AppendUint16(t, 3)
	t = entry(t, 0x010E, 2, uint32(len(desc)), descAt)
	t = entry(t, 0x0112, 3, 1, uint32(o)<<16) // a SHORT sits in the first two bytes of the value
	t = entry(t, 0x8825, 4, 1, gpsAt)
	t = be.AppendUint32(t, 0)
	t = append(t, desc...)
	// GPS IFD: 2 entries, then the three rationals of the latitude.
	latAt := gpsAt + 2 + 2*12 + 4
	t = be.AppendUint16(t, 2)
	t = entry(t, 0x0001, 2, 2, uint32('N')<<24)
	t = entry(t, 0x0002, 5, 3, latAt)
	t = be.AppendUint32(t, 0)
	for _, v := range []uint32{37, 1, 33, 1, 59, 1} {
		t = be.AppendUint32(t, v)
	}
	return t
}

// withAPP1 puts an APP1 segment holding "Exif\0\0" and tiff right after the JPEG's SOI.
func withAPP1(j, tiff []byte) []byte {
	seg := append([]byte("Exif\x00\x00"), tiff...)
	out := append([]byte(nil), j[:2]...)
	out = append(out, 0xFF, 0xE1)
	out = binary.BigEndian.AppendUint16(out, uint16(len(seg)+2))
	out = append(out, seg...)
	return append(out, j[2:]...)
}

// cfbOptions shape a test compound file.
type cfbOptions struct {
	major      uint16 // 3 (512-byte sectors) or 4 (4096)
	stream     string // the root's one stream
	content    []byte // its content; below 4096 bytes it goes in the mini stream
	dirSector  uint32 // where the header says the directory starts (1 when 0)
	loopDirFAT bool   // the directory's sector points to itself in the allocation table
}

// cfbFile is an OLE2 compound file with one stream under the root: sector 0 holds the allocation table,
// 1 the directory, 2 the mini allocation table, 3 the mini stream, and 4 on a large stream.
func cfbFile(o cfbOptions) []byte {
	le := binary.LittleEndian
	shift := uint16(9)
	if o.major == 4 {
		shift = 12
	}
	size := 1 << shift
	const free, end, fatSect = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
	mini := len(o.content) < 4096
	streamSectors := 0
	if !mini {
		streamSectors = (len(o.content) + size - 1) / size
	}
	total := 4 + streamSectors
	file := make([]byte, size*(total+1))
	h := file[:512]
	copy(h, cfbSignature)
	le.PutUint16(h[0x18:], 0x3E)
	le.PutUint16(h[0x1A:], o.major)
	le.PutUint16(h[0x1C:], 0xFFFE)
	le.PutUint16(h[0x1E:], shift)
	le.PutUint16(h[0x20:], 6)
	le.PutUint32(h[0x2C:], 1) // one FAT sector
	dir := o.dirSector
	if dir == 0 {
		dir = 1
	}
	le.PutUint32(h[0x30:], dir)
	le.PutUint32(h[0x38:], 4096)
	le.PutUint32(h[0x3C:], 2) // mini FAT
	le.PutUint32(h[0x40:], 1)
	le.PutUint32(h[0x44:], end) // no DIFAT sectors
	for i := range 109 {
		le.PutUint32(h[0x4C+4*i:], free)
	}
	le.PutUint32(h[0x4C:], 0)
	sector := func(n int) []byte { return file[(n+1)*size : (n+2)*size] }
	fat := sector(0)
	for i := 0; i < size/4; i++ {
		le.PutUint32(fat[4*i:], free)
	}
	le.PutUint32(fat[0:], fatSect)
	le.PutUint32(fat[4:], end)
	if o.loopDirFAT {
		le.PutUint32(fat[4:], 1)
	}
	le.PutUint32(fat[8:], end)
	le.PutUint32(fat[12:], end)
	for i := range streamSectors {
		next := uint32(4 + i + 1)
		if i == streamSectors-1 {
			next = end
		}
		le.PutUint32(fat[4*(4+i):], next)
	}
	// Directory: the root entry, then the stream.
	entry := func(i int, name string, typ byte, child, start uint32, size uint64) {
		e := sector(1)[i*128 : (i+1)*128]
		u := utf16.Encode([]rune(name))
		for j, c := range u {
			le.PutUint16(e[2*j:], c)
		}
		le.PutUint16(e[0x40:], uint16(2*len(u)+2))
		e[0x42] = typ
		e[0x43] = 1 // black
		le.PutUint32(e[0x44:], free)
		le.PutUint32(e[0x48:], free)
		le.PutUint32(e[0x4C:], child)
		le.PutUint32(e[0x74:], start)
		le.PutUint64(e[0x78:], size)
	}
	miniSize := uint64(0)
	if mini {
		miniSize = uint64((len(o.content) + 63) / 64 * 64)
	}
	entry(0, "Root Entry", 5, 1, 3, miniSize)
	if mini {
		entry(1, o.stream, 2, free, 0, uint64(len(o.content)))
		mf := sector(2)
		for i := 0; i < size/4; i++ {
			le.PutUint32(mf[4*i:], free)
		}
		n := int(miniSize / 64)
		for i := range n {
			next := uint32(i + 1)
			if i == n-1 {
				next = end
			}
			le.PutUint32(mf[4*i:], next)
		}
		copy(sector(3), o.content)
	} else {
		entry(1, o.stream, 2, free, 4, uint64(len(o.content)))
		copy(file[5*size:], o.content)
	}
	return file
}

// hwpFileHeader is the 256-byte FileHeader stream of an HWP 5.0 document.
func hwpFileHeader() []byte {
	b := make([]byte, 256)
	copy(b, "HWP Document File")
	binary.LittleEndian.PutUint32(b[32:], 0x05000300) // version 5.0.3.0
	return b
}

// zipEntry is one entry of a test ZIP: stored or deflated, and optionally claiming another size.
type zipEntry struct {
	name      string
	body      string
	store     bool
	claimSize uint64 // when not 0, the size the headers claim, written raw
}

func zipOf(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		if e.claimSize != 0 {
			fh := &zip.FileHeader{Name: e.name, Method: zip.Store, CRC32: crc32.ChecksumIEEE([]byte(e.body)),
				CompressedSize64: uint64(len(e.body)), UncompressedSize64: e.claimSize}
			w, err := zw.CreateRaw(fh)
			if err != nil {
				t.Fatalf("zip raw entry: %v", err)
			}
			w.Write([]byte(e.body))
			continue
		}
		method := zip.Deflate
		if e.store {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: method})
		if err != nil {
			t.Fatalf("zip entry: %v", err)
		}
		w.Write([]byte(e.body))
	}
	if err := zw.Close(); err != nil {
		t.Fatalf("close zip: %v", err)
	}
	return buf.Bytes()
}

// hwpxOf is an HWPX package: the stored mimetype first, then the given entries.
func hwpxOf(t testing.TB, more ...zipEntry) []byte {
	return zipOf(t, append([]zipEntry{{name: "mimetype", body: hwpxMIME, store: true}}, more...)...)
}

// hwpxBody is the usual content of an HWPX package.
var hwpxBody = []zipEntry{
	{name: "version.xml", body: `<?xml version="1.0"?><hv:HCFVersion/>`},
	{name: "Contents/content.hpf", body: `<?xml version="1.0"?><opf:package/>`},
	{name: "Contents/section0.xml", body: `<?xml version="1.0"?><hs:sec>민원</hs:sec>`},
}
