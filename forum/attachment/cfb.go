package attachment

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"unicode/utf16"
)

// cfbSignature opens every OLE2 compound file (HWP 5.x, but also Word .doc, Excel .xls and others).
var cfbSignature = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// hwpSignature begins the FileHeader stream of every HWP 5.x document.
var hwpSignature = []byte("HWP Document File")

// Special sector numbers of the compound file's allocation table.
const (
	cfbMaxRegSect  = 0xFFFFFFFA // the last real sector number
	cfbEndOfChain  = 0xFFFFFFFE
	cfbNoStream    = 0xFFFFFFFF
	cfbDirEntry    = 128 // bytes per directory entry
	cfbMaxDirNodes = 1 << 16
)

// cfb is the minimal reading of a compound file: its sector size, allocation table and directory.
type cfb struct {
	data       []byte
	shift      uint // sector size is 1 << shift
	miniShift  uint
	miniCutoff uint32
	fat        []uint32
	dir        []byte // the directory stream, whole entries only
}

// checkHWP requires an OLE2 compound file whose root storage holds a FileHeader stream beginning with
// "HWP Document File". Another compound file, such as a Word .doc, is ErrType; a compound file whose
// header, allocation table or directory is broken is ErrDamaged.
func checkHWP(data []byte) error {
	c, err := readCFB(data)
	if err != nil {
		return err
	}
	entry, ok, err := c.rootChild("FileHeader")
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("find the HWP FileHeader stream in a compound file (a Word or Excel file?): %w", ErrType)
	}
	head, err := c.streamStart(entry, len(hwpSignature))
	if err != nil {
		return err
	}
	if !bytes.Equal(head, hwpSignature) {
		return fmt.Errorf("read the FileHeader stream: it does not begin with %q: %w", hwpSignature, ErrType)
	}
	return nil
}

// readCFB reads the header, the allocation table (through the header's 109 DIFAT entries and the DIFAT
// chain) and the directory chain, refusing anything out of range or looping.
func readCFB(data []byte) (*cfb, error) {
	damaged := func(what string, args ...any) error {
		return fmt.Errorf("read compound file: "+what+": %w", append(args, ErrDamaged)...)
	}
	if len(data) < 512 {
		return nil, damaged("%d bytes, shorter than its header", len(data))
	}
	le := binary.LittleEndian
	major := le.Uint16(data[0x1A:])
	c := &cfb{data: data, shift: uint(le.Uint16(data[0x1E:])), miniShift: uint(le.Uint16(data[0x20:])),
		miniCutoff: le.Uint32(data[0x38:])}
	if le.Uint16(data[0x1C:]) != 0xFFFE {
		return nil, damaged("byte order mark %#x", le.Uint16(data[0x1C:]))
	}
	if !(major == 3 && c.shift == 9 || major == 4 && c.shift == 12) {
		return nil, damaged("version %d with sectors of 2^%d bytes", major, c.shift)
	}
	if c.miniShift != 6 {
		return nil, damaged("mini sectors of 2^%d bytes", c.miniShift)
	}
	if rest := len(data) % (1 << c.shift); rest != 0 {
		// Some writers leave the last sector short; pad a copy so that every sector read is whole.
		data = append(bytes.Clone(data), make([]byte, 1<<c.shift-rest)...)
		c.data = data
	}
	sectors := uint32((len(data) - 1) >> c.shift) // sector n starts at (n+1) << shift
	// The allocation table's sectors: 109 in the header, the rest along the DIFAT chain.
	nFAT := le.Uint32(data[0x2C:])
	if nFAT == 0 || nFAT > sectors {
		return nil, damaged("%d allocation table sectors in a file of %d", nFAT, sectors)
	}
	fatSectors := make([]uint32, 0, nFAT)
	for i := 0; i < 109 && uint32(len(fatSectors)) < nFAT; i++ {
		fatSectors = append(fatSectors, le.Uint32(data[0x4C+4*i:]))
	}
	perSector := uint32(1) << (c.shift - 2)
	next := le.Uint32(data[0x44:])
	for hops := uint32(0); uint32(len(fatSectors)) < nFAT; hops++ {
		if next >= sectors || hops > sectors {
			return nil, damaged("DIFAT chain at sector %#x", next)
		}
		s := c.sector(next)
		for i := uint32(0); i < perSector-1 && uint32(len(fatSectors)) < nFAT; i++ {
			fatSectors = append(fatSectors, le.Uint32(s[4*i:]))
		}
		next = le.Uint32(s[4*(perSector-1):])
	}
	c.fat = make([]uint32, 0, int(nFAT)*int(perSector))
	for _, fs := range fatSectors {
		if fs >= sectors {
			return nil, damaged("allocation table sector %#x outside the file", fs)
		}
		s := c.sector(fs)
		for i := uint32(0); i < perSector; i++ {
			c.fat = append(c.fat, le.Uint32(s[4*i:]))
		}
	}
	dirSectors, err := c.chain(le.Uint32(data[0x30:]), cfbMaxDirNodes*cfbDirEntry>>c.shift)
	if err != nil {
		return nil, damaged("directory chain: %v", err)
	}
	for _, s := range dirSectors {
		c.dir = append(c.dir, c.sector(s)...)
	}
	return c, nil
}

