package attachment

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// hwpxMIME is the whole content of an HWPX file's first entry, "mimetype".
const hwpxMIME = "application/hwp+zip"

// Limits on an HWPX archive, so that a small file cannot claim to unpack to gigabytes (a zip bomb) or
// list millions of entries.
const (
	MaxHWPXUnpacked = 100 << 20
	MaxHWPXEntries  = 10_000
)

// checkHWPX requires a ZIP whose first entry, at offset 0, is "mimetype", stored uncompressed, holding
// exactly application/hwp+zip, with entries under Contents/. Another ZIP is ErrType; one that claims to
// be HWPX but is broken or too big unpacked is ErrDamaged.
func checkHWPX(data []byte) error {
	// An HWPX file, like EPUB and ODF, names its type in the clear right at its start: the local header
	// (30 bytes) of an entry named "mimetype", its extra field, then the stored type. A ZIP that starts
	// with application/hwp+zip so claims to be HWPX; an EPUB or an ODF file does not.
	claims, at := false, 0
	if len(data) >= 38 && string(data[26:28]) == "\x08\x00" && string(data[30:38]) == "mimetype" {
		at = 38 + int(binary.LittleEndian.Uint16(data[28:30]))
		claims = len(data) >= at+len(hwpxMIME) && string(data[at:at+len(hwpxMIME)]) == hwpxMIME
	}
	bad := ErrType
	if claims {
		bad = ErrDamaged
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return fmt.Errorf("open zip: %v: %w", err, bad)
	}
	if errors.Is(err, zip.ErrInsecurePath) {
		return fmt.Errorf("open zip: an entry's path leaves the archive: %w", bad)
	}
	if len(zr.File) == 0 || zr.File[0].Name != "mimetype" {
		return fmt.Errorf("open zip: its first entry is not mimetype (not an HWPX file): %w", bad)
	}
	mt := zr.File[0]
	got, err := readSmall(mt, len(hwpxMIME))
	if err != nil {
		return fmt.Errorf("read the mimetype entry: %v: %w", err, bad)
	}
	if got != hwpxMIME {
		return fmt.Errorf("read the mimetype entry: %q is not %s: %w", got, hwpxMIME, ErrType)
	}
	bad = ErrDamaged // from here on, it says it is HWPX
	if len(zr.File) > MaxHWPXEntries {
		return fmt.Errorf("open zip: %d entries (at most %d): %w", len(zr.File), MaxHWPXEntries, bad)
	}
	var total uint64
	contents := false
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if f.UncompressedSize64 > MaxHWPXUnpacked || total > MaxHWPXUnpacked {
			return fmt.Errorf("open zip: more than %d bytes unpacked: %w", MaxHWPXUnpacked, bad)
		}
		if strings.HasPrefix(f.Name, "Contents/") {
			contents = true
		}
	}
	if mt.Method != zip.Store {
		return fmt.Errorf("open hwpx: its mimetype entry is compressed: %w", bad)
	}
	if off, err := mt.DataOffset(); err != nil || !claims || off != int64(at) {
		return fmt.Errorf("open hwpx: its mimetype entry is not the one at the start of the file: %w", bad)
	}
	if !contents {
		return fmt.Errorf("open hwpx: no Contents/ entries: %w", ErrDamaged)
	}
	return nil
}

// readSmall reads entry f when it is at most n bytes, refusing more.
func readSmall(f *zip.File, n int) (string, error) {
	if f.UncompressedSize64 > uint64(n) {
		return "", fmt.Errorf("%d bytes", f.UncompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	got, err := io.ReadAll(io.LimitReader(rc, int64(n)+1))
	if err != nil {
		return "", err
	}
	return string(got), nil
}