// sector returns the bytes of sector n, which the caller has checked lies inside the file.
func (c *cfb) sector(n uint32) []byte {
	start := (int(n) + 1) << c.shift
	return c.data[start:min(len(c.data), start+1<<c.shift)]
}

// chain follows the allocation table from first to the end of the chain, refusing sectors outside the
// file or the table, loops, and chains longer than limit.
func (c *cfb) chain(first uint32, limit int) ([]uint32, error) {
	sectors := uint32((len(c.data) - 1) >> c.shift)
	var out []uint32
	for s := first; s != cfbEndOfChain; s = c.fat[s] {
		if s > cfbMaxRegSect || s >= sectors || int(s) >= len(c.fat) {
			return nil, fmt.Errorf("sector %#x outside the file", s)
		}
		if len(out) >= limit || len(out) >= len(c.fat) {
			return nil, fmt.Errorf("more than %d sectors, or a loop", min(limit, len(c.fat)))
		}
		out = append(out, s)
	}
	return out, nil
}

// nth returns the sector k steps along the chain from first.
func (c *cfb) nth(first uint32, k int) (uint32, error) {
	sectors := uint32((len(c.data) - 1) >> c.shift)
	s := first
	for i := 0; ; i++ {
		if s > cfbMaxRegSect || s >= sectors || int(s) >= len(c.fat) {
			return 0, fmt.Errorf("sector %#x outside the file", s)
		}
		if i == k {
			return s, nil
		}
		if i >= len(c.fat) {
			return 0, fmt.Errorf("a loop")
		}
		s = c.fat[s]
	}
}

// entry returns directory entry i, or nil when there is none.
func (c *cfb) entry(i uint32) []byte {
	if i == cfbNoStream || int64(i+1)*cfbDirEntry > int64(len(c.dir)) {
		return nil
	}
	return c.dir[i*cfbDirEntry : (i+1)*cfbDirEntry]
}

// entryName decodes a directory entry's UTF-16 name.
func entryName(e []byte) string {
	n := int(binary.LittleEndian.Uint16(e[0x40:]))
	if n < 2 || n > 64 || n%2 != 0 {
		return ""
	}
	u := make([]uint16, 0, n/2-1)
	for i := 0; i+1 < n-2; i += 2 {
		u = append(u, binary.LittleEndian.Uint16(e[i:]))
	}
	return string(utf16.Decode(u))
}

// rootChild searches the root storage's children (a red-black tree of siblings under the root entry's
// child) for a stream named name.
func (c *cfb) rootChild(name string) ([]byte, bool, error) {
	root := c.entry(0)
	if root == nil || root[0x42] != 5 {
		return nil, false, fmt.Errorf("read compound file: no root entry: %w", ErrDamaged)
	}
	le := binary.LittleEndian
	seen := map[uint32]bool{}
	stack := []uint32{le.Uint32(root[0x4C:])}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if id == cfbNoStream {
			continue
		}
		e := c.entry(id)
		if e == nil || seen[id] || len(seen) >= cfbMaxDirNodes {
			return nil, false, fmt.Errorf("read compound file: directory entry %d missing or in a loop: %w", id, ErrDamaged)
		}
		seen[id] = true
		if e[0x42] == 2 && entryName(e) == name {
			return e, true, nil
		}
		stack = append(stack, le.Uint32(e[0x44:]), le.Uint32(e[0x48:]))
	}
	return nil, false, nil
}

// streamStart returns the first n bytes of the stream of directory entry e, from the mini stream when
// the stream is smaller than the cutoff, else from its first sector.
func (c *cfb) streamStart(e []byte, n int) ([]byte, error) {
	le := binary.LittleEndian
	damaged := func(what string) error {
		return fmt.Errorf("read the FileHeader stream: %s: %w", what, ErrDamaged)
	}
	size := le.Uint64(e[0x78:])
	if c.shift == 9 {
		size &= 0xFFFFFFFF // version 3 files may leave garbage in the high half
	}
	if size < uint64(n) {
		return nil, damaged(fmt.Sprintf("%d bytes", size))
	}
	start := le.Uint32(e[0x74:])
	sectors := uint32((len(c.data) - 1) >> c.shift)
	if size >= uint64(c.miniCutoff) {
		if start >= sectors {
			return nil, damaged("first sector outside the file")
		}
		s := c.sector(start)
		if len(s) < n {
			return nil, damaged("file cut short")
		}
		return s[:n], nil
	}
	// A small stream lives in the mini stream, itself a chain of sectors starting at the root entry;
	// its first mini sector is where the stream starts (n is below a mini sector's 64 bytes).
	root := c.entry(0)
	offset := uint64(start) << c.miniShift
	if start > cfbMaxRegSect || offset+uint64(n) > le.Uint64(root[0x78:])&0xFFFFFFFF {
		return nil, damaged("first mini sector outside the mini stream")
	}
	perSector := uint64(1) << c.shift
	sector, err := c.nth(le.Uint32(root[0x74:]), int(offset/perSector))
	if err != nil {
		return nil, damaged("mini stream chain: " + err.Error())
	}
	s := c.sector(sector)
	in := int(offset % perSector)
	if in+n > len(s) {
		return nil, damaged("file cut short")
	}
	return s[in : in+n], nil
}
